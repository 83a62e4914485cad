/* Formatting and DOM helpers shared by the public page's modules. All DOM is built with
 * createElement, never HTML strings: no injection, and the strict CSP holds. */

export const SVG_NS = 'http://www.w3.org/2000/svg';
const DAY_MS = 86400000;
const WIB_OFFSET_MS = 7 * 3600000; // Kota Malang is on WIB (UTC+7) all year, no DST.

const nf1 = new Intl.NumberFormat('id-ID', { maximumFractionDigits: 1 });
const nf0 = new Intl.NumberFormat('id-ID', { maximumFractionDigits: 0 });
const df = new Intl.DateTimeFormat('id-ID', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

export const $ = (sel) => document.querySelector(sel);
export const num = (v) => (typeof v === 'number' && isFinite(v) ? v : Number(v) || 0);
export const fmt1 = (v) => nf1.format(num(v));
export const fmt0 = (v) => nf0.format(num(v));
export const isIsoDate = (s) => /^\d{4}-\d{2}-\d{2}$/.test(s || '') && !isNaN(Date.parse(s + 'T00:00:00Z'));
/** A share in %, or a dash where there is nothing to share (no drain network). */
export const fmtPct = (v) => (v === null || v === undefined || v === '' ? '–' : fmt1(v));
export const fmtDate = (iso) => (isIsoDate(iso) ? df.format(new Date(iso + 'T00:00:00Z')) : '–');
export const todayWib = () => new Date(Date.now() + WIB_OFFSET_MS).toISOString().slice(0, 10);
export const addDays = (iso, n) => new Date(Date.parse(iso + 'T00:00:00Z') + n * DAY_MS).toISOString().slice(0, 10);

/** Create an element (SVG when ns given); attrs: text -> textContent, null/undefined skipped. */
export function el(tag, attrs, children, ns) {
  const node = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
  Object.keys(attrs || {}).forEach((k) => {
    if (k === 'text') node.textContent = attrs[k];
    else if (attrs[k] !== undefined && attrs[k] !== null) node.setAttribute(k, attrs[k]);
  });
  (children || []).forEach((c) => c && node.appendChild(c));
  return node;
}
