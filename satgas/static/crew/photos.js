/* Photos from the camera: kept as the original bytes (EXIF intact — the server reads time and
 * place from it), with the sha256 computed on the phone so that the server's sha256 can confirm
 * the very same bytes arrived before the local copy is deleted. */
import { putPhoto } from './store.js';
import { KINDS, STATES, el, uuid } from './text.js';

export async function sha256(blob) {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Keep each chosen file as a photo of the log, in the state given; returns the stored records. */
export async function keepFiles(files, logId, kind, state) {
  const kept = [];
  for (const file of files) {
    const photo = {
      id: uuid(), logId, kind, state, blob: file, type: file.type, size: file.size,
      sha256: await sha256(file), addedAt: Date.now(), uploadUrl: null, message: null,
    };
    await putPhoto(photo);
    kept.push(photo);
  }
  return kept;
}

// Object URLs of the thumbnails on screen, released when a list is drawn again.
const shown = new Map();

/** A thumbnail of the photo's bytes, with its kind and state. */
export function thumbnail(photo, group, { onRemove } = {}) {
  const url = URL.createObjectURL(photo.blob);
  if (!shown.has(group)) shown.set(group, []);
  shown.get(group).push(url);
  const state = photo.state === 'draft' ? null
    : el('span', { class: `badge state-${photo.state}`, 'data-role': 'state', text: STATES[photo.state] });
  const remove = onRemove
    ? el('button', { type: 'button', class: 'btn btn-quiet btn-small', text: 'Hapus' })
    : null;
  remove?.addEventListener('click', () => onRemove(photo));
  return el('figure', { class: 'thumb', 'data-photo-id': photo.id, 'data-state': photo.state },
    el('img', { src: url, alt: `Foto ${KINDS[photo.kind].toLowerCase()}`, loading: 'lazy' }),
    el('figcaption', {}, el('span', { text: KINDS[photo.kind] }), state,
      photo.progress ? el('span', { class: 'progress', text: photo.progress }) : null,
      photo.message ? el('span', { class: 'msg', text: photo.message }) : null, remove));
}

/** Forget the previous thumbnails of a list (call before drawing it again). */
export function releaseThumbnails(group) {
  for (const url of shown.get(group) || []) URL.revokeObjectURL(url);
  shown.set(group, []);
}
