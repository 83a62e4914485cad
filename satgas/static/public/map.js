/* SATGAS public progress page (GET /): the entry module the template loads. It fetches the
 * chosen period's figures and hands them to the widgets: period.js (the form), mapview.js +
 * tooltip.js (the SVG map), table.js (totals and the table), activities.js (recent work).
 * Plain ES modules, no libraries, no build step and no external requests, so the page works
 * offline and under the strict CSP (no inline scripts or styles). */
import { $, fmtDate, num } from './format.js';
import { initPeriod, readPeriod } from './period.js';
import { drawMap, initMap, setMapFilter, setModeAvailable } from './mapview.js';
import { initTooltip } from './tooltip.js';
import { initTable, renderTotals, showTable } from './table.js';
import { renderActivities } from './activities.js';

// Relative (no leading slash) so the page also works when the app is mounted under a prefix;
// fetch() resolves it against the page's address, not this module's.
const API = 'public/v1/';
const MSG_EMPTY = 'Belum ada kegiatan yang disetujui pada periode ini.';
const MSG_ERROR = 'Gagal memuat data — coba lagi.';

let requestId = 0; // the latest load; older answers are dropped
let resolveReady;
// Browser tests wait on satgasPage.ready (the first completed load) and body[data-state].
window.satgasPage = { ready: new Promise((r) => { resolveReady = r; }), reload: () => load(true) };

async function getJson(url) {
  const res = await fetch(url, { headers: { Accept: 'application/json, application/geo+json' } });
  if (!res.ok) throw new Error(url + ' → HTTP ' + res.status);
  return res.json();
}

/** Fetch everything for the chosen period and re-render. Stale responses are dropped. */
async function load(keepUrl) {
  const period = readPeriod();
  if (!period) return;
  const id = ++requestId;
  const q = '?from=' + encodeURIComponent(period.from) + '&to=' + encodeURIComponent(period.to);
  if (!keepUrl) history.replaceState(null, '', q); // shareable link to the chosen period
  document.body.dataset.state = 'loading';
  $('#main').setAttribute('aria-busy', 'true');
  // Recent activities are not period-bound and are secondary: their failure alone
  // should not blank the map, so it is caught separately.
  const activities = getJson(API + 'activities?limit=12').catch((e) => (console.error(e), null));
  try {
    const [geo, progress] = await Promise.all([
      getJson(API + 'progress.geojson' + q),
      getJson(API + 'progress' + q),
    ]);
    const acts = await activities;
    if (id !== requestId) return; // a newer period was chosen meanwhile
    render(geo, progress, acts, period);
    finish('ready');
  } catch (err) {
    if (id !== requestId) return;
    console.error(err);
    showStatus(MSG_ERROR, true);
    finish('error');
  }
}

function finish(result) {
  document.body.dataset.state = result;
  $('#main').removeAttribute('aria-busy');
  resolveReady(result); // no-op after the first time
}

/** GeoJSON properties overlaid with the /progress rows: one record per kelurahan, by code. */
function mergeRows(geo, progress) {
  const byCode = new Map();
  ((geo && geo.features) || []).forEach((f) => byCode.set(f.properties.code, Object.assign({}, f.properties)));
  ((progress && progress.kelurahan) || []).forEach((r) => Object.assign(byCode.get(r.code) || {}, r));
  return byCode;
}

function render(geo, progress, acts, period) {
  const byCode = mergeRows(geo, progress);
  const rows = Array.from(byCode.values());
  const totals = (progress && progress.totals) || {};
  $('#period-label').textContent = 'Periode ' + fmtDate(period.from) + ' – ' + fmtDate(period.to);
  setModeAvailable(num(totals.network_m) > 0);
  $('#synthetic-note').hidden = !(progress && progress.network_synthetic);
  drawMap((geo && geo.features) || [], byCode);
  renderTotals(totals, rows);
  showTable(rows);
  renderActivities(acts, byCode);
  if (num(totals.logs) === 0 && rows.every((r) => num(r.logs) === 0)) showStatus(MSG_EMPTY, false);
  else showStatus('', false);
}

function showStatus(text, isError) {
  $('#status').hidden = !text;
  $('#status').classList.toggle('is-error', !!isError);
  $('#status-text').textContent = text;
  $('#retry').hidden = !isError;
}

function init() {
  initPeriod(() => load());
  $('#retry').addEventListener('click', () => load(true));
  initMap();
  initTooltip();
  initTable(setMapFilter);
  load(true);
}

// A module runs once the document is parsed, so the elements are there.
try { init(); } catch (err) { console.error(err); finish('error'); }
