/* Recording one work log: "Mulai kerja" starts the GPS, "Selesai" ends it; the measures, the
 * kelurahan, the SAMBAT ticket and before/after photos. The draft is saved on the phone at every
 * change (the browser may be closed in the middle of the work); "Simpan laporan" turns it into a
 * saved log with its own UUID, waiting to be sent. */
import { keepFiles, releaseThumbnails, thumbnail } from './photos.js';
import { deletePhoto, getMeta, photosOf, saveLog, setMeta } from './store.js';
import { ACTIVITIES, el, number, rfc3339, uuid, when } from './text.js';
import { addFix, geometryOf, isWeak, watch, WEAK_M } from './track.js';

const $ = (selector) => document.querySelector(selector);
const NUMBERS = ['length_m', 'sediment_m3', 'waste_kg', 'workers'];
const TEXTS = ['kelurahan_code', 'activity', 'complaint_ref', 'notes'];
const SHOWN_POINTS = 8;

const newDraft = () => ({ id: uuid(), mode: 'track', points: [], startedAt: null, finishedAt: null,
  tracking: false, fields: { activity: 'drain_cleaning' } });

/** `owner()`: the signed-in username, stored with each saved log. */
export function createRecorder({ owner, onSaved }) {
  const form = $('#log-form');
  let draft = null;
  let stopWatching = () => {};
  let gpsError = null;

  const persist = () => setMeta('draft', draft);

  function showTimes() {
    const parts = [];
    if (draft.startedAt) parts.push(`Mulai ${when(draft.startedAt)}`);
    if (draft.finishedAt) parts.push(`selesai ${when(draft.finishedAt)}`);
    $('#times').textContent = parts.join(', ');
    $('#start').hidden = Boolean(draft.startedAt);
    $('#finish').hidden = !draft.startedAt || Boolean(draft.finishedAt);
    form.querySelectorAll('input[name=mode]').forEach((r) => { r.disabled = Boolean(draft.startedAt); });
  }

  function showGps() {
    const points = draft.points;
    const last = points[points.length - 1];
    const weak = points.filter(isWeak).length;
    let status = gpsError || 'Tekan “Mulai kerja” saat mulai bekerja.';
    if (!gpsError && draft.tracking) status = last ? `Merekam: ${points.length} titik, akurasi ±${number(last.acc)} m`
      : 'Menunggu posisi GPS…';
    else if (!gpsError && points.length) status = `${points.length} titik tersimpan`;
    if (weak) status += ` · ${weak} titik lemah (akurasi > ${WEAK_M} m)`;
    $('#gps-status').textContent = status;
    $('#gps-status').dataset.points = String(points.length);
    $('#points').replaceChildren(...points.slice(-SHOWN_POINTS).map((p) => el('li', {
      class: isWeak(p) ? 'weak' : null, 'data-weak': isWeak(p) ? 'true' : 'false',
      text: `±${number(p.acc)} m${isWeak(p) ? ' (lemah)' : ''} · ${p.lat.toFixed(5)}, ${p.lon.toFixed(5)}`,
    })));
  }

  function startWatching() {
    stopWatching();
    stopWatching = watch((position) => {
      gpsError = null;
      if (addFix(draft.points, position)) persist();
      showGps();
    }, (message) => { gpsError = message; showGps(); });
  }

  async function start() {
    draft.mode = form.querySelector('input[name=mode]:checked').value;
    draft.startedAt = Date.now();
    draft.tracking = true;
    await persist();
    startWatching();
    showTimes();
    showGps();
  }

  async function finish() {
    stopWatching();
    draft.finishedAt = Date.now();
    draft.tracking = false;
    await persist();
    showTimes();
    showGps();
  }

  async function showPhotos() {
    const photos = await photosOf(draft.id);
    releaseThumbnails('draft');
    for (const kind of ['before', 'after']) {
      $(`#thumbs-${kind}`).replaceChildren(...photos.filter((p) => p.kind === kind)
        .map((p) => thumbnail(p, 'draft', { onRemove: removePhoto })));
    }
  }

  async function removePhoto(photo) {
    await deletePhoto(photo.id);
    await showPhotos();
  }

  async function addPhotos(event) {
    const input = event.target;
    await keepFiles([...input.files], draft.id, input.dataset.kind, 'draft');
    input.value = '';
    await showPhotos();
  }

  function readFields() {
    for (const name of [...NUMBERS, ...TEXTS]) draft.fields[name] = form.elements[name].value;
    persist();
  }

  function fillFields() {
    for (const name of [...NUMBERS, ...TEXTS]) form.elements[name].value = draft.fields[name] ?? '';
    form.querySelector(`input[name=mode][value=${draft.mode}]`).checked = true;
  }

  async function save(event) {
    event.preventDefault();
    const error = $('#form-error');
    const problem = checkDraft(draft);
    error.hidden = !problem;
    error.textContent = problem || '';
    if (problem) return;
    const photoCount = (await photosOf(draft.id)).length;
    await saveLog({ id: draft.id, owner: owner(), savedAt: Date.now(), state: 'local', accepted: false, message: null,
      payload: payloadOf(draft) });
    await begin(newDraft());
    $('#form-note').hidden = false;
    $('#form-note').textContent = `Laporan tersimpan di HP dengan ${photoCount} foto; terkirim saat ada sinyal.`;
    onSaved();
  }

  async function begin(next) {
    stopWatching();
    draft = next;
    await persist();
    fillFields();
    showTimes();
    showGps();
    await showPhotos();
    if (draft.tracking) startWatching(); // the page was reloaded in the middle of the work
  }

  $('#activity').replaceChildren(...Object.entries(ACTIVITIES).map(([value, label]) => el('option', { value, text: label })));
  $('#start').addEventListener('click', start);
  $('#finish').addEventListener('click', finish);
  form.addEventListener('input', (event) => { if (event.target.type !== 'file') readFields(); });
  form.querySelectorAll('input[type=file]').forEach((input) => input.addEventListener('change', addPhotos));
  form.addEventListener('submit', save);

  return {
    async restore() { await begin((await getMeta('draft')) || newDraft()); },
    setKelurahan(kecamatan, kelurahan) {
      const select = $('#kelurahan');
      const groups = kecamatan.map((kec) => el('optgroup', { label: `Kec. ${kec.name}` },
        ...kelurahan.filter((k) => k.kecamatan_code === kec.code).map((k) => el('option', { value: k.code, text: k.name }))));
      select.replaceChildren(el('option', { value: '', text: '— tidak tahu —' }), ...groups);
      select.value = draft?.fields.kelurahan_code || '';
    },
  };
}

