/* City totals and the per-kelurahan table: kecamatan filter and sortable columns. */
import { $, el, fmt0, fmt1, fmtDate, fmtPct, num } from './format.js';

// The rows shown (merged per-kelurahan records), how they are sorted and filtered.
const table = { rows: [], sort: { key: 'length_m', dir: 'desc' }, filter: '' };

/** The totals box; a figure the server does not total is summed from the rows. */
export function renderTotals(totals, rows) {
  document.querySelectorAll('#totals [data-total]').forEach((node) => {
    const key = node.dataset.total;
    const value = key in totals ? totals[key] : rows.reduce((s, r) => s + num(r[key]), 0);
    if (key === 'coverage_pct') node.textContent = fmtPct(totals[key]);
    else node.textContent = key === 'logs' || key === 'photos' ? fmt0(value) : fmt1(value);
  });
}

/** Show these rows under the current filter and sort. */
export function showTable(rows) {
  table.rows = rows;
  fillKecamatanFilter(rows);
  renderTable();
}

function fillKecamatanFilter(rows) {
  const select = $('#kecamatan-filter');
  if (select.options.length > 1) return; // the five kecamatan never change
  const seen = new Map();
  rows.forEach((r) => seen.set(r.kecamatan_code, r.kecamatan_name || r.kecamatan_code));
  Array.from(seen.keys()).sort().forEach((code) => select.appendChild(el('option', { value: code, text: seen.get(code) })));
}

function compareRows(a, b) {
  const key = table.sort.key;
  const sign = table.sort.dir === 'asc' ? 1 : -1;
  let c;
  if (key === 'name' || key === 'kecamatan_name') c = String(a[key] || '').localeCompare(String(b[key] || ''), 'id');
  else if (key === 'last_work_date') c = String(a[key] || '').localeCompare(String(b[key] || '')); // null sorts as oldest
  else c = num(a[key]) - num(b[key]);
  return sign * c || String(a.name).localeCompare(String(b.name), 'id');
}

function renderTable() {
  const tbody = $('#kel-table tbody');
  tbody.textContent = '';
  const rows = table.rows.filter((r) => !table.filter || r.kecamatan_code === table.filter).sort(compareRows);
  rows.forEach((r) => {
    const td = (field, text) => el('td', { class: 'num', 'data-field': field, text });
    tbody.appendChild(el('tr', { 'data-code': r.code, 'data-kecamatan': r.kecamatan_code }, [
      el('th', { scope: 'row', text: r.name }),
      el('td', { text: r.kecamatan_name }),
      td('length_m', fmt1(r.length_m)), td('coverage_pct', fmtPct(r.coverage_pct)), td('sediment_m3', fmt1(r.sediment_m3)),
      td('waste_kg', fmt1(r.waste_kg)), td('logs', fmt0(r.logs)),
      el('td', { 'data-field': 'last_work_date' }, [r.last_work_date ? el('time', { datetime: r.last_work_date, text: fmtDate(r.last_work_date) }) : document.createTextNode('–')]),
    ]));
  });
  if (!rows.length) tbody.appendChild(el('tr', { class: 'empty' }, [el('td', { colspan: '8', text: 'Tidak ada data kelurahan.' })]));
  document.querySelectorAll('#kel-table th[data-sort]').forEach((th) => {
    th.setAttribute('aria-sort', th.dataset.sort === table.sort.key ? (table.sort.dir === 'asc' ? 'ascending' : 'descending') : 'none');
  });
}

/** Wire the filter and the column buttons; onFilter(kecamatanCode or '') tells the map. */
export function initTable(onFilter) {
  $('#kecamatan-filter').addEventListener('change', (e) => {
    table.filter = e.target.value;
    renderTable();
    onFilter(table.filter);
  });
  document.querySelectorAll('#kel-table th[data-sort] button').forEach((btn) => btn.addEventListener('click', () => {
    const key = btn.parentNode.dataset.sort;
    table.sort = { key, dir: table.sort.key === key && table.sort.dir === 'asc' ? 'desc' : 'asc' };
    renderTable();
  }));
}
