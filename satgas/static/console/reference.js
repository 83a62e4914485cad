/* Reference data the pages share, fetched once per page: kecamatan, kelurahan, crews, and
 * kelurahan outlines (for the log maps) as they are needed. */
import { api } from './api.js';

let loaded = null;
const outlines = new Map();

export function reference() {
  if (!loaded) {
    loaded = Promise.all([api('api/v1/kecamatan'), api('api/v1/kelurahan'), api('api/v1/crews')])
      .then(([kecamatan, kelurahan, crews]) => ({
        kecamatan: new Map(kecamatan.map((k) => [k.code, k])),
        kelurahan: new Map(kelurahan.map((k) => [k.code, k])),
        crews: new Map(crews.map((c) => [c.id, c])),
      }));
    loaded.catch(() => { loaded = null; });
  }
  return loaded;
}

/** The kelurahan's boundary (GeoJSON MultiPolygon), cached. */
export function outline(code) {
  if (!outlines.has(code)) {
    const found = api(`api/v1/kelurahan/${encodeURIComponent(code)}`).then((k) => k.geometry);
    found.catch(() => outlines.delete(code));
    outlines.set(code, found);
  }
  return outlines.get(code);
}

/** The kecamatan a scoped supervisor is limited to ('' for city-wide staff). */
export const ownKecamatan = () => document.body.dataset.kecamatan || '';

/** Fill a <select> of kecamatan; a scoped supervisor's is fixed to their own. */
export function fillKecamatan(select, ref, chosen) {
  ref.kecamatan.forEach((k) => select.appendChild(new Option(k.name, k.code)));
  const own = ownKecamatan();
  select.value = own || chosen || '';
  if (own) select.disabled = true;
}

export const kelurahanName = (ref, code) => (ref.kelurahan.get(code) || {}).name || code;
export const kecamatanName = (ref, code) => (ref.kecamatan.get(code) || {}).name || code;
export const crewName = (ref, id) => (ref.crews.get(id) || {}).name || `kru #${id}`;
