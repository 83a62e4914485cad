/* The header every console page shares: the supervisor's area by name, and signing out
 * (DELETE /console/api/session revokes the session's token). */
import { api, url } from './api.js';
import { $ } from './dom.js';

export function initNav(ref) {
  const scope = $('.who-scope');
  const own = document.body.dataset.kecamatan;
  if (scope && own && ref && ref.kecamatan.get(own)) scope.textContent = `Pengawas Kec. ${ref.kecamatan.get(own).name}`;
  const button = $('#sign-out');
  if (button && !button.dataset.wired) {
    button.dataset.wired = '1';
    button.addEventListener('click', async () => {
      button.disabled = true;
      try { await api('console/api/session', { method: 'DELETE' }); } catch (err) { /* ended already: fine */ }
      location.assign(url('console/login'));
    });
  }
}

if (document.body.dataset.page === 'supervisors-only') initNav(null);
