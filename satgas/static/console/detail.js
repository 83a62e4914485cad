/* One log's page (/console/logs/<id>): its evidence, its decision (again, if need be: a
 * supervisor may change it) and its audit trail from GET /api/v1/logs/<id>/history. */
import { api, explain } from './api.js';
import { $, clear, dateTime, el, notice, typing } from './dom.js';
import { decisionWidget } from './decision.js';
import { renderEvidence } from './evidence.js';
import { FLAG_NAME, KIND, STATUS } from './labels.js';
import { initNav } from './nav.js';
import { kelurahanName, reference } from './reference.js';

const logId = $('#log-page').dataset.logId;
const state = { ref: null, log: null };
const decision = decisionWidget({ current: () => state.log, decided });

const ACTIONS = { created: 'Laporan diterima', photo_added: 'Foto ditambahkan', reviewed: 'Direview' };

function describe(event) {
  const d = event.details || {};
  const parts = [];
  if (event.action === 'created') {
    parts.push(`Kel. ${d.kelurahan_code ? kelurahanName(state.ref, d.kelurahan_code) : '—'}`);
    if ((d.flags || []).length) parts.push('tanda: ' + d.flags.map((f) => FLAG_NAME[f] || f).join(', '));
  } else if (event.action === 'photo_added') {
    parts.push(KIND[d.kind] || d.kind);
    if ((d.flags || []).length) parts.push('tanda: ' + d.flags.map((f) => FLAG_NAME[f] || f).join(', '));
  } else if (event.action === 'reviewed') {
    parts.push(`${STATUS[d.decision] || d.decision} (sebelumnya ${STATUS[d.previous_status] || d.previous_status})`);
    if (d.bulk) parts.push('disetujui sekaligus');
    if (d.note) parts.push(`catatan: “${d.note}”`);
  }
  return parts.join(' · ');
}

function renderHistory(events) {
  const list = clear($('#history'));
  events.forEach((event) => list.appendChild(el('li', { 'data-action': event.action }, [
    el('time', { datetime: event.at, text: dateTime(event.at) }),
    el('strong', { text: ` ${ACTIONS[event.action] || event.action}` }),
    ` oleh ${event.actor}`,
    el('p', { class: 'muted', text: describe(event) }),
  ])));
}

async function load() {
  document.body.dataset.state = 'loading';
  try {
    const [log, events] = await Promise.all([api(`api/v1/logs/${logId}`), api(`api/v1/logs/${logId}/history`)]);
    state.log = log;
    renderHistory(events);
    decision.show(true);
    await renderEvidence($('#evidence'), log, state.ref);
    document.body.dataset.state = 'ready';
  } catch (err) {
    notice(err.status === 404 ? 'Laporan ini tidak ada, atau di luar wilayah Anda.' : explain(err), 'error');
    document.body.dataset.state = 'error';
  }
}

function decided(updated, verdict) {
  notice(verdict === 'approved' ? 'Laporan disetujui.' : 'Laporan ditolak; catatan terkirim ke kru.', 'ok');
  load();
}

document.addEventListener('keydown', (event) => {
  if (typing(event) || !state.log || decision.busy) return;
  if (event.key === 'a') { event.preventDefault(); decision.approve(); }
  if (event.key === 'r') { event.preventDefault(); decision.openReject(); }
});

reference().then((ref) => { state.ref = ref; initNav(ref); return load(); })
  .catch((err) => { notice(explain(err), 'error'); document.body.dataset.state = 'error'; });
