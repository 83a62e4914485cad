/* Words the console shows: activities, statuses, and every flag explained in plain Indonesian
 * with the figures that raised it (thresholds as the API contract sets them). */
import { clock, duration, metres, num } from './dom.js';

export const ACTIVITY = {
  drain_cleaning: 'Pembersihan saluran',
  culvert_cleaning: 'Pembersihan gorong-gorong',
  channel_normalisation: 'Normalisasi saluran',
  waste_removal: 'Pengangkutan sampah',
  other: 'Lainnya',
};
export const STATUS = { submitted: 'Menunggu review', approved: 'Disetujui', rejected: 'Ditolak' };
export const KIND = { before: 'foto sebelum', after: 'foto sesudah' };
// Short names for the flag filter and badges.
export const FLAG_NAME = {
  kelurahan_mismatch: 'Kelurahan tidak cocok',
  outside_boundary: 'Di luar batas kota',
  low_gps_accuracy: 'GPS kurang akurat',
  off_network: 'Di luar jaringan saluran',
  no_exif_time: 'Foto tanpa waktu',
  taken_outside_work_window: 'Foto di luar jam kerja',
  far_from_log: 'Foto jauh dari lokasi',
  reused_photo: 'Foto dipakai ulang',
};
// The flags the list filter offers (the API's `flag` values); off_network is explained above but
// offered only once the drain network feature accepts it as a filter value.
export const LOG_FLAGS = ['kelurahan_mismatch', 'outside_boundary', 'low_gps_accuracy'];
export const PHOTO_FLAGS = ['taken_outside_work_window', 'far_from_log', 'reused_photo', 'no_exif_time'];

function logFlag(flag, log, name) {
  switch (flag) {
    case 'kelurahan_mismatch':
      return `Kru menulis kelurahan ${name(log.claimed_kelurahan_code)}, tetapi titik GPS-nya ada di ${name(log.kelurahan_code)}.`;
    case 'outside_boundary':
      return `Lokasi sedikit di luar batas Kota Malang (paling jauh 200 m); laporan dimasukkan ke kelurahan terdekat, ${name(log.kelurahan_code)}.`;
    case 'low_gps_accuracy':
      return `Akurasi GPS rendah: ±${num(log.gps_accuracy_m, 0)} m (batas 50 m), jadi posisi di peta bisa meleset.`;
    case 'off_network':
      return 'Sebagian besar jalur tidak berada di jaringan saluran yang tercatat.';
    default:
      return `Tanda "${flag}" dari server.`;
  }
}

function photoFlag(flag, photo, log) {
  const what = KIND[photo.kind] || 'foto';
  const What = what[0].toUpperCase() + what.slice(1);
  switch (flag) {
    case 'taken_outside_work_window': {
      const taken = new Date(photo.taken_at).getTime();
      const start = new Date(log.started_at).getTime();
      const end = new Date(log.finished_at).getTime();
      if (taken > end) return `${What} diambil ${duration(taken - end)} setelah kerja selesai (selesai ${clock(log.finished_at)}, foto ${clock(photo.taken_at)}).`;
      return `${What} diambil ${duration(start - taken)} sebelum kerja dimulai (mulai ${clock(log.started_at)}, foto ${clock(photo.taken_at)}).`;
    }
    case 'far_from_log':
      return photo.distance_to_log_m === null || photo.distance_to_log_m === undefined
        ? `${What} diambil sangat jauh dari lokasi kerja.`
        : `${What} diambil ${metres(photo.distance_to_log_m)} dari lokasi kerja (batas 300 m).`;
    case 'reused_photo':
      return `${What} sama atau sangat mirip dengan foto di laporan lain — mungkin dipakai ulang.`;
    case 'no_exif_time':
      return `${What} tidak menyimpan waktu pengambilan (EXIF), jadi tidak bisa dicek kapan diambil.`;
    default:
      return `${What}: tanda "${flag}" dari server.`;
  }
}

/** Everything a supervisor should look at in this log: [{flag, text}], flags first, then gaps. */
export function concerns(log, kelurahanName) {
  const found = (log.flags || []).map((flag) => ({ flag, text: logFlag(flag, log, kelurahanName) }));
  (log.photos || []).forEach((photo) => (photo.flags || []).forEach((flag) => found.push({ flag, text: photoFlag(flag, photo, log) })));
  ['before', 'after'].forEach((kind) => {
    if (!(log.photos || []).some((p) => p.kind === kind)) found.push({ flag: `missing_${kind}`, text: `Belum ada ${KIND[kind]}.` });
  });
  return found;
}

/** A log bulk approval accepts: no flag on it or its photos, and both photos (the server decides too). */
export function isClean(log) {
  const photos = log.photos || [];
  return !(log.flags || []).length && photos.every((p) => !(p.flags || []).length)
    && photos.some((p) => p.kind === 'before') && photos.some((p) => p.kind === 'after');
}
