/* Small DOM and formatting helpers shared by the console's pages. All DOM is built with
 * createElement (never HTML strings): no injection, and the strict CSP holds. */

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
export const SVG_NS = 'http://www.w3.org/2000/svg';

/** el('p', {class: 'x', text: 'hi'}, [children]); attributes with null/undefined are skipped. */
export function el(tag, attrs, children, ns) {
  const node = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => {
    if (v === undefined || v === null || v === false) return;
    if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v === true ? '' : v);
  });
  (children || []).forEach((c) => c && node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c));
  return node;
}

export const svg = (tag, attrs, children) => el(tag, attrs, children, SVG_NS);

export function clear(node) {
  node.textContent = '';
  return node;
}

const WIB = 'Asia/Jakarta';
const nf = (digits) => new Intl.NumberFormat('id-ID', { maximumFractionDigits: digits });
const dateFmt = new Intl.DateTimeFormat('id-ID', { day: 'numeric', month: 'short', year: 'numeric', timeZone: WIB });
const dayFmt = new Intl.DateTimeFormat('id-ID', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });
const timeFmt = new Intl.DateTimeFormat('id-ID', { hour: '2-digit', minute: '2-digit', timeZone: WIB });

export const num = (v, digits = 1) => (v === null || v === undefined || Number.isNaN(Number(v)) ? '—' : nf(digits).format(Number(v)));
export const int = (v) => num(v, 0);
/** 1.234 m, or 1,2 km from 1000 m on. */
export const metres = (v) => (v === null || v === undefined ? '—' : Math.abs(v) >= 1000 ? `${num(v / 1000, 1)} km` : `${num(v, 0)} m`);
/** A WIB calendar date (YYYY-MM-DD) as "Sen, 12 Nov". */
export const day = (iso) => (iso ? dayFmt.format(new Date(iso + 'T00:00:00Z')) : '—');
export const date = (ts) => (ts ? dateFmt.format(new Date(ts)) : '—');
export const clock = (ts) => (ts ? timeFmt.format(new Date(ts)) + ' WIB' : '—');
export const dateTime = (ts) => (ts ? `${dateFmt.format(new Date(ts))} ${timeFmt.format(new Date(ts))} WIB` : '—');

/** "5 jam", "2 jam 30 menit", "3 hari": a duration in plain Indonesian. */
export function duration(ms) {
  const minutes = Math.round(Math.abs(ms) / 60000);
  if (minutes < 60) return `${minutes} menit`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 >= 5 ? `${hours} jam ${minutes % 60} menit` : `${hours} jam`;
  return `${Math.round(hours / 24)} hari`;
}

/** "3 jam lalu", "baru saja", "belum pernah": roughly, as people say it. */
export function ago(ts, now = Date.now()) {
  if (!ts) return 'belum pernah';
  const minutes = Math.round((now - new Date(ts).getTime()) / 60000);
  if (minutes < 2) return 'baru saja';
  if (minutes < 60) return `${minutes} menit lalu`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)} jam lalu`;
  return `${Math.round(minutes / 1440)} hari lalu`;
}

/** Today's WIB date as YYYY-MM-DD. */
export const todayWib = () => new Date(Date.now() + 7 * 3600000).toISOString().slice(0, 10);
export const addDays = (iso, n) => new Date(Date.parse(iso + 'T00:00:00Z') + n * 86400000).toISOString().slice(0, 10);
export const isIsoDate = (s) => /^\d{4}-\d{2}-\d{2}$/.test(s || '') && !Number.isNaN(Date.parse(s + 'T00:00:00Z'));

/** Show (or hide, with '') the page's notice line. */
export function notice(text, kind = 'info') {
  const box = $('#notice');
  if (!box) return;
  box.textContent = text || '';
  box.hidden = !text;
  box.dataset.kind = kind;
}

/** Is the keyboard busy typing (shortcuts must then stay quiet)? */
export const typing = (event) => !!event.target.closest('input, textarea, select, [contenteditable]') || event.ctrlKey || event.metaKey || event.altKey;
