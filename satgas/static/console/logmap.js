/* A log drawn on its kelurahan outline as SVG (no tiles, no internet): the track or point,
 * where its photos say they were taken, and a dashed line from a photo taken far away. */
import { clear, svg } from './dom.js';

const WIDTH = 360;
const PAD = 14;

const rings = (geometry) => (geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates).flat();
const logPositions = (geometry) => (geometry.type === 'Point' ? [geometry.coordinates] : geometry.coordinates);

/** Equirectangular, x scaled by cos(latitude): true enough shapes for one kelurahan. */
function projection(positions) {
  const xs = positions.map((p) => p[0]);
  const ys = positions.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const k = Math.cos(((y0 + y1) / 2) * Math.PI / 180);
  const scale = (WIDTH - 2 * PAD) / Math.max((x1 - x0) * k, (y1 - y0) * 0.8, 1e-6);
  return {
    height: Math.ceil((y1 - y0) * scale + 2 * PAD),
    at: (p) => [PAD + (p[0] - x0) * k * scale, PAD + (y1 - p[1]) * scale],
  };
}

const pathOf = (ring, at) => ring.map((p, i) => (i ? 'L' : 'M') + at(p).map((v) => v.toFixed(1)).join(',')).join('') + 'Z';

function nearest(point, positions) {
  let best = positions[0];
  let bestD = Infinity;
  positions.forEach((p) => {
    const d = (p[0] - point[0]) ** 2 + (p[1] - point[1]) ** 2;
    if (d < bestD) { best = p; bestD = d; }
  });
  return best;
}

export function drawLogMap(node, outline, log, label) {
  clear(node);
  const positions = logPositions(log.geometry);
  const photos = (log.photos || []).filter((p) => p.exif_location);
  const everything = [...rings(outline).flat(), ...positions, ...photos.map((p) => p.exif_location.coordinates)];
  const { height, at } = projection(everything);
  node.setAttribute('viewBox', `0 0 ${WIDTH} ${height}`);
  node.appendChild(svg('title', { text: label }));
  node.appendChild(svg('path', { class: 'kel-outline', d: rings(outline).map((r) => pathOf(r, at)).join(' ') }));
  photos.forEach((p) => {
    const [x, y] = at(p.exif_location.coordinates);
    const far = (p.flags || []).includes('far_from_log');
    if (far) {
      const [lx, ly] = at(nearest(p.exif_location.coordinates, positions));
      node.appendChild(svg('line', { class: 'photo-link', x1: x, y1: y, x2: lx, y2: ly }));
    }
    node.appendChild(svg('g', { class: `photo-mark photo-${p.kind}${far ? ' is-far' : ''}`, 'data-kind': p.kind }, [
      svg('rect', { x: x - 5, y: y - 5, width: 10, height: 10, rx: 2 }),
      // Labels sit on the side with room, so a far photo's stays inside the picture.
      svg('text', { x: x > WIDTH * 0.7 ? x - 8 : x + 8, y: y + 4, 'text-anchor': x > WIDTH * 0.7 ? 'end' : 'start',
        text: p.kind === 'before' ? 'sebelum' : 'sesudah' }),
    ]));
  });
  if (log.geometry.type === 'Point') {
    const [x, y] = at(positions[0]);
    node.appendChild(svg('circle', { class: 'log-point', cx: x, cy: y, r: 6 }));
  } else {
    node.appendChild(svg('polyline', { class: 'log-track', points: positions.map((p) => at(p).join(',')).join(' ') }));
    const [sx, sy] = at(positions[0]);
    const [ex, ey] = at(positions[positions.length - 1]);
    node.appendChild(svg('circle', { class: 'track-start', cx: sx, cy: sy, r: 4 }));
    node.appendChild(svg('circle', { class: 'track-end', cx: ex, cy: ey, r: 4 }));
  }
}
