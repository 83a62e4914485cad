/* The review queue (/console/): pending logs in the supervisor's area, oldest first. The
 * evidence and the decision share one screen; after a decision the next log shows without a
 * reload. Keyboard first: A approve, R reject (note required), J/K next/previous, X select,
 * O open the log's page. Bulk approval takes only logs with nothing to look at (no flag,
 * both photos) and goes through POST /api/v1/logs/approve: one audit event per log. */
import { api, explain, url } from './api.js';
import { $, $$, clear, clock, day, el, notice, typing } from './dom.js';
import { decisionWidget } from './decision.js';
import { renderEvidence } from './evidence.js';
import { ACTIVITY, FLAG_NAME, LOG_FLAGS, PHOTO_FLAGS, concerns, isClean } from './labels.js';
import { initNav } from './nav.js';
import { crewName, fillKecamatan, kelurahanName, ownKecamatan, outline, reference } from './reference.js';

const PAGE_SIZE = 100;
const NARROW = window.matchMedia('(max-width: 999px)');
const BULK_CHUNK = 500;
const FILTERS = ['kecamatan_code', 'kelurahan_code', 'crew_id', 'flag', 'from', 'to'];
const state = { ref: null, items: [], total: 0, index: -1, selected: new Set(), request: 0 };

const current = () => state.items[state.index] || null;
const decision = decisionWidget({ current, decided });

/* ---------- filters ---------- */

function filters() {
  const found = {};
  FILTERS.forEach((name) => { found[name] = $(`#filters [name="${name}"]`).value; });
  if (ownKecamatan()) found.kecamatan_code = ownKecamatan();
  return found;
}

function fillKelurahan(chosen) {
  const select = $('#f-kelurahan');
  const kecamatan = $('#f-kecamatan').value;
  select.length = 1;
  state.ref.kelurahan.forEach((k) => {
    if (!kecamatan || k.kecamatan_code === kecamatan) select.appendChild(new Option(k.name, k.code));
  });
  select.value = [...select.options].some((o) => o.value === chosen) ? chosen : '';
}

function fillFilters(params) {
  fillKecamatan($('#f-kecamatan'), state.ref, params.get('kecamatan_code'));
  fillKelurahan(params.get('kelurahan_code'));
  state.ref.crews.forEach((c) => $('#f-crew').appendChild(new Option(c.name, c.id)));
  [...LOG_FLAGS, ...PHOTO_FLAGS].forEach((f) => $('#f-flag').appendChild(new Option(FLAG_NAME[f], f)));
  ['crew_id', 'flag', 'from', 'to'].forEach((name) => { $(`#filters [name="${name}"]`).value = params.get(name) || ''; });
}

/* ---------- list ---------- */

function badge(log) {
  const found = concerns(log, (code) => kelurahanName(state.ref, code));
  if (!found.length) return el('span', { class: 'badge badge-ok', text: 'lengkap' });
  return el('span', { class: 'badge badge-warn', title: found.map((c) => c.text).join('\n'), text: `${found.length} tanda` });
}

function listItem(log, i) {
  const clean = isClean(log);
  const box = el('input', {
    type: 'checkbox', class: 'pick', 'aria-label': 'Pilih untuk disetujui sekaligus', disabled: !clean,
    title: clean ? 'Pilih (X)' : 'Ada tanda atau foto kurang: periksa satu per satu', checked: state.selected.has(log.id),
  });
  box.addEventListener('change', () => { toggle(log.id, box.checked); });
  const open = el('button', { type: 'button', class: 'item' }, [
    el('span', { class: 'item-when', text: `${day(log.work_date)} ${clock(log.started_at)}` }),
    el('span', { class: 'item-where', text: `Kel. ${kelurahanName(state.ref, log.kelurahan_code)}` }),
    el('span', { class: 'item-who muted', text: `${crewName(state.ref, log.crew_id)} · ${ACTIVITY[log.activity] || log.activity}` }),
    badge(log),
  ]);
  open.addEventListener('click', () => {
    show(i);
    if (NARROW.matches) $('#detail').scrollIntoView({ block: 'start' });  // on a phone the evidence is below
  });
  return el('li', { 'data-id': log.id, 'aria-current': i === state.index ? 'true' : null, class: clean ? 'is-clean' : 'is-flagged' }, [box, open]);
}

function renderList() {
  const list = clear($('#queue'));
  state.items.forEach((log, i) => list.appendChild(listItem(log, i)));
  const shown = state.items.length;
  $('#queue-count').textContent = state.total === 0 ? 'Tidak ada laporan yang menunggu.'
    : `${state.total} laporan menunggu${state.total > shown ? ` (${shown} tertua ditampilkan)` : ''}.`;
  $('#bulk-selected').disabled = state.selected.size === 0;
  $('#bulk-selected-count').textContent = String(state.selected.size);
}

function toggle(id, on) {
  if (on) state.selected.add(id); else state.selected.delete(id);
  renderList();
}

async function load(keepId) {
  const id = ++state.request;
  document.body.dataset.state = 'loading';
  const query = { status: 'submitted', order: 'oldest', page_size: PAGE_SIZE, ...filters() };
  history.replaceState(null, '', url('console/', Object.fromEntries(FILTERS.map((n) => [n, $(`#filters [name="${n}"]`).value]))));
  try {
    const page = await api('api/v1/logs', { query });
    if (id !== state.request) return;
    state.items = page.items;
    state.total = page.total;
    state.selected = new Set([...state.selected].filter((sid) => page.items.some((l) => l.id === sid)));
    const keep = state.items.findIndex((l) => l.id === keepId);
    show(keep >= 0 ? keep : 0);
  } catch (err) {
    if (id !== state.request) return;
    notice(explain(err), 'error');
    document.body.dataset.state = 'error';
  }
}

