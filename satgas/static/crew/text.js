/* Words and small helpers shared by the crew app's modules: Indonesian labels, dates, DOM. */

export const ACTIVITIES = {
  drain_cleaning: 'Pembersihan saluran',
  culvert_cleaning: 'Pembersihan gorong-gorong',
  channel_normalisation: 'Normalisasi saluran',
  waste_removal: 'Pengangkutan sampah',
  other: 'Lainnya',
};
export const KINDS = { before: 'Sebelum', after: 'Sesudah' };
// Where a local copy stands: kept on the phone, sent (awaiting the server's confirmation), refused.
export const STATES = { local: 'di HP', sent: 'terkirim', rejected: 'ditolak' };
export const REVIEW = { submitted: 'Menunggu tinjauan', approved: 'Disetujui', rejected: 'Ditolak' };

const dateTimeFormat = new Intl.DateTimeFormat('id-ID', {
  day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', timeZone: 'Asia/Jakarta',
});
const dateFormat = new Intl.DateTimeFormat('id-ID', {
  day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC',
});
const numberFormat = new Intl.NumberFormat('id-ID', { maximumFractionDigits: 1 });

export const uuid = () => crypto.randomUUID();
export const when = (value) => dateTimeFormat.format(new Date(value));
export const day = (isoDate) => dateFormat.format(new Date(`${isoDate}T00:00:00Z`));
export const number = (value) => numberFormat.format(value);

/** RFC 3339 with the phone's own UTC offset, e.g. 2026-11-28T07:30:00+07:00. */
export function rfc3339(ms) {
  const d = new Date(ms);
  const pad = (n) => String(Math.abs(n)).padStart(2, '0');
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:`
    + `${pad(d.getMinutes())}:${pad(d.getSeconds())}${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
}

/** An element with attributes (`text` → textContent; null/undefined skipped) and children. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'text') node.textContent = value;
    else node.setAttribute(name, value === true ? '' : value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

/** The server's message (and field errors) as one line a crew member can act on. */
export function serverMessage(body, fallback) {
  if (!body) return fallback;
  const lines = new Set(body.message ? [body.message] : []);
  const walk = (errors, path) => {
    if (Array.isArray(errors)) {
      if (!errors.every((e) => typeof e === 'string')) errors.forEach((e) => walk(e, path));
      else if (!errors.every((e) => lines.has(e))) lines.add(path ? `${path}: ${errors.join(' ')}` : errors.join(' '));
    } else if (errors && typeof errors === 'object') {
      Object.entries(errors).forEach(([key, value]) => walk(value, key === '_schema' ? path : [path, key].filter(Boolean).join('.')));
    }
  };
  walk(body.errors, '');
  return [...lines].join(' — ') || fallback;
}
