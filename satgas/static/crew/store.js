/* Everything the app keeps on the phone, in IndexedDB (through `idb`): the session, the draft
 * being recorded, saved logs and their photos (the original bytes, EXIF intact), and cached
 * reference data. A log or photo leaves only when the server has confirmed it holds it. */
import { openDB } from '../vendor/idb/index.js';

const NAME = 'satgas-crew';
let opened = null;

function db() {
  opened ??= openDB(NAME, 1, {
    upgrade(database) {
      database.createObjectStore('meta'); // session, draft, kelurahan, kecamatan, history
      database.createObjectStore('logs', { keyPath: 'id' });
      database.createObjectStore('photos', { keyPath: 'id' }).createIndex('logId', 'logId');
    },
  });
  return opened;
}

export async function getMeta(key) {
  return (await db()).get('meta', key);
}

export async function setMeta(key, value) {
  return (await db()).put('meta', value, key);
}

export async function deleteMeta(key) {
  return (await db()).delete('meta', key);
}

export async function allLogs() {
  const logs = await (await db()).getAll('logs');
  return logs.sort((a, b) => a.savedAt - b.savedAt);
}

export async function photosOf(logId) {
  const photos = await (await db()).getAllFromIndex('photos', 'logId', logId);
  return photos.sort((a, b) => a.addedAt - b.addedAt);
}

export async function putPhoto(photo) {
  return (await db()).put('photos', photo);
}

/** Merge `changes` into a stored log or photo (nothing happens when it is gone). */
async function update(storeName, id, changes) {
  const tx = (await db()).transaction(storeName, 'readwrite');
  const current = await tx.store.get(id);
  if (current) await tx.store.put({ ...current, ...changes });
  await tx.done;
}

export const updateLog = (id, changes) => update('logs', id, changes);
export const updatePhoto = (id, changes) => update('photos', id, changes);

export async function deletePhoto(id) {
  return (await db()).delete('photos', id);
}

/** Remove a log and whatever photos of it are still on the phone. */
export async function deleteLog(id) {
  const tx = (await db()).transaction(['logs', 'photos'], 'readwrite');
  const keys = await tx.objectStore('photos').index('logId').getAllKeys(id);
  await Promise.all([tx.objectStore('logs').delete(id), ...keys.map((key) => tx.objectStore('photos').delete(key))]);
  await tx.done;
}

/** The finished draft becomes a saved log; its photos move with it, in one transaction. */
export async function saveLog(log) {
  const tx = (await db()).transaction(['logs', 'photos', 'meta'], 'readwrite');
  const photos = await tx.objectStore('photos').index('logId').getAll(log.id);
  await Promise.all([
    tx.objectStore('logs').put(log),
    ...photos.map((photo) => tx.objectStore('photos').put({ ...photo, state: 'local' })),
    tx.objectStore('meta').delete('draft'),
  ]);
  await tx.done;
}
