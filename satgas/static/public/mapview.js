/* The map: an inline SVG drawn from the server's GeoJSON (no tiles, nothing from outside), one
 * <path> per kelurahan coloured by metres cleaned or by % of the drain network covered, its
 * legend, and the kecamatan filter's dimming. */
import { $, SVG_NS, el, fmt0, fmt1, fmtPct, num } from './format.js';
import { bindTooltip, hideTooltip } from './tooltip.js';

const MAP_WIDTH = 800;
const MAP_PAD = 8;
// Zero gets a neutral grey (lighter than any ramp colour). The ramp goes light teal ->
// strong blue with EVERY RGB channel decreasing, so a longer length always yields a
// strictly darker computed fill (browser tests compare fills), and the lightest non-zero
// colour starts a little way in so it never looks like "no work".
const ZERO_FILL = 'rgb(236, 236, 236)';
const RAMP = [[214, 239, 242], [74, 163, 189], [8, 58, 104]];
const RAMP_START = 0.1;
// What colours the map: metres cleaned, or the share of the drain network covered (0–100 %).
const MODES = {
  length: { field: 'length_m', title: 'Panjang saluran dibersihkan', en: '(length cleaned, m)' },
  coverage: { field: 'coverage_pct', title: 'Jaringan saluran tercakup', en: '(drain network covered, %)' },
};

// The last data drawn, so the mode or the filter can change without a reload.
const view = { features: [], byCode: new Map(), mode: 'length', filter: '' };

const polygonsOf = (g) => (!g ? [] : g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : []);

/** Equirectangular projection, x scaled by cos(mean latitude) so shapes are not stretched
 *  (good enough for a 12 km city), fitted to a fixed-width viewBox. */
function makeProjection(features) {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  features.forEach((f) => polygonsOf(f.geometry).forEach((poly) => poly.forEach((ring) => ring.forEach((p) => {
    x0 = Math.min(x0, p[0]); x1 = Math.max(x1, p[0]); y0 = Math.min(y0, p[1]); y1 = Math.max(y1, p[1]);
  }))));
  const k = Math.cos(((y0 + y1) / 2) * Math.PI / 180);
  const scale = (MAP_WIDTH - 2 * MAP_PAD) / Math.max((x1 - x0) * k, 1e-9);
  return {
    width: MAP_WIDTH,
    height: Math.ceil((y1 - y0) * scale + 2 * MAP_PAD),
    project: (p) => [MAP_PAD + (p[0] - x0) * k * scale, MAP_PAD + (y1 - p[1]) * scale],
  };
}

function rampColor(t) {
  const seg = Math.max(0, Math.min(1, t)) * (RAMP.length - 1);
  const i = Math.min(Math.floor(seg), RAMP.length - 2);
  const f = seg - i;
  return 'rgb(' + RAMP[i].map((v, j) => Math.round(v + (RAMP[i + 1][j] - v) * f)).join(', ') + ')';
}

function fillFor(value, max) {
  if (!(value > 0) || !(max > 0)) return ZERO_FILL;
  return rampColor(RAMP_START + (1 - RAMP_START) * (value / max));
}

/** Draw `features` (GeoJSON), each coloured from its merged record in `byCode`. One <path> per
 *  kelurahan (all rings of all polygons as subpaths; evenodd cuts holes), plus a highlight
 *  overlay and kecamatan labels at area-weighted centroids. */
