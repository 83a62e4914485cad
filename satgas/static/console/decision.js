/* Approve or reject the log on screen through POST /api/v1/logs/<id>/review — the same
 * endpoint and rules as any other client. Rejecting needs a note for the crew. */
import { api, explain } from './api.js';
import { $, notice } from './dom.js';

export function decisionWidget({ current, decided }) {
  const box = $('#decision');
  const form = $('#reject-form');
  const note = $('#reject-note');
  const error = $('#reject-error');
  let busy = false;

  const showError = (text) => { error.textContent = text || ''; error.hidden = !text; };

  async function send(decision, text) {
    const log = current();
    if (!log || busy) return;
    busy = true;
    box.setAttribute('aria-busy', 'true');
    try {
      const body = decision === 'rejected' ? { decision, note: text } : { decision };
      const updated = await api(`api/v1/logs/${log.id}/review`, { method: 'POST', body });
      closeReject();
      decided(updated, decision);
    } catch (err) {
      if (decision === 'rejected') showError(explain(err));
      else notice(explain(err), 'error');
    } finally {
      busy = false;
      box.removeAttribute('aria-busy');
    }
  }

  function openReject() {
    if (!current()) return;
    form.hidden = false;
    showError('');
    note.focus();
  }

  function closeReject() {
    form.hidden = true;
    note.value = '';
    showError('');
  }

  function submitReject() {
    const text = note.value.trim();
    if (!text) { showError('Tulis alasan penolakan: kru perlu tahu apa yang harus diperbaiki.'); note.focus(); return; }
    send('rejected', text);
  }

  $('#approve').addEventListener('click', () => send('approved'));
  $('#reject').addEventListener('click', openReject);
  $('#reject-cancel').addEventListener('click', closeReject);
  form.addEventListener('submit', (e) => { e.preventDefault(); submitReject(); });
  note.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); submitReject(); }
    if (e.key === 'Escape') { e.preventDefault(); closeReject(); }
  });

  return {
    approve: () => send('approved'),
    openReject,
    closeReject,
    show(visible) { box.hidden = !visible; if (!visible) closeReject(); },
    get busy() { return busy; },
  };
}
