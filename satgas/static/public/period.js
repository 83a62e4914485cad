/* The period form: two WIB dates, the quick ranges, and the period a shared link names. */
import { $, addDays, isIsoDate, todayWib } from './format.js';

function rangeFor(kind) {
  const today = todayWib();
  if (kind === 'year') return [today.slice(0, 4) + '-01-01', today];
  return [addDays(today, -(Number(kind) - 1)), today]; // "7 hari" = today and the 6 days before
}

function setPeriod(range, quickKind) {
  $('#from').value = range[0];
  $('#to').value = range[1];
  document.querySelectorAll('[data-range]').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.range === quickKind)));
}

/** Returns {from, to} or null (and shows why) when the inputs are not a valid period. */
export function readPeriod() {
  const from = $('#from').value;
  const to = $('#to').value;
  let error = '';
  if (!isIsoDate(from) || !isIsoDate(to)) error = 'Isi tanggal awal dan akhir (fill in both dates).';
  else if (from > to) error = 'Tanggal awal harus sebelum tanggal akhir (from must be before to).';
  const box = $('#period-error');
  box.textContent = error;
  box.hidden = !error;
  return error ? null : { from, to };
}

/** Start from the link's ?from=&to= (else the last 30 days); onChange() when a period is chosen. */
export function initPeriod(onChange) {
  const params = new URLSearchParams(location.search);
  const from = params.get('from'), to = params.get('to');
  if (isIsoDate(from) && isIsoDate(to) && from <= to) setPeriod([from, to], null);
  else setPeriod(rangeFor('30'), '30');
  $('#to').max = $('#from').max = todayWib();

  $('#period-form').addEventListener('submit', (e) => { e.preventDefault(); onChange(); });
  document.querySelectorAll('[data-range]').forEach((b) => b.addEventListener('click', () => {
    setPeriod(rangeFor(b.dataset.range), b.dataset.range);
    onChange();
  }));
  // Typing a date un-presses the quick range it no longer matches.
  ['#from', '#to'].forEach((s) => $(s).addEventListener('input', () => setPeriod([$('#from').value, $('#to').value], null)));
}
