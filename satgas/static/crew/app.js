/* SATGAS crew app (GET /crew/): wiring. Sign in once; record work with GPS and photos, kept on
 * the phone first; send with "Kirim" or by itself when the network comes back; see the server's
 * review of recent logs. The service worker keeps the app itself for offline use. */
import { ApiError, AuthRequired, call, signIn } from './api.js';
import { createRecorder } from './form.js';
import { showHistory } from './history.js';
import { renderOutbox, showProgress } from './outbox.js';
import { allLogs, deleteMeta, getMeta, setMeta } from './store.js';
import { sendAll } from './sync.js';

const $ = (selector) => document.querySelector(selector);
const RETRY_EVERY_MS = 60000;
const AREAS_MAX_AGE_MS = 7 * 86400000;
const app = { session: null, recorder: null, names: new Map(), sending: null, again: false, queued: 0 };

function registerWorker() {
  if (!('serviceWorker' in navigator)) return Promise.resolve(null);
  const { sw, scope } = document.body.dataset;
  return navigator.serviceWorker.register(sw, { scope }).catch((error) => {
    console.warn('service worker not registered: the app will not open offline', error);
    return null;
  });
}

const me = () => app.session?.user.username;

function showNet() {
  const net = $('#net');
  net.dataset.online = String(navigator.onLine);
  net.textContent = navigator.onLine ? 'Online' : 'Offline — tersimpan di HP';
}

function status(text) {
  $('#sync-status').textContent = text;
}

function showLogin(expired) {
  $('#login').hidden = false;
  $('#login-note').hidden = !expired;
  $('#work').hidden = expired ? $('#work').hidden : true;
  $('#logout').hidden = true;
  $('#username').value = expired ? me() || '' : $('#username').value;
  (expired ? $('#password') : $('#username')).focus();
}

async function sessionEnded() {
  app.session = { ...app.session, expired: true };
  await setMeta('session', app.session);
  showLogin(true);
}

async function refreshOutbox() {
  app.queued = await renderOutbox(me(), app.names, async (retry) => {
    await refreshOutbox();
    if (retry) send();
  });
}

function summary(done) {
  if (done.logs || done.photos) return `Tersimpan di server: ${done.logs} laporan, ${done.photos} foto (salinan di HP dihapus).`;
  return app.queued ? 'Belum semua terkirim; lihat status tiap laporan.' : 'Semua sudah terkirim.';
}

/** Send what is queued (one run at a time; a request during a run starts one more after it). */
function send() {
  if (app.sending) {
    app.again = true;
    return app.sending;
  }
  if (!app.session || app.session.expired) return Promise.resolve();
  if (!navigator.onLine) {
    status('Tanpa sinyal: laporan tetap di HP dan terkirim saat ada sinyal.');
    return Promise.resolve();
  }
  document.body.dataset.sync = 'busy';
  status('Mengirim…');
  app.sending = (async () => {
    try {
      const done = await sendAll(app.session, (photoId, percent) => showProgress(photoId, percent));
      await refreshOutbox();
      status(summary(done));
    } catch (error) {
      if (error instanceof AuthRequired) {
        await sessionEnded();
        status('Sesi berakhir: masuk lagi untuk mengirim. Laporan tetap di HP.');
      } else {
        status(navigator.onLine ? `Gagal mengirim (${error.message}); dicoba lagi nanti.` : 'Tanpa sinyal: laporan tetap di HP.');
      }
      await refreshOutbox();
    } finally {
      app.sending = null;
      document.body.dataset.sync = 'idle';
    }
    if (app.again) {
      app.again = false;
      await send();
    }
  })();
  return app.sending;
}

async function loadAreas() {
  let areas = await getMeta('areas');
  if (navigator.onLine && (!areas || Date.now() - areas.at > AREAS_MAX_AGE_MS)) {
    try {
      const token = app.session.token;
      const [kecamatan, kelurahan] = await Promise.all([call('GET', '/api/v1/kecamatan', { token }),
        call('GET', '/api/v1/kelurahan', { token })]);
      areas = { at: Date.now(), kecamatan, kelurahan };
      await setMeta('areas', areas);
    } catch (error) {
      if (error instanceof AuthRequired) await sessionEnded();
    }
  }
  if (!areas) return;
  app.names = new Map(areas.kelurahan.map((k) => [k.code, k.name]));
  app.recorder.setKelurahan(areas.kecamatan, areas.kelurahan);
}