export function drawMap(features, byCode) {
  Object.assign(view, { features, byCode });
  const svg = $('#map');
  hideTooltip(true);
  svg.textContent = '';
  if (!features.length) return;
  const proj = makeProjection(features);
  svg.setAttribute('viewBox', '0 0 ' + proj.width + ' ' + proj.height);
  const field = MODES[view.mode].field;
  const max = view.mode === 'coverage' ? 100 : Math.max(0, ...Array.from(byCode.values(), (r) => num(r.length_m)));
  const kec = new Map(); // kecamatan code -> {name, a, cx, cy} for label placement
  features.forEach((f) => {
    const r = byCode.get(f.properties.code);
    let d = '';
    polygonsOf(f.geometry).forEach((poly) => poly.forEach((ring, ri) => {
      const pts = ring.map(proj.project);
      d += 'M' + pts.map((p) => p[0].toFixed(1) + ',' + p[1].toFixed(1)).join('L') + 'Z';
      if (ri === 0) addCentroid(kec, r, pts);
    }));
    const path = kelurahanPath(r, d);
    path.style.fill = fillFor(num(r[field]), max);
    bindTooltip(path, r);
    svg.appendChild(path);
  });
  svg.appendChild(el('path', { class: 'kel-highlight', d: '', 'aria-hidden': 'true' }, null, SVG_NS));
  const labels = el('g', { class: 'kec-labels', 'aria-hidden': 'true' }, null, SVG_NS);
  kec.forEach((c) => labels.appendChild(el('text', { x: (c.cx / c.a).toFixed(1), y: (c.cy / c.a).toFixed(1), text: c.name }, null, SVG_NS)));
  svg.appendChild(labels);
  renderLegend(max);
  dimOutsideFilter();
}

function kelurahanPath(r, d) {
  return el('path', {
    class: 'kel', d, tabindex: '0', role: 'button',
    'data-code': r.code, 'data-kecamatan': r.kecamatan_code, 'data-length': String(num(r.length_m)),
    'data-coverage': r.coverage_pct === null || r.coverage_pct === undefined ? '' : String(r.coverage_pct),
    'aria-label': r.name + ', Kecamatan ' + r.kecamatan_name + ': ' + fmt1(r.length_m) + ' m dibersihkan, ' +
      fmtPct(r.coverage_pct) + ' % jaringan tercakup, ' + fmt0(r.logs) + ' kegiatan',
  }, null, SVG_NS);
}

/** Accumulate the shoelace centroid of an outer ring into its kecamatan's running sums. */
function addCentroid(kec, r, pts) {
  let a = 0, cx = 0, cy = 0;
  for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
    const c = pts[j][0] * pts[i][1] - pts[i][0] * pts[j][1];
    a += c; cx += (pts[j][0] + pts[i][0]) * c; cy += (pts[j][1] + pts[i][1]) * c;
  }
  const e = kec.get(r.kecamatan_code) || { name: r.kecamatan_name, a: 0, cx: 0, cy: 0 };
  e.a += a * 3; e.cx += cx; e.cy += cy; // centroid = sum(cx) / (3 * sum(a))
  kec.set(r.kecamatan_code, e);
}

function renderLegend(max) {
  const mode = MODES[view.mode];
  const title = $('#legend-title');
  title.textContent = mode.title + ' ';
  title.appendChild(el('span', { class: 'en', text: mode.en }));
  $('#legend-bar').style.background = 'linear-gradient(to right, ' + [0, 0.5, 1].map((t) => rampColor(RAMP_START + (1 - RAMP_START) * t)).join(', ') + ')';
  $('#legend-mid').textContent = max > 0 ? fmt0(max / 2) : '';
  $('#legend-max').textContent = max > 0 ? fmt0(max) + (view.mode === 'coverage' ? ' %' : ' m') : '—';
}

/** The coverage colouring needs a drain network; without one the map shows metres cleaned.
 *  Call before drawMap (it does not redraw). */
export function setModeAvailable(hasNetwork) {
  $('#mode-note').hidden = hasNetwork;
  $('[data-mode="coverage"]').disabled = !hasNetwork;
  if (!hasNetwork && view.mode === 'coverage') setMode('length', false);
}

function setMode(mode, redraw) {
  view.mode = mode;
  document.querySelectorAll('[data-mode]').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.mode === mode)));
  document.body.dataset.mapMode = mode;
  if (redraw) drawMap(view.features, view.byCode);
}

/** Dim the kelurahan outside one kecamatan ('' = none dimmed); kept across redraws. */
export function setMapFilter(kecamatanCode) {
  view.filter = kecamatanCode;
  dimOutsideFilter();
}

function dimOutsideFilter() {
  document.querySelectorAll('#map .kel').forEach((p) => p.classList.toggle('is-dimmed', !!view.filter && p.dataset.kecamatan !== view.filter));
}

/** Wire the colour-mode buttons (metres cleaned / % covered). */
export function initMap() {
  document.querySelectorAll('[data-mode]').forEach((b) => b.addEventListener('click', () => setMode(b.dataset.mode, true)));
}
