/* A daily bar chart as SVG: one bar per WIB date, a title on each bar for the figures. */
import { clear, day, int, svg } from './dom.js';

const WIDTH = 960;
const HEIGHT = 240;
const PAD = { left: 64, right: 12, top: 14, bottom: 30 };

function niceMax(value) {
  if (value <= 0) return 10;
  const step = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 2.5, 5, 10].map((m) => m * step).find((m) => m >= value);
}

/** rows: [{date, logs, length_m, …}]; draws length_m. */
export function drawDaily(node, rows) {
  clear(node);
  node.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
  const top = niceMax(Math.max(0, ...rows.map((r) => r.length_m)));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(rows.length, 1);
  const y = (v) => PAD.top + plotH - (v / top) * plotH;
  let lastLabel = 0;
  [0, 0.5, 1].forEach((f) => {
    node.appendChild(svg('line', { class: 'grid', x1: PAD.left, x2: WIDTH - PAD.right, y1: y(top * f), y2: y(top * f) }));
    node.appendChild(svg('text', { class: 'axis', x: PAD.left - 6, y: y(top * f) + 4, 'text-anchor': 'end', text: `${int(top * f)} m` }));
  });
  rows.forEach((r, i) => {
    const x = PAD.left + i * slot;
    const h = (r.length_m / top) * plotH;
    node.appendChild(svg('rect', {
      class: 'bar', 'data-date': r.date, x: x + slot * 0.12, y: y(r.length_m), width: Math.max(slot * 0.76, 1), height: Math.max(h, 0),
    }, [svg('title', { text: `${day(r.date)}: ${int(r.length_m)} m, ${r.logs} laporan` })]));
    const weekday = new Date(r.date + 'T00:00:00Z').getUTCDay();
    const labelled = rows.length <= 14 || i === 0 || weekday === 1;  // long periods: Mondays only
    if (labelled && (i === 0 || slot * (i - lastLabel) > 56)) {
      lastLabel = i;
      node.appendChild(svg('text', { class: 'axis', x: x + slot / 2, y: HEIGHT - 10, 'text-anchor': 'middle', text: day(r.date).replace(/^\S+ /, '') }));
    }
  });
}