/* ---------- the log on screen ---------- */

function show(index) {
  state.index = Math.max(0, Math.min(index, state.items.length - 1));
  renderList();
  const log = current();
  const detail = $('#detail');
  if (!log) {
    clear($('#evidence')).appendChild(el('p', { class: 'all-clear', text: 'Antrian kosong — semua laporan di filter ini sudah direview.' }));
    decision.show(false);
    detail.removeAttribute('data-log-id');
    document.body.dataset.state = 'empty';
    return;
  }
  detail.dataset.logId = log.id;
  $('#open-detail').href = url(`console/logs/${log.id}`);
  decision.show(true);
  document.body.dataset.state = 'loading';
  renderEvidence($('#evidence'), log, state.ref).then(() => {
    if (current() === log) document.body.dataset.state = 'ready';
  });
  const next = state.items[state.index + 1];
  if (next) outline(next.kelurahan_code).catch(() => {});
  $(`#queue li[data-id="${log.id}"]`)?.scrollIntoView({ block: 'nearest' });
}

function decided(updated, verdict) {
  const at = state.items.findIndex((l) => l.id === updated.id);
  if (at >= 0) state.items.splice(at, 1);
  state.total = Math.max(0, state.total - 1);
  state.selected.delete(updated.id);
  const where = `Kel. ${kelurahanName(state.ref, updated.kelurahan_code)}, ${day(updated.work_date)}`;
  notice(`${verdict === 'approved' ? 'Disetujui' : 'Ditolak'}: ${where}.`, verdict === 'approved' ? 'ok' : 'info');
  if (!state.items.length && state.total > 0) { load(); return; }
  show(at >= 0 ? at : state.index);
  $('#detail').focus({ preventScroll: true });
}

/* ---------- bulk approval ---------- */

function confirmDialog(title, text) {
  const dialog = $('#confirm');
  $('#confirm-title').textContent = title;
  $('#confirm-text').textContent = text;
  dialog.returnValue = '';
  dialog.showModal();
  $('#confirm-ok').focus();
  return new Promise((resolve) => dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true }));
}

async function approveMany(ids) {
  let approved = 0;
  let skipped = 0;
  for (let i = 0; i < ids.length; i += BULK_CHUNK) {
    const result = await api('api/v1/logs/approve', { method: 'POST', body: { ids: ids.slice(i, i + BULK_CHUNK) } });
    approved += result.approved;
    skipped += result.skipped;
  }
  state.selected.clear();
  notice(`${approved} laporan disetujui${skipped ? `, ${skipped} dilewati (sudah direview, ada tanda, atau di luar wilayah)` : ''}.`, 'ok');
  await load(current() && current().id);
}

async function cleanIdsMatching() {
  const ids = [];
  for (let page = 1; ; page += 1) {
    const found = await api('api/v1/logs', { query: { status: 'submitted', clean: 'true', order: 'oldest', page, page_size: BULK_CHUNK, ...filters() } });
    found.items.forEach((l) => ids.push(l.id));
    if (ids.length >= found.total || !found.items.length) return ids;
  }
}

async function bulkSelected() {
  const ids = [...state.selected];
  if (!ids.length) return;
  if (!(await confirmDialog(`Setujui ${ids.length} laporan?`, `${ids.length} laporan yang dipilih, tanpa tanda dan dengan foto lengkap, akan disetujui. Setiap laporan dicatat sendiri di jejak audit.`))) return;
  try { await approveMany(ids); } catch (err) { notice(explain(err), 'error'); }
}

async function bulkFilter() {
  try {
    const ids = await cleanIdsMatching();
    if (!ids.length) { notice('Tidak ada laporan tanpa tanda yang cocok dengan filter ini.', 'info'); return; }
    if (!(await confirmDialog(`Setujui ${ids.length} laporan?`, `Semua ${ids.length} laporan menunggu yang cocok dengan filter, tanpa tanda dan dengan foto sebelum dan sesudah, akan disetujui. Setiap laporan dicatat sendiri di jejak audit.`))) return;
    await approveMany(ids);
  } catch (err) {
    notice(explain(err), 'error');
  }
}

/* ---------- wiring ---------- */

function onKey(event) {
  if (typing(event) || $('#confirm').open || decision.busy) return;
  const log = current();
  const actions = {
    a: () => decision.approve(),
    r: () => decision.openReject(),
    j: () => show(state.index + 1),
    ArrowDown: () => show(state.index + 1),
    k: () => show(state.index - 1),
    ArrowUp: () => show(state.index - 1),
    x: () => log && isClean(log) && toggle(log.id, !state.selected.has(log.id)),
    o: () => log && location.assign(url(`console/logs/${log.id}`)),
  };
  const action = actions[event.key] || actions[event.key.toLowerCase()];
  if (!action || (!log && event.key !== 'j' && event.key !== 'k')) return;
  event.preventDefault();
  action();
}

async function init() {
  try {
    state.ref = await reference();
  } catch (err) {
    notice(explain(err), 'error');
    document.body.dataset.state = 'error';
    return;
  }
  initNav(state.ref);
  fillFilters(new URLSearchParams(location.search));
  $('#f-kecamatan').addEventListener('change', () => { fillKelurahan(''); load(); });
  $$('#filters select:not(#f-kecamatan), #filters input').forEach((input) => input.addEventListener('change', () => load()));
  $('#f-reset').addEventListener('click', () => {
    $$('#filters select:not([disabled]), #filters input').forEach((input) => { input.value = ''; });
    fillKelurahan('');
    load();
  });
  $('#bulk-selected').addEventListener('click', bulkSelected);
  $('#bulk-filter').addEventListener('click', bulkFilter);
  document.addEventListener('keydown', onKey);
  await load();
}

init();
