/* GPS while working: `watchPosition` collects points with their accuracy; the log's geometry is
 * the track (or, in point mode, the best single fix). Points less accurate than 50 m are kept but
 * marked, and left out of the track whenever two better points exist. */

export const WEAK_M = 50;
const MIN_STEP_M = 2; // closer than this to the last point: the same spot, unless more accurate
const MAX_POINTS = 4000; // the server takes at most 5000 positions in one track

function metresBetween(a, b) {
  const rad = Math.PI / 180;
  const x = (b.lon - a.lon) * rad * Math.cos(((a.lat + b.lat) / 2) * rad);
  const y = (b.lat - a.lat) * rad;
  return Math.hypot(x, y) * 6371000;
}

export const isWeak = (point) => point.acc > WEAK_M;

/** Add a fix to `points` (in place); returns whether it was kept. */
export function addFix(points, position) {
  const { longitude, latitude, accuracy } = position.coords;
  const point = { lon: longitude, lat: latitude, acc: Math.round(accuracy * 10) / 10, t: position.timestamp };
  const last = points[points.length - 1];
  if (last && metresBetween(last, point) < MIN_STEP_M) {
    if (point.acc >= last.acc) return false;
    points.pop(); // the same spot, measured better
  }
  points.push(point);
  if (points.length > MAX_POINTS) points.splice(1, 1); // thin the oldest stretch, keep the start
  return true;
}

/** The GeoJSON geometry and its worst accuracy, or null while there is no fix. */
export function geometryOf(points, mode) {
  if (points.length === 0) return null;
  const best = points.reduce((a, b) => (b.acc < a.acc ? b : a));
  const good = points.filter((p) => !isWeak(p));
  const used = mode === 'point' ? [best] : (good.length >= 2 ? good : points);
  const accuracy = Math.max(...used.map((p) => p.acc));
  const coordinates = used.map((p) => [Number(p.lon.toFixed(7)), Number(p.lat.toFixed(7))]);
  if (used.length === 1) return { geometry: { type: 'Point', coordinates: coordinates[0] }, accuracy };
  return { geometry: { type: 'LineString', coordinates }, accuracy };
}

/** Start watching; `onFix(position)` and `onError(message)`. Returns a function that stops it. */
export function watch(onFix, onError) {
  if (!('geolocation' in navigator)) {
    onError('HP ini tidak punya GPS yang bisa dipakai browser.');
    return () => {};
  }
  const id = navigator.geolocation.watchPosition(onFix, (error) => onError(describe(error)), {
    enableHighAccuracy: true, maximumAge: 0, timeout: 60000,
  });
  return () => navigator.geolocation.clearWatch(id);
}

function describe(error) {
  if (error.code === error.PERMISSION_DENIED) return 'Akses lokasi ditolak: izinkan lokasi (GPS) untuk aplikasi ini.';
  if (error.code === error.TIMEOUT) return 'GPS belum mendapat posisi; tetap di tempat terbuka sebentar.';
  return 'Posisi GPS tidak tersedia saat ini.';
}
