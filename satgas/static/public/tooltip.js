/* The map's tooltip: one kelurahan's figures on hover, keyboard focus, or tap (phones have no
 * hover, so a tap pins it until tapped again, tapped elsewhere, or Escape). */
import { $, el, fmt0, fmt1, fmtDate } from './format.js';

let active = null; // the <path> whose tooltip is shown
let pinned = false; // opened by click/tap/Enter: stays until dismissed

/** Show `record` (the kelurahan's merged figures) for `path` on hover, focus and tap. */
export function bindTooltip(path, record) {
  const show = (e) => showTooltip(path, record, e);
  path.addEventListener('mouseenter', (e) => { if (!pinned) show(e); });
  path.addEventListener('mousemove', (e) => { if (!pinned) show(e); });
  path.addEventListener('mouseleave', () => { if (!pinned) hideTooltip(); });
  path.addEventListener('focus', () => { if (!pinned || active !== path) { pinned = false; show(); } });
  path.addEventListener('blur', () => { if (!pinned) hideTooltip(); });
  // A second tap on the same area closes it.
  path.addEventListener('click', (e) => {
    e.stopPropagation();
    if (pinned && active === path) { hideTooltip(true); return; }
    pinned = true;
    show(e);
  });
  path.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); pinned = true; show(); } });
}

/** Dismiss a pinned tooltip by tapping elsewhere or pressing Escape. */
export function initTooltip() {
  document.addEventListener('click', (e) => { if (pinned && !$('#tooltip').contains(e.target)) hideTooltip(true); });
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape') hideTooltip(true); });
}

function fillTooltip(tip, r) {
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

function showTooltip(path, r, evt) {
  const tip = $('#tooltip');
  if (tip.dataset.code !== r.code) fillTooltip(tip, r);
  if (active && active !== path) active.classList.remove('is-active');
  active = path;
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

export function hideTooltip(unpin) {
  if (unpin) pinned = false;
  const tip = $('#tooltip');
  tip.hidden = true;
  delete tip.dataset.code;
  if (active) {
    active.classList.remove('is-active');
    active.removeAttribute('aria-describedby');
  }
  active = null;
  const highlight = $('#map .kel-highlight');
  if (highlight) highlight.setAttribute('d', '');
}
