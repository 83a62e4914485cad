/* The crew's own recent logs as the server holds them (GET /api/v1/logs): review status and the
 * supervisor's note. The last answer is kept on the phone, so it can be read with no signal. */
import { AuthRequired, call } from './api.js';
import { getMeta, setMeta } from './store.js';
import { ACTIVITIES, REVIEW, day, el, number, when } from './text.js';

const $ = (selector) => document.querySelector(selector);
const PAGE_SIZE = 30;

export async function showHistory(session, names) {
  let page = await getMeta('history');
  let note = page ? `Tanpa sinyal — data ${when(page.at)}.` : 'Riwayat belum bisa dimuat (tanpa sinyal).';
  try {
    const answer = await call('GET', `/api/v1/logs?page_size=${PAGE_SIZE}`, { token: session.token });
    page = { at: Date.now(), items: answer.items.map(brief) };
    await setMeta('history', page);
    note = `Diperbarui ${when(page.at)}.`;
  } catch (error) {
    if (error instanceof AuthRequired) throw error;
  }
  $('#history-status').textContent = note;
  $('#history').replaceChildren(...(page?.items || []).map((item) => historyItem(item, names)));
}

/** Only what the list shows (no geometry): the cache stays small. */
function brief(log) {
  return {
    id: log.id, work_date: log.work_date, activity: log.activity, kelurahan_code: log.kelurahan_code,
    length_m: log.geometry?.type === 'LineString' ? log.measured_length_m : log.length_m, status: log.status,
    review_note: log.review_note, photos: (log.photos || []).length, flags: log.flags || [],
  };
}

function historyItem(log, names) {
  const facts = [names.get(log.kelurahan_code) || log.kelurahan_code, `${log.photos} foto`];
  if (log.length_m) facts.splice(1, 0, `${number(log.length_m)} m`);
  return el('li', { class: 'item', 'data-log-id': log.id, 'data-review': log.status },
    el('div', { class: 'item-head' },
      el('strong', { text: `${ACTIVITIES[log.activity] || log.activity} · ${day(log.work_date)}` }),
      el('span', { class: `badge review-${log.status}`, text: REVIEW[log.status] || log.status })),
    el('p', { class: 'item-meta', text: facts.join(' · ') }),
    log.review_note ? el('p', { class: 'review-note', text: `Catatan pengawas: ${log.review_note}` }) : null);
}
