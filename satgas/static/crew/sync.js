/* Sending what is on the phone, the way Enketo and the tus examples do it: logs through
 * POST /api/v1/logs/batch, photos through tus (resumable: a photo cut off by the network goes
 * on where it stopped), then POST /api/v1/sync/status. A local copy is deleted ONLY when
 * sync/status says the server holds it — a photo with the very same sha256. A log or photo the
 * server refuses stays on the phone with the server's message. */
import { AuthRequired, call } from './api.js';
import { allLogs, deleteLog, deletePhoto, photosOf, updateLog, updatePhoto } from './store.js';
import { serverMessage } from './text.js';

const BATCH = 50; // logs per request: well under the API's 500 and its body limit
const STATUS_IDS = 500;
const CHUNK_BYTES = 512 * 1024; // per PATCH: what a bad connection loses at most when nginx buffers requests
const RETRY_DELAYS_MS = [0, 1000, 3000, 5000];

/** Send everything the signed-in crew member has on the phone. Throws AuthRequired on a 401. */
export async function sendAll(session, onProgress) {
  const mine = async () => (await allLogs()).filter((log) => log.owner === session.user.username);
  const waiting = (await mine()).filter((log) => !log.accepted && log.state !== 'rejected');
  await sendLogs(session.token, waiting);
  const summary = await confirm(session.token, (await mine()).filter((log) => log.accepted));
  for (const log of (await mine()).filter((l) => l.accepted)) {
    for (const photo of (await photosOf(log.id)).filter((p) => p.state !== 'rejected')) {
      if (!navigator.onLine) return summary;
      await sendPhoto(session.token, photo, onProgress);
    }
  }
  const after = await confirm(session.token, (await mine()).filter((log) => log.accepted));
  return { logs: summary.logs + after.logs, photos: summary.photos + after.photos };
}

async function sendLogs(token, logs) {
  for (let i = 0; i < logs.length; i += BATCH) {
    const chunk = logs.slice(i, i + BATCH);
    const { results } = await call('POST', '/api/v1/logs/batch', { token, json: { logs: chunk.map((l) => l.payload) } });
    for (const [index, result] of results.entries()) {
      const log = chunk[index];
      if (result.status === 'created' || result.status === 'unchanged') {
        await updateLog(log.id, { accepted: true, state: 'sent', message: null });
      } else {
        const fallback = result.status === 'conflict'
          ? 'Server sudah menyimpan laporan lain dengan ID ini.' : 'Laporan ditolak server.';
        await updateLog(log.id, { state: 'rejected', message: serverMessage(result, fallback) });
      }
    }
  }
}

/** Ask the server what it holds; delete exactly what it confirms. Returns what was deleted. */
async function confirm(token, logs) {
  const deleted = { logs: 0, photos: 0 };
  for (let i = 0; i < logs.length; i += STATUS_IDS) {
    const chunk = logs.slice(i, i + STATUS_IDS);
    const answer = await call('POST', '/api/v1/sync/status', { token, json: { ids: chunk.map((l) => l.id) } });
    for (const [index, entry] of answer.logs.entries()) {
      const log = chunk[index];
      if (!entry.stored) { // not (or no longer) there: send it again
        await updateLog(log.id, { accepted: false, state: 'local' });
        continue;
      }
      const held = new Map(entry.photos.map((p) => [p.id, p.sha256]));
      let left = 0;
      for (const photo of await photosOf(log.id)) {
        const sha256 = held.get(photo.id);
        if (sha256 === photo.sha256) {
          await deletePhoto(photo.id);
          deleted.photos += 1;
          continue;
        }
        left += 1;
        if (sha256) {
          await updatePhoto(photo.id, { state: 'rejected',
            message: 'Server sudah menyimpan foto lain dengan ID ini; foto ini tidak terkirim.' });
        }
      }
      if (left === 0) {
        await deleteLog(log.id);
        deleted.logs += 1;
      }
    }
  }
  return deleted;
}

async function sendPhoto(token, photo, onProgress) {
  try {
    await upload(token, photo, (percent) => onProgress(photo.id, percent));
    await updatePhoto(photo.id, { state: 'sent', message: null });
  } catch (error) {
    const status = error.originalResponse?.getStatus() || 0;
    if (status === 401) throw new AuthRequired('Sesi berakhir');
    if (status >= 400 && status < 500) {
      const body = parse(error.originalResponse.getBody());
      await updatePhoto(photo.id, { state: 'rejected', message: serverMessage(body, `Foto ditolak server (${status}).`) });
    } else {
      await updatePhoto(photo.id, { message: 'Belum terkirim; dicoba lagi nanti.' });
    }
  } finally {
    onProgress(photo.id, null);
  }
}

function parse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** One photo through tus; resumes from the upload URL kept with the photo when there is one. */
function upload(token, photo, onPercent) {
  return new Promise((resolve, reject) => {
    const transfer = new window.tus.Upload(photo.blob, {
      endpoint: new URL('/api/v1/uploads', window.location.origin).href,
      uploadUrl: photo.uploadUrl || null,
      chunkSize: CHUNK_BYTES,
      retryDelays: RETRY_DELAYS_MS,
      metadata: { log_id: photo.logId, photo_id: photo.id, kind: photo.kind },
      headers: { Authorization: `Bearer ${token}` },
      storeFingerprintForResuming: false, // the upload URL is kept with the photo instead
      onUploadUrlAvailable: () => updatePhoto(photo.id, { uploadUrl: transfer.url }),
      onProgress: (sent, total) => onPercent(Math.floor((sent * 100) / total)),
      onSuccess: () => resolve(),
      onError: reject,
    });
    transfer.start();
  });
}