async function refreshHistory() {
  try {
    await showHistory(app.session, app.names);
  } catch (error) {
    if (error instanceof AuthRequired) await sessionEnded();
  }
}

async function enter() {
  $('#login').hidden = true;
  $('#work').hidden = false;
  $('#logout').hidden = false;
  $('#who').textContent = me();
  if (!app.recorder) {
    app.recorder = createRecorder({ owner: me, onSaved: async () => { await refreshOutbox(); send(); } });
    await app.recorder.restore();
  }
  await loadAreas();
  await refreshOutbox();
  if (navigator.onLine) {
    send();
    refreshHistory();
  } else {
    status('Tanpa sinyal: laporan tetap di HP dan terkirim saat ada sinyal.');
  }
}

async function submitLogin(event) {
  event.preventDefault();
  const error = $('#login-error');
  error.hidden = true;
  try {
    const answer = await signIn($('#username').value.trim(), $('#password').value);
    if (answer.user.role !== 'crew') throw new Error(`Akun ini bukan akun kru (${answer.user.role}); pakai konsol pengawas.`);
    app.session = { token: answer.access_token, expiresAt: answer.expires_at, user: answer.user };
    await setMeta('session', app.session);
    $('#password').value = '';
    navigator.storage?.persist?.(); // ask the browser not to evict queued photos when space runs low
    await enter();
  } catch (failure) {
    error.hidden = false;
    if (failure instanceof ApiError) {
      error.textContent = failure.status === 401 ? 'Nama pengguna atau kata sandi salah.' : failure.message;
    } else {
      error.textContent = failure instanceof TypeError ? 'Tidak ada sinyal: masuk pertama kali perlu internet.' : failure.message;
    }
  }
}

async function logout() {
  const waiting = (await allLogs()).filter((log) => log.owner === me()).length;
  const question = `Masih ada ${waiting} laporan di HP yang belum terkirim. Tetap keluar? (Laporan tetap tersimpan di HP.)`;
  if (waiting && !window.confirm(question)) return;
  call('DELETE', '/api/v1/auth/token', { token: app.session.token }).catch(() => {});
  await deleteMeta('session');
  app.session = null;
  showLogin(false);
}

function showTab(name) {
  document.querySelectorAll('[role=tab]').forEach((tab) => tab.setAttribute('aria-selected', String(tab.dataset.tab === name)));
  document.querySelectorAll('[role=tabpanel]').forEach((panel) => { panel.hidden = panel.id !== `panel-${name}`; });
  if (name === 'history') refreshHistory();
}

async function boot() {
  const worker = registerWorker();
  showNet();
  $('#login-form').addEventListener('submit', submitLogin);
  $('#logout').addEventListener('click', logout);
  $('#send').addEventListener('click', () => send());
  $('#history-refresh').addEventListener('click', refreshHistory);
  document.querySelectorAll('[role=tab]').forEach((tab) => tab.addEventListener('click', () => showTab(tab.dataset.tab)));
  window.addEventListener('offline', showNet);
  window.addEventListener('online', () => {
    showNet();
    send();
    if (app.session && !app.session.expired) refreshHistory();
  });
  setInterval(() => { if (navigator.onLine && app.queued) send(); }, RETRY_EVERY_MS);
  app.session = await getMeta('session');
  if (!app.session) showLogin(false);
  else {
    await enter();
    if (app.session.expired) showLogin(true);
  }
  document.body.dataset.state = 'ready';
  return { worker: await worker };
}

// For people and tests alike: `ready` once the app is drawn, `send()` starts a run, `idle()` waits for it.
window.satgasCrew = { ready: boot(), send, idle: () => app.sending || Promise.resolve() };
