/* SATGAS public progress page (GET /).
 * Plain ES2017, no libraries, no build step and no external requests: the map is an inline
 * SVG drawn from the GeoJSON the server sends, so the page works offline and under a strict
 * CSP (no inline scripts/styles; all DOM is built with createElement, never HTML strings). */
(function () {
  'use strict';

  const SVG_NS = 'http://www.w3.org/2000/svg';
  const DAY_MS = 86400000;
  const WIB_OFFSET_MS = 7 * 3600000; // Kota Malang is on WIB (UTC+7) all year, no DST.
  // Relative (no leading slash) so the page also works when the app is mounted under a prefix.
  const API = 'public/v1/';
  const MAP_WIDTH = 800;
  const MAP_PAD = 8;
  const ACTIVITY_LABELS = {
    drain_cleaning: 'Pembersihan saluran',
    culvert_cleaning: 'Pembersihan gorong-gorong',
    channel_normalisation: 'Normalisasi saluran',
    waste_removal: 'Pengangkutan sampah',
    other: 'Lainnya',
  };
  const MSG_EMPTY = 'Belum ada kegiatan yang disetujui pada periode ini.';
  const MSG_ERROR = 'Gagal memuat data — coba lagi.';
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

  const nf1 = new Intl.NumberFormat('id-ID', { maximumFractionDigits: 1 });
  const nf0 = new Intl.NumberFormat('id-ID', { maximumFractionDigits: 0 });
  const df = new Intl.DateTimeFormat('id-ID', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

  const state = {
    rows: [], // merged per-kelurahan records (GeoJSON properties overlaid with /progress rows)
    sort: { key: 'length_m', dir: 'desc' },
    mode: 'length', // see MODES
    features: [], // the last GeoJSON features drawn, so the mode can be switched without a reload
    byCode: new Map(),
    filter: '',
    requestId: 0,
    active: null, // <path> whose tooltip is shown
    pinned: false, // tooltip opened by click/tap stays until dismissed
  };

  const $ = (sel) => document.querySelector(sel);
  const num = (v) => (typeof v === 'number' && isFinite(v) ? v : Number(v) || 0);
  const fmt1 = (v) => nf1.format(num(v));
  const fmt0 = (v) => nf0.format(num(v));
  const isIsoDate = (s) => /^\d{4}-\d{2}-\d{2}$/.test(s || '') && !isNaN(Date.parse(s + 'T00:00:00Z'));
  const fmtPct = (v) => (v === null || v === undefined || v === '' ? '–' : fmt1(v));
  const fmtDate = (iso) => (isIsoDate(iso) ? df.format(new Date(iso + 'T00:00:00Z')) : '–');
  const todayWib = () => new Date(Date.now() + WIB_OFFSET_MS).toISOString().slice(0, 10);
  const addDays = (iso, n) => new Date(Date.parse(iso + 'T00:00:00Z') + n * DAY_MS).toISOString().slice(0, 10);

  /** Create an element (SVG when ns given); attrs: text -> textContent, class -> className. */
  function el(tag, attrs, children, ns) {
    const node = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
    Object.keys(attrs || {}).forEach((k) => {
      if (k === 'text') node.textContent = attrs[k];
      else if (attrs[k] !== undefined && attrs[k] !== null) node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach((c) => c && node.appendChild(c));
    return node;
  }

  /* ---------- period ---------- */

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
  function readPeriod() {
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

  /* ---------- data ---------- */

  async function getJson(url) {
    const res = await fetch(url, { headers: { Accept: 'application/json, application/geo+json' } });
    if (!res.ok) throw new Error(url + ' → HTTP ' + res.status);
    return res.json();
  }

  /** Fetch everything for the chosen period and re-render. Stale responses are dropped. */
  async function load(keepUrl) {
    const period = readPeriod();
    if (!period) return;
    const id = ++state.requestId;
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
      if (id !== state.requestId) return; // a newer period was chosen meanwhile
      render(geo, progress, acts, period);
      finish('ready');
    } catch (err) {
      if (id !== state.requestId) return;
      console.error(err);
      showStatus(MSG_ERROR, true);
      finish('error');
    }
  }

  /** End of a load: browser tests wait on satgasPage.ready (first completed load) and body[data-state]. */
  function finish(result) {
    document.body.dataset.state = result;
    $('#main').removeAttribute('aria-busy');
    resolveReady(result); // no-op after the first time
  }

  function render(geo, progress, acts, period) {
    const features = (geo && geo.features) || [];
    const byCode = new Map();
    features.forEach((f) => byCode.set(f.properties.code, Object.assign({}, f.properties)));
    ((progress && progress.kelurahan) || []).forEach((r) => Object.assign(byCode.get(r.code) || {}, r));
    state.rows = Array.from(byCode.values());
    const totals = (progress && progress.totals) || {};
    $('#period-label').textContent = 'Periode ' + fmtDate(period.from) + ' – ' + fmtDate(period.to);
    fillKecamatanFilter(state.rows);
    state.features = features;
    state.byCode = byCode;
    setModeAvailable(num(totals.network_m) > 0);
    $('#synthetic-note').hidden = !(progress && progress.network_synthetic);
    drawMap(features, byCode);
    renderTotals(totals);
    renderTable();
    renderActivities(acts, byCode);
    if (num(totals.logs) === 0 && state.rows.every((r) => num(r.logs) === 0)) showStatus(MSG_EMPTY, false);
    else showStatus('', false);
  }

  function showStatus(text, isError) {
    $('#status').hidden = !text;
    $('#status').classList.toggle('is-error', !!isError);
    $('#status-text').textContent = text;
    $('#retry').hidden = !isError;
  }

  /* ---------- map ---------- */

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

  function fillFor(length, max) {
    if (!(length > 0) || !(max > 0)) return ZERO_FILL;
    return rampColor(RAMP_START + (1 - RAMP_START) * (length / max));
  }

  /** One <path> per kelurahan (all rings of all polygons as subpaths; evenodd cuts holes),
   *  plus a highlight overlay and kecamatan labels at area-weighted centroids. */
  function drawMap(features, byCode) {
    const svg = $('#map');
    hideTooltip(true);
    svg.textContent = '';
    if (!features.length) return;
    const proj = makeProjection(features);
    svg.setAttribute('viewBox', '0 0 ' + proj.width + ' ' + proj.height);
    const field = MODES[state.mode].field;
    const max = state.mode === 'coverage' ? 100 : Math.max(0, ...state.rows.map((r) => num(r.length_m)));
    const kec = new Map(); // kecamatan code -> {name, a, cx, cy} for label placement
    features.forEach((f) => {
      const r = byCode.get(f.properties.code);
      let d = '';
      polygonsOf(f.geometry).forEach((poly) => poly.forEach((ring, ri) => {
        const pts = ring.map(proj.project);
        d += 'M' + pts.map((p) => p[0].toFixed(1) + ',' + p[1].toFixed(1)).join('L') + 'Z';
        if (ri === 0) addCentroid(kec, r, pts);
      }));
      const path = el('path', {
        class: 'kel', d, tabindex: '0', role: 'button',
        'data-code': r.code, 'data-kecamatan': r.kecamatan_code, 'data-length': String(num(r.length_m)),
        'data-coverage': r.coverage_pct === null || r.coverage_pct === undefined ? '' : String(r.coverage_pct),
        'aria-label': r.name + ', Kecamatan ' + r.kecamatan_name + ': ' + fmt1(r.length_m) + ' m dibersihkan, ' +
          fmtPct(r.coverage_pct) + ' % jaringan tercakup, ' + fmt0(r.logs) + ' kegiatan',
      }, null, SVG_NS);
      path.style.fill = fillFor(num(r[field]), max);
      bindPath(path);
      svg.appendChild(path);
    });
    svg.appendChild(el('path', { class: 'kel-highlight', d: '', 'aria-hidden': 'true' }, null, SVG_NS));
    const labels = el('g', { class: 'kec-labels', 'aria-hidden': 'true' }, null, SVG_NS);
    kec.forEach((c) => labels.appendChild(el('text', { x: (c.cx / c.a).toFixed(1), y: (c.cy / c.a).toFixed(1), text: c.name }, null, SVG_NS)));
    svg.appendChild(labels);
    renderLegend(max);
    applyFilterToMap();
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
    const mode = MODES[state.mode];
    const title = $('#legend-title');
    title.textContent = mode.title + ' ';
    title.appendChild(el('span', { class: 'en', text: mode.en }));
    $('#legend-bar').style.background = 'linear-gradient(to right, ' + [0, 0.5, 1].map((t) => rampColor(RAMP_START + (1 - RAMP_START) * t)).join(', ') + ')';
    $('#legend-mid').textContent = max > 0 ? fmt0(max / 2) : '';
    $('#legend-max').textContent = max > 0 ? fmt0(max) + (state.mode === 'coverage' ? ' %' : ' m') : '—';
  }

  /** The coverage colouring needs a drain network; without one the map shows metres cleaned. */
  function setModeAvailable(hasNetwork) {
    $('#mode-note').hidden = hasNetwork;
    const button = document.querySelector('[data-mode="coverage"]');
    button.disabled = !hasNetwork;
    if (!hasNetwork && state.mode === 'coverage') setMode('length', false);
  }

  function setMode(mode, redraw) {
    state.mode = mode;
    document.querySelectorAll('[data-mode]').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.mode === mode)));
    document.body.dataset.mapMode = mode;
    if (redraw) drawMap(state.features, state.byCode);
  }

  /* ---------- tooltip ---------- */

  function bindPath(path) {
    path.addEventListener('mouseenter', (e) => { if (!state.pinned) showTooltip(path, e); });
    path.addEventListener('mousemove', (e) => { if (!state.pinned) showTooltip(path, e); });
    path.addEventListener('mouseleave', () => { if (!state.pinned) hideTooltip(); });
    path.addEventListener('focus', () => { if (!state.pinned || state.active !== path) { state.pinned = false; showTooltip(path); } });
    path.addEventListener('blur', () => { if (!state.pinned) hideTooltip(); });
    // Tap/click pins the tooltip (phones have no hover); a second tap on the same area closes it.
    path.addEventListener('click', (e) => {
      e.stopPropagation();
      if (state.pinned && state.active === path) { hideTooltip(true); return; }
      state.pinned = true;
      showTooltip(path, e);
    });
    path.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); state.pinned = true; showTooltip(path); } });
  }

  function showTooltip(path, evt) {
    const r = state.rows.find((x) => x.code === path.dataset.code);
    if (!r) return;
    const tip = $('#tooltip');
    if (tip.dataset.code !== r.code) {
      const fig = (label, field, value) => [el('dt', { text: label }), el('dd', { 'data-field': field, text: value })];
      tip.textContent = '';
      tip.appendChild(el('p', { class: 'tt-name', text: r.name }));
      tip.appendChild(el('p', { class: 'tt-kec', text: 'Kecamatan ' + r.kecamatan_name }));
      tip.appendChild(el('dl', {}, [].concat(
        fig('Panjang', 'length_m', fmt1(r.length_m) + ' m'),
        fig('Cakupan jaringan', 'coverage_pct', r.coverage_pct === null || r.coverage_pct === undefined ? '–'
          : fmt1(r.coverage_pct) + ' % (' + fmt0(r.covered_m) + ' dari ' + fmt0(r.network_m) + ' m)'),
        fig('Sedimen', 'sediment_m3', fmt1(r.sediment_m3) + ' m³'),
        fig('Sampah', 'waste_kg', fmt1(r.waste_kg) + ' kg'),
        fig('Kegiatan', 'logs', fmt0(r.logs)),
        fig('Foto', 'photos', fmt0(r.photos)),
        fig('Terakhir dikerjakan', 'last_work_date', fmtDate(r.last_work_date)))));
      tip.dataset.code = r.code;
    }
    if (state.active && state.active !== path) state.active.classList.remove('is-active');
    state.active = path;
    path.classList.add('is-active');
    path.setAttribute('aria-describedby', 'tooltip');
    $('#map .kel-highlight').setAttribute('d', path.getAttribute('d'));
    tip.hidden = false;
    positionTooltip(tip, path, evt);
  }

  /** Place the tooltip near the pointer (or the area's centre for keyboard/synthetic events),
   *  flipped/clamped so it stays inside the map box on small screens. */
  function positionTooltip(tip, path, evt) {
    const box = $('#map-wrap').getBoundingClientRect();
    let x, y;
    if (evt && (evt.clientX || evt.clientY)) { x = evt.clientX; y = evt.clientY; }
    else { const b = path.getBoundingClientRect(); x = b.left + b.width / 2; y = b.top + b.height / 2; }
    x -= box.left; y -= box.top;
    const w = tip.offsetWidth, h = tip.offsetHeight, gap = 14;
    let left = x + gap + w > box.width ? x - gap - w : x + gap;
    let top = y + gap + h > box.height ? y - gap - h : y + gap;
    left = Math.max(4, Math.min(left, box.width - w - 4));
    top = Math.max(4, top);
    tip.style.left = left + 'px';
    tip.style.top = top + 'px';
  }

  function hideTooltip(unpin) {
    if (unpin) state.pinned = false;
    $('#tooltip').hidden = true;
    delete $('#tooltip').dataset.code;
    if (state.active) {
      state.active.classList.remove('is-active');
      state.active.removeAttribute('aria-describedby');
    }
    state.active = null;
    if ($('#map .kel-highlight')) $('#map .kel-highlight').setAttribute('d', '');
  }

  /* ---------- totals, table, activities ---------- */

  function renderTotals(totals) {
    document.querySelectorAll('#totals [data-total]').forEach((node) => {
      const key = node.dataset.total;
      const value = key in totals ? totals[key] : state.rows.reduce((s, r) => s + num(r[key]), 0);
      if (key === 'coverage_pct') node.textContent = fmtPct(totals[key]);
      else node.textContent = key === 'logs' || key === 'photos' ? fmt0(value) : fmt1(value);
    });
  }

  function fillKecamatanFilter(rows) {
    const select = $('#kecamatan-filter');
    if (select.options.length > 1) return; // the five kecamatan never change
    const seen = new Map();
    rows.forEach((r) => seen.set(r.kecamatan_code, r.kecamatan_name || r.kecamatan_code));
    Array.from(seen.keys()).sort().forEach((code) => select.appendChild(el('option', { value: code, text: seen.get(code) })));
  }

  function compareRows(a, b) {
    const key = state.sort.key;
    const sign = state.sort.dir === 'asc' ? 1 : -1;
    let c;
    if (key === 'name' || key === 'kecamatan_name') c = String(a[key] || '').localeCompare(String(b[key] || ''), 'id');
    else if (key === 'last_work_date') c = String(a[key] || '').localeCompare(String(b[key] || '')); // null sorts as oldest
    else c = num(a[key]) - num(b[key]);
    return sign * c || String(a.name).localeCompare(String(b.name), 'id');
  }

  function renderTable() {
    const tbody = $('#kel-table tbody');
    tbody.textContent = '';
    const rows = state.rows.filter((r) => !state.filter || r.kecamatan_code === state.filter).sort(compareRows);
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
      th.setAttribute('aria-sort', th.dataset.sort === state.sort.key ? (state.sort.dir === 'asc' ? 'ascending' : 'descending') : 'none');
    });
  }

  function applyFilterToMap() {
    document.querySelectorAll('#map .kel').forEach((p) => p.classList.toggle('is-dimmed', !!state.filter && p.dataset.kecamatan !== state.filter));
  }

  /** The newest photo of a kind (photos come oldest first), or null. */
  function photoOf(photos, kind) {
    const list = (photos || []).filter((p) => p && p.thumbnail_url && p.kind === kind);
    return list.length ? list[list.length - 1] : null;
  }

  /** Before and after side by side when the work has both; else the one photo there is. */
  function activityPhotos(it, label, name) {
    const before = photoOf(it.photos, 'before');
    const after = photoOf(it.photos, 'after');
    const shown = before && after ? [before, after] : [after || before].filter(Boolean);
    if (!shown.length) return null;
    return el('div', { class: 'activity-photos' + (shown.length === 2 ? ' is-pair' : '') }, shown.map((p) => {
      const when = p.kind === 'after' ? 'sesudah' : 'sebelum';
      return el('figure', { 'data-kind': p.kind }, [
        el('img', { src: p.thumbnail_url, loading: 'lazy', width: '120', height: '90', decoding: 'async',
          alt: 'Foto ' + when + ' ' + label.toLowerCase() + ' di ' + name }),
        el('figcaption', { text: when === 'sesudah' ? 'Sesudah' : 'Sebelum' }),
      ]);
    }));
  }

  function renderActivity(it, byCode) {
    const kel = byCode.get(it.kelurahan_code);
    const name = it.kelurahan_name || (kel && kel.name) || it.kelurahan_code || '–';
    const label = ACTIVITY_LABELS[it.activity] || ACTIVITY_LABELS.other;
    const photos = activityPhotos(it, label, name);
    const meta = [el('time', { datetime: it.work_date, text: fmtDate(it.work_date) }), document.createTextNode(' · ' + name)];
    if (num(it.length_m) > 0) meta.push(document.createTextNode(' · '), el('span', { class: 'nowrap', text: fmt1(it.length_m) + ' m' }));
    const body = [el('p', { class: 'activity-label', text: label }), el('p', { class: 'activity-meta' }, meta)];
    if (it.complaint_ref) body.push(el('p', { class: 'activity-complaint', text: 'Menanggapi aduan SAMBAT #' + it.complaint_ref }));
    if (it.card_url) {
      body.push(el('p', { class: 'activity-card' }, [el('a', { href: it.card_url, text: 'Kartu sebelum/sesudah' }),
        el('span', { class: 'en', text: ' (before/after card, JPEG)' })]));
    }
    return el('li', { class: 'activity' + (photos ? '' : ' no-photo'), 'data-kelurahan': it.kelurahan_code, 'data-activity': it.activity }, [
      photos, el('div', { class: 'activity-body' }, body),
    ]);
  }

  function renderActivities(data, byCode) {
    const ul = $('#activities');
    ul.textContent = '';
    const items = data && Array.isArray(data.items) ? data.items : null;
    if (!items) { ul.appendChild(el('li', { class: 'activities-empty is-error', text: 'Gagal memuat kegiatan terbaru — coba lagi.' })); return; }
    if (!items.length) { ul.appendChild(el('li', { class: 'activities-empty', text: 'Belum ada kegiatan yang disetujui.' })); return; }
    items.forEach((it) => ul.appendChild(renderActivity(it, byCode)));
  }

  /* ---------- wiring ---------- */

  function init() {
    const params = new URLSearchParams(location.search);
    const from = params.get('from'), to = params.get('to');
    if (isIsoDate(from) && isIsoDate(to) && from <= to) setPeriod([from, to], null);
    else setPeriod(rangeFor('30'), '30');
    $('#to').max = $('#from').max = todayWib();

    $('#period-form').addEventListener('submit', (e) => { e.preventDefault(); load(); });
    document.querySelectorAll('[data-range]').forEach((b) => b.addEventListener('click', () => {
      setPeriod(rangeFor(b.dataset.range), b.dataset.range);
      load();
    }));
    ['#from', '#to'].forEach((s) => $(s).addEventListener('input', () => setPeriod([$('#from').value, $('#to').value], null)));
    $('#retry').addEventListener('click', () => load(true));
    document.querySelectorAll('[data-mode]').forEach((b) => b.addEventListener('click', () => setMode(b.dataset.mode, true)));
    $('#kecamatan-filter').addEventListener('change', (e) => { state.filter = e.target.value; renderTable(); applyFilterToMap(); });
    document.querySelectorAll('#kel-table th[data-sort] button').forEach((btn) => btn.addEventListener('click', () => {
      const key = btn.parentNode.dataset.sort;
      state.sort = { key, dir: state.sort.key === key && state.sort.dir === 'asc' ? 'desc' : 'asc' };
      renderTable();
    }));
    // Dismiss a pinned tooltip by tapping elsewhere or pressing Escape.
    document.addEventListener('click', (e) => { if (state.pinned && !$('#tooltip').contains(e.target)) hideTooltip(true); });
    document.addEventListener('keydown', (e) => { if (e.key === 'Escape') hideTooltip(true); });
    load(true);
  }

  let resolveReady;
  window.satgasPage = { ready: new Promise((r) => { resolveReady = r; }), reload: () => load(true) };
  const start = () => { try { init(); } catch (err) { console.error(err); finish('error'); } };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
