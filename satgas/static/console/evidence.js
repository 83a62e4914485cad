/* The evidence of one log on one screen: before/after photos side by side, the log on its
 * kelurahan outline, every flag explained, and the facts the crew sent. */
import { url } from './api.js';
import { clock, clear, dateTime, day, el, int, metres, num, svg } from './dom.js';
import { ACTIVITY, KIND, STATUS, concerns } from './labels.js';
import { drawLogMap } from './logmap.js';
import { crewName, kecamatanName, kelurahanName, outline } from './reference.js';

function photoFigure(log, kind) {
  const photo = (log.photos || []).find((p) => p.kind === kind);
  const title = kind === 'before' ? 'Sebelum' : 'Sesudah';
  if (!photo) {
    return el('figure', { class: 'photo is-missing', 'data-kind': kind }, [
      el('div', { class: 'photo-missing', text: `Belum ada ${KIND[kind]}` }),
      el('figcaption', {}, [el('strong', { text: title })]),
    ]);
  }
  const facts = [photo.taken_at ? `diambil ${clock(photo.taken_at)}` : 'tanpa waktu EXIF'];
  if (photo.distance_to_log_m !== null && photo.distance_to_log_m !== undefined) facts.push(`${metres(photo.distance_to_log_m)} dari lokasi`);
  const flagged = (photo.flags || []).length > 0;
  return el('figure', { class: 'photo' + (flagged ? ' is-flagged' : ''), 'data-kind': kind, 'data-photo-id': photo.id }, [
    el('a', { href: url(`api/v1/photos/${photo.id}`), target: '_blank', rel: 'noopener', title: 'Buka foto asli (full image)' }, [
      el('img', { src: url(`api/v1/photos/${photo.id}/thumbnail`), alt: `Foto ${title.toLowerCase()} kerja di Kel. ${log.kelurahan_code}`, width: '480', height: '360', decoding: 'async' }),
    ]),
    el('figcaption', {}, [el('strong', { text: title }), ' · ' + facts.join(' · ')]),
  ]);
}

function fact(term, value) {
  return value === null || value === undefined || value === '' ? null : el('div', {}, [el('dt', { text: term }), el('dd', { text: String(value) })]);
}

function facts(log, ref) {
  const reported = log.length_m === null || log.length_m === undefined ? '—' : metres(log.length_m);
  return el('dl', { class: 'facts' }, [
    fact('Kegiatan', ACTIVITY[log.activity] || log.activity),
    fact('Kru', `${crewName(ref, log.crew_id)} (dikirim oleh ${log.submitted_by})`),
    fact('Waktu kerja', `${day(log.work_date)}, ${clock(log.started_at)} – ${clock(log.finished_at)}`),
    fact('Panjang dilaporkan', reported),
    fact('Panjang jejak GPS', log.geometry.type === 'LineString' ? metres(log.measured_length_m) : 'titik (point)'),
    // Present once a drain network is loaded (the coverage feature).
    fact('Jaringan tercakup', log.covered_m === undefined || log.covered_m === null ? null : metres(log.covered_m)),
    fact('Sedimen', log.sediment_m3 === null ? null : `${num(log.sediment_m3)} m³`),
    fact('Sampah', log.waste_kg === null ? null : `${int(log.waste_kg)} kg`),
    fact('Pekerja', log.workers),
    fact('Akurasi GPS', log.gps_accuracy_m === null ? null : `±${num(log.gps_accuracy_m, 0)} m`),
    fact('Catatan kru', log.notes),
    fact('Diterima server', dateTime(log.created_at)),
    fact('Status', STATUS[log.status] || log.status),
    log.reviewed_by ? fact('Direview', `${log.reviewed_by}, ${dateTime(log.reviewed_at)}`) : null,
    fact('Catatan review', log.review_note),
  ]);
}

export function renderEvidence(container, log, ref) {
  clear(container);
  const name = (code) => kelurahanName(ref, code);
  const found = concerns(log, name);
  const mapNode = svg('svg', { class: 'logmap', role: 'img', 'aria-label': 'Peta lokasi kerja' });
  container.appendChild(el('header', { class: 'evidence-head' }, [
    el('h2', { id: 'detail-title', text: `${ACTIVITY[log.activity] || log.activity} — Kel. ${name(log.kelurahan_code)}` }),
    el('p', { class: 'muted' }, [
      `Kec. ${kecamatanName(ref, log.kecamatan_code)} · ${crewName(ref, log.crew_id)} · ${day(log.work_date)}, ${clock(log.started_at)}–${clock(log.finished_at)} `,
      el('span', { class: `status status-${log.status}`, text: STATUS[log.status] || log.status }),
    ]),
  ]));
  container.appendChild(found.length
    ? el('ul', { class: 'concerns', 'aria-label': 'Perlu diperhatikan (flags)' }, found.map((c) => el('li', { class: 'concern', 'data-flag': c.flag, text: c.text })))
    : el('p', { class: 'all-clear', text: 'Tidak ada tanda: foto sebelum dan sesudah lengkap, lokasi dan waktu sesuai.' }));
  container.appendChild(el('div', { class: 'photos' }, [photoFigure(log, 'before'), photoFigure(log, 'after')]));
  container.appendChild(el('div', { class: 'evidence-body' }, [
    el('figure', { class: 'map' }, [mapNode, el('figcaption', { class: 'muted', text: 'Garis biru: jejak kerja (hijau awal, merah akhir) · kotak: posisi GPS foto · batas kelurahan' })]),
    facts(log, ref),
  ]));
  return outline(log.kelurahan_code)
    .then((shape) => drawLogMap(mapNode, shape, log, `Lokasi kerja di Kel. ${name(log.kelurahan_code)}`))
    .catch(() => mapNode.appendChild(svg('text', { x: 10, y: 20, text: 'Peta tidak bisa dimuat.' })));
}
