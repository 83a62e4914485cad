/* Crews today (/console/crews): GET /api/v1/completeness for a WIB date — who has sent
 * nothing, whose logs lack a photo (with links to them), whose phone has gone quiet. */
import { api, explain, url } from './api.js';
import { $, ago, clear, day, el, int, isIsoDate, notice, todayWib } from './dom.js';
import { initNav } from './nav.js';
import { fillKecamatan, ownKecamatan, reference } from './reference.js';

const QUIET_MS = 2 * 86400000; // a phone unseen this long is worth a call
let request = 0;

function statusCell(row, isToday) {
  const items = [];
  if (row.logs === 0) items.push(el('span', { class: 'badge badge-warn', text: isToday ? 'Belum mengirim laporan hari ini' : 'Tidak ada laporan' }));
  if (row.incomplete_log_ids.length) {
    items.push(el('span', { class: 'badge badge-warn', text: `${row.incomplete_log_ids.length} laporan belum lengkap fotonya:` }));
    row.incomplete_log_ids.forEach((id, i) => items.push(' ', el('a', { href: url(`console/logs/${id}`), text: `laporan ${i + 1}` })));
  }
  if (!items.length) items.push(el('span', { class: 'badge badge-ok', text: 'Lengkap' }));
  return el('td', { class: 'crew-status' }, items);
}

function seenCell(row) {
  const quiet = !row.last_seen_at || Date.now() - new Date(row.last_seen_at).getTime() > QUIET_MS;
  return el('td', { class: quiet ? 'is-quiet' : '', title: row.last_seen_at || '' },
    [quiet ? el('span', { class: 'badge badge-warn', text: row.last_seen_at ? `HP tidak terlihat ${ago(row.last_seen_at)}` : 'HP belum pernah terlihat' })
      : ago(row.last_seen_at)]);
}

function render(report) {
  const body = clear($('#crews-table tbody'));
  const isToday = report.date === todayWib();
  $('#day-label').textContent = day(report.date);
  report.crews.forEach((row) => body.appendChild(el('tr', { 'data-crew': row.crew_id, class: row.logs === 0 || row.incomplete_log_ids.length ? 'needs-attention' : '' }, [
    el('th', { scope: 'row', text: row.name }), el('td', { text: row.kecamatan_name || row.kecamatan_code }),
    el('td', { class: 'num', text: int(row.logs) }), el('td', { class: 'num', text: int(row.with_before) }),
    el('td', { class: 'num', text: int(row.with_after) }), el('td', { class: 'num', text: int(row.complete) }),
    statusCell(row, isToday), el('td', { title: row.last_log_at || '', text: ago(row.last_log_at) }), seenCell(row),
  ])));
  if (!report.crews.length) body.appendChild(el('tr', {}, [el('td', { colspan: '9', text: 'Belum ada kru di wilayah ini.' })]));
}

async function load() {
  const date = $('#c-date').value;
  if (!isIsoDate(date)) return;
  const query = { date, kecamatan_code: ownKecamatan() || $('#c-kecamatan').value };
  const id = ++request;
  history.replaceState(null, '', url('console/crews', query));
  document.body.dataset.state = 'loading';
  try {
    const report = await api('api/v1/completeness', { query });
    if (id !== request) return;
    render(report);
    notice('');
    document.body.dataset.state = 'ready';
  } catch (err) {
    if (id !== request) return;
    notice(explain(err), 'error');
    document.body.dataset.state = 'error';
  }
}

async function init() {
  const params = new URLSearchParams(location.search);
  $('#c-date').value = isIsoDate(params.get('date')) ? params.get('date') : todayWib();
  $('#c-date').max = todayWib();
  try {
    const ref = await reference();
    initNav(ref);
    fillKecamatan($('#c-kecamatan'), ref, params.get('kecamatan_code'));
  } catch (err) {
    notice(explain(err), 'error');
  }
  $('#day').addEventListener('submit', (e) => { e.preventDefault(); load(); });
  $('#c-kecamatan').addEventListener('change', load);
  $('#c-date').addEventListener('change', load);
  await load();
}

init();
