/* The queue: every log and photo still on the phone, with its state — di HP, terkirim (waiting
 * for the server's confirmation) or ditolak with the server's message. Nothing leaves this list
 * silently: a refused item stays until the crew member removes it. */
import { releaseThumbnails, thumbnail } from './photos.js';
import { allLogs, deleteLog, deletePhoto, photosOf, updatePhoto } from './store.js';
import { ACTIVITIES, STATES, el, when } from './text.js';

const $ = (selector) => document.querySelector(selector);
const progress = new Map(); // photo id → percent sent, while an upload runs

export function showProgress(photoId, percent) {
  if (percent === null) progress.delete(photoId);
  else progress.set(photoId, percent);
  const figure = document.querySelector(`#outbox figure[data-photo-id="${photoId}"] .progress`);
  if (figure) figure.textContent = percent === null ? '' : `mengirim ${percent}%`;
}

/** Draw the queue; `owner` is the signed-in user, `names` kelurahan code → name. Returns its size. */
export async function renderOutbox(owner, names, onChange) {
  const logs = await allLogs();
  releaseThumbnails('outbox');
  const items = [];
  for (const log of logs) items.push(logItem(log, await photosOf(log.id), owner, names, onChange));
  $('#outbox').replaceChildren(...items);
  $('#outbox-empty').hidden = logs.length > 0;
  $('#outbox-count').textContent = String(logs.length);
  return logs.length;
}

function logItem(log, photos, owner, names, onChange) {
  const p = log.payload;
  const where = p.geometry.type === 'LineString' ? `jalur ${p.geometry.coordinates.length} titik` : 'satu titik';
  const place = p.kelurahan_code ? names.get(p.kelurahan_code) || p.kelurahan_code : null;
  const remove = log.state === 'rejected' ? button('Hapus dari HP', async () => {
    if (!window.confirm('Hapus laporan ini (dan fotonya) dari HP? Laporan ini belum tersimpan di server.')) return;
    await deleteLog(log.id);
    onChange();
  }) : null;
  return el('li', { class: 'item', 'data-log-id': log.id, 'data-state': log.state },
    el('div', { class: 'item-head' },
      el('strong', { text: `${ACTIVITIES[p.activity] || p.activity} · ${when(p.started_at)}` }),
      el('span', { class: `badge state-${log.state}`, 'data-role': 'state', text: STATES[log.state] })),
    el('p', { class: 'item-meta', text: [place, where, `${photos.length} foto`].filter(Boolean).join(' · ') }),
    log.message ? el('p', { class: 'msg error', 'data-role': 'message', text: log.message }) : null,
    log.owner !== owner ? el('p', { class: 'note', text: `Milik ${log.owner}: masuk sebagai ${log.owner} untuk mengirim.` }) : null,
    el('div', { class: 'thumbs' }, ...photos.map((photo) => photoItem(photo, onChange))),
    remove);
}

function photoItem(photo, onChange) {
  const figure = thumbnail({ ...photo, progress: progress.has(photo.id) ? `mengirim ${progress.get(photo.id)}%` : ' ' },
    'outbox');
  if (photo.state === 'rejected') {
    figure.append(
      button('Coba lagi', async () => { await updatePhoto(photo.id, { state: 'local', message: null, uploadUrl: null }); onChange(true); }),
      button('Hapus', async () => {
        if (!window.confirm('Hapus foto ini dari HP? Server tidak menyimpannya.')) return;
        await deletePhoto(photo.id);
        onChange();
      }));
  }
  return figure;
}

function button(text, onClick) {
  const node = el('button', { type: 'button', class: 'btn btn-quiet btn-small', text });
  node.addEventListener('click', onClick);
  return node;
}
