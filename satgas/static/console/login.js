/* Sign-in: POST /console/api/session; the answer sets the HttpOnly session cookie (the page
 * never sees a token). A crew account is told this console is for supervisors. */
import { ApiError, api } from './api.js';
import { $ } from './dom.js';

const form = $('#sign-in');
const error = $('#sign-in-error');

function show(text) {
  error.textContent = text || '';
  error.hidden = !text;
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const username = $('#username').value.trim();
  const password = $('#password').value;
  if (!username || !password) { show('Isi nama pengguna dan kata sandi.'); return; }
  $('#sign-in-button').disabled = true;
  show('');
  try {
    await api('console/api/session', { method: 'POST', body: { username, password } });
    location.assign(form.dataset.next);
  } catch (err) {
    if (err instanceof ApiError && err.status === 403 && err.body.errors && err.body.errors.role) {
      $('#crew-only-name').textContent = username;
      $('#sign-in-card').hidden = true;
      $('#crew-only').hidden = false;
    } else if (err instanceof ApiError && err.status === 401) {
      show('Nama pengguna atau kata sandi salah (wrong username or password).');
    } else if (err instanceof ApiError && err.status === 429) {
      show('Terlalu banyak percobaan dari alamat ini; tunggu satu menit lalu coba lagi.');
    } else if (err instanceof ApiError && err.status === 403) {
      show('Halaman ini sudah kedaluwarsa: muat ulang halaman lalu coba lagi.');
    } else {
      show('Tidak bisa masuk: ' + (err.message || 'periksa jaringan lalu coba lagi.'));
    }
    $('#password').value = '';
    $('#password').focus();
  } finally {
    $('#sign-in-button').disabled = false;
  }
});

$('#other-account').addEventListener('click', () => {
  $('#crew-only').hidden = true;
  $('#sign-in-card').hidden = false;
  $('#username').value = '';
  $('#username').focus();
});
$('#sign-in-button').disabled = false;
document.body.dataset.state = 'ready';
$('#username').focus();
