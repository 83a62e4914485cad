/* Progress (/console/progress): the per-kelurahan table of a period (sortable, by kecamatan),
 * the daily chart, drain-network coverage where a network is loaded, and the exports. */
import { api, explain, url } from './api.js';
import { $, $$, addDays, clear, day, el, int, isIsoDate, metres, notice, num, todayWib } from './dom.js';
import { drawDaily } from './chart.js';
import { initNav } from './nav.js';
import { fillKecamatan, ownKecamatan, reference } from './reference.js';

const state = { rows: [], sort: { key: 'length_m', dir: 'desc' }, request: 0 };
const TEXT_KEYS = new Set(['name', 'kecamatan_name', 'last_work_date']);

function period() {
  const from = $('#p-from').value;
  const to = $('#p-to').value;
  const error = !isIsoDate(from) || !isIsoDate(to) ? 'Isi tanggal awal dan akhir.' : from > to ? 'Tanggal awal harus sebelum tanggal akhir.' : '';
  $('#period-error').textContent = error;
  $('#period-error').hidden = !error;
  return error ? null : { from, to, kecamatan_code: ownKecamatan() || $('#p-kecamatan').value };
}

function coverage(row) {
  if (row.coverage_pct === null || row.coverage_pct === undefined) return el('span', { title: 'Belum ada jaringan saluran tercatat di sini', text: '—' });
  return el('span', { title: `${metres(row.covered_m)} dari ${metres(row.network_m)} jaringan`, text: `${num(row.coverage_pct)}%` });
}

function renderTotals(t) {
  const stat = (term, value, extra) => el('div', { class: 'stat' }, [el('dt', { text: term }), el('dd', { text: value }), extra]);
  const list = clear($('#totals'));
  [
    stat('Panjang dibersihkan', metres(t.length_m), el('small', { class: 'muted', text: `disetujui ${metres(t.approved_length_m)}` })),
    stat('Cakupan jaringan', t.coverage_pct === null || t.coverage_pct === undefined ? '—' : `${num(t.coverage_pct)}%`,
      t.network_m ? el('small', { class: 'muted', text: `${metres(t.covered_m)} dari ${metres(t.network_m)}` }) : el('small', { class: 'muted', text: 'jaringan belum dimuat' })),
    stat('Laporan', int(t.logs), el('small', { class: 'muted', text: `${int(t.approved)} disetujui · ${int(t.pending)} menunggu · ${int(t.rejected)} ditolak` })),
    stat('Sedimen', `${num(t.sediment_m3)} m³`),
    stat('Sampah', `${int(t.waste_kg)} kg`),
    stat('Foto lengkap', `${int(t.complete)} dari ${int(t.logs - t.rejected)}`),
  ].forEach((node) => list.appendChild(node));
}

function compare(a, b) {
  const { key, dir } = state.sort;
  const sign = dir === 'asc' ? 1 : -1;
  const va = a[key] ?? (TEXT_KEYS.has(key) ? '' : -1);
  const vb = b[key] ?? (TEXT_KEYS.has(key) ? '' : -1);
  const c = TEXT_KEYS.has(key) ? String(va).localeCompare(String(vb), 'id') : va - vb;
  return sign * c || String(a.name).localeCompare(String(b.name), 'id');
}

function renderTable() {
  const body = clear($('#progress-table tbody'));
  [...state.rows].sort(compare).forEach((r) => body.appendChild(el('tr', { 'data-code': r.code }, [
    el('th', { scope: 'row', text: r.name }), el('td', { text: r.kecamatan_name }),
    el('td', { class: 'num', text: int(r.logs) }), el('td', { class: 'num', text: int(r.approved) }),
    el('td', { class: 'num', text: int(r.pending) }), el('td', { class: 'num', text: int(r.rejected) }),
    el('td', { class: 'num', 'data-field': 'length_m', text: num(r.length_m, 0) }),
    el('td', { class: 'num', 'data-field': 'coverage' }, [coverage(r)]),
    el('td', { class: 'num', text: num(r.sediment_m3) }), el('td', { class: 'num', text: int(r.waste_kg) }),
    el('td', { class: 'num', text: int(r.complete) }), el('td', { text: r.last_work_date ? day(r.last_work_date) : '—' }),
  ])));
  $$('#progress-table th[data-sort]').forEach((th) => th.setAttribute('aria-sort',
    th.dataset.sort === state.sort.key ? (state.sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'));
}

function setDownloads(p) {
  const name = `satgas-progress-${p.from}-${p.to}${p.kecamatan_code ? '-' + p.kecamatan_code : ''}`;
  $('#download-csv').href = url('api/v1/progress', { ...p, format: 'csv' });
  $('#download-csv').setAttribute('download', `${name}.csv`);
  $('#download-geojson').href = url('api/v1/progress', { ...p, format: 'geojson' });
  $('#download-geojson').setAttribute('download', `${name}.geojson`);
}

async function load() {
  const p = period();
  if (!p) return;
  const id = ++state.request;
  history.replaceState(null, '', url('console/progress', p));
  setDownloads(p);
  document.body.dataset.state = 'loading';
  try {
    const [report, daily] = await Promise.all([api('api/v1/progress', { query: p }), api('api/v1/progress/daily', { query: p })]);
    if (id !== state.request) return;
    state.rows = report.kelurahan;
    $('#period-label').textContent = `${day(p.from)} – ${day(p.to)}`;
    renderTotals(report.totals);
    renderTable();
    drawDaily($('#chart'), daily);
    notice('');
    document.body.dataset.state = 'ready';
  } catch (err) {
    if (id !== state.request) return;
    notice(explain(err), 'error');
    document.body.dataset.state = 'error';
  }
}

async function init() {
  const params = new URLSearchParams(location.search);
  const to = isIsoDate(params.get('to')) ? params.get('to') : todayWib();
  $('#p-to').value = to;
  $('#p-from').value = isIsoDate(params.get('from')) ? params.get('from') : addDays(to, -29);
  $('#p-to').max = $('#p-from').max = todayWib();
  try {
    const ref = await reference();
    initNav(ref);
    fillKecamatan($('#p-kecamatan'), ref, params.get('kecamatan_code'));
  } catch (err) {
    notice(explain(err), 'error');
  }
  $('#period').addEventListener('submit', (e) => { e.preventDefault(); load(); });
  $('#p-kecamatan').addEventListener('change', load);
  $$('#progress-table th[data-sort] button').forEach((button) => button.addEventListener('click', () => {
    const key = button.parentNode.dataset.sort;
    state.sort = { key, dir: state.sort.key === key && state.sort.dir === 'desc' ? 'asc' : 'desc' };
    renderTable();
  }));
  await load();
}

init();