function checkDraft(draft) {
  if (!draft.startedAt) return 'Tekan “Mulai kerja” dulu, lalu “Selesai” setelah pekerjaan selesai.';
  if (!draft.finishedAt) return 'Tekan “Selesai” setelah pekerjaan selesai.';
  if (!draft.points.length) return 'Belum ada posisi GPS: tunggu sampai GPS mendapat posisi.';
  const ticket = draft.fields.complaint_ref?.trim();
  if (ticket && !/^[A-Za-z0-9][A-Za-z0-9/._-]{0,39}$/.test(ticket)) {
    return 'Tiket SAMBAT hanya huruf, angka dan / . _ - (paling banyak 40).';
  }
  return null;
}

/** The log exactly as POST /api/v1/logs takes it; empty fields are left out. */
function payloadOf(draft) {
  const { geometry, accuracy } = geometryOf(draft.points, draft.mode);
  const f = draft.fields;
  const payload = {
    id: draft.id, activity: f.activity || 'drain_cleaning', started_at: rfc3339(draft.startedAt),
    finished_at: rfc3339(draft.finishedAt), geometry, gps_accuracy_m: accuracy,
  };
  for (const name of NUMBERS) {
    const value = String(f[name] ?? '').trim().replace(',', '.');
    if (value !== '') payload[name] = name === 'workers' ? Number.parseInt(value, 10) : Number(value);
  }
  for (const name of ['kelurahan_code', 'complaint_ref', 'notes']) {
    const value = String(f[name] ?? '').trim();
    if (value) payload[name] = value; // complaint_ref only when filled in
  }
  return payload;
}
