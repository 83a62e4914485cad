/* Recent approved work: before and after photos side by side, the SAMBAT complaint it answers,
 * and a link to its before/after card. Not bound to the chosen period. */
import { $, el, fmt1, fmtDate, num } from './format.js';

const ACTIVITY_LABELS = {
  drain_cleaning: 'Pembersihan saluran',
  culvert_cleaning: 'Pembersihan gorong-gorong',
  channel_normalisation: 'Normalisasi saluran',
  waste_removal: 'Pengangkutan sampah',
  other: 'Lainnya',
};

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

/** The list from GET public/v1/activities (null when that failed); byCode names kelurahan. */
export function renderActivities(data, byCode) {
  const ul = $('#activities');
  ul.textContent = '';
  const items = data && Array.isArray(data.items) ? data.items : null;
  if (!items) { ul.appendChild(el('li', { class: 'activities-empty is-error', text: 'Gagal memuat kegiatan terbaru — coba lagi.' })); return; }
  if (!items.length) { ul.appendChild(el('li', { class: 'activities-empty', text: 'Belum ada kegiatan yang disetujui.' })); return; }
  items.forEach((it) => ul.appendChild(renderActivity(it, byCode)));
}
