// The benchmark's chart: SVG text written by hand (no chart library), one panel per row, from a
// results object as scripts/bench.mjs writes it. docs/benchmarks.md shows it.

const WIDTH = 800;
const LABEL = 250; // px for the bar labels
const VALUE = 230; // px kept right of the longest bar for its figure
const BAR = 18;
const GAP = 8;
const COLORS = { ours: '#2563eb', peer: '#94a3b8', estimate: '#cbd5e1', relay: '#64748b' };

const escape = (text) =>
  String(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

/**
 * One panel of horizontal bars. `bars`: { label, value, text, kind } with kind one of COLORS' keys;
 * `log`: a log scale (for values that span orders of magnitude). Returns [svg, height].
 */
function panel(y, title, note, bars, { log = false } = {}) {
  const shown = bars.filter((bar) => Number.isFinite(bar.value) && bar.value > 0);
  const max = Math.max(...shown.map((bar) => bar.value));
  const min = Math.min(...shown.map((bar) => bar.value));
  const span = WIDTH - LABEL - VALUE;
  const scale = (value) => {
    if (!log) return (value / max) * span;
    const floor = Math.log10(min) - 0.3;
    return Math.max(4, ((Math.log10(value) - floor) / (Math.log10(max) - floor)) * span);
  };
  let svg = `<text x="16" y="${y + 18}" class="title">${escape(title)}</text>`;
  svg += `<text x="16" y="${y + 36}" class="note">${escape(note)}</text>`;
  let row = y + 48;
  for (const bar of bars) {
    svg += `<text x="${LABEL - 8}" y="${row + BAR - 5}" class="label" text-anchor="end">${escape(bar.label)}</text>`;
    if (Number.isFinite(bar.value) && bar.value > 0) {
      const w = scale(bar.value);
      const pattern = bar.kind === 'estimate' ? ' stroke="#94a3b8" stroke-dasharray="4 3"' : '';
      svg += `<rect x="${LABEL}" y="${row}" width="${w.toFixed(1)}" height="${BAR}" rx="3" fill="${COLORS[bar.kind]}"${pattern}/>`;
      svg += `<text x="${LABEL + w + 6}" y="${row + BAR - 5}" class="value">${escape(bar.text)}</text>`;
    } else {
      svg += `<text x="${LABEL}" y="${row + BAR - 5}" class="value">${escape(bar.text ?? 'not measured')}</text>`;
    }
    row += BAR + GAP;
  }
  return [svg, row - y + 14];
}

const fmtMs = (value) => (value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`);
const fmtKb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

/** The whole chart as SVG text. */
export function chart(results) {
  const panels = [];
  const render = results.rows.render?.stream;
  if (render?.figures) {
    const bars = Object.entries(render.figures)
      .filter(([name, f]) => !name.startsWith('harness') && (f.capped || !f.partial))
      .map(([name, f]) => ({
        label: name.replace(', innerHTML per event', ''),
        value: f.capped ? f.extrapolatedFullMs : f.wallMs,
        text: f.capped ? `${fmtMs(f.extrapolatedFullMs)} (estimated)` : fmtMs(f.wallMs),
        kind: f.capped ? 'estimate' : name.startsWith('pathors') ? 'ours' : 'peer',
      }));
    panels.push([
      `Streaming an ${Math.round(render.replyBytes / 1000)} KB reply, ${render.tokens.toLocaleString('en')} tokens, in Chromium`,
      `first byte to painted, log scale; dashed: estimated from the first ${render.cap.toLocaleString('en')} tokens`,
      bars,
      { log: true },
    ]);
  }
  const bundles = results.rows.bundles;
  if (bundles?.ours) {
    const bars = [
      {
        label: 'pathors-chat, before opening',
        value: bundles.ours.firstLoad,
        text: fmtKb(bundles.ours.firstLoad),
        kind: 'ours',
      },
      { label: 'pathors-chat, once open', value: bundles.ours.whole, text: fmtKb(bundles.ours.whole), kind: 'ours' },
      ...Object.entries(bundles.peers).map(([name, p]) => ({
        label: `${name} ${p.version ?? ''}`,
        value: p.whole,
        text: p.whole ? fmtKb(p.whole) : p.reason,
        kind: 'peer',
      })),
    ];
    panels.push([
      'JavaScript and CSS a page fetches for the chat (gzip)',
      'log scale; the peers load everything up front',
      bars,
      { log: true },
    ]);
  }
  const burst = results.rows.proxy?.burst;
  if (burst?.rows) {
    const bars = Object.entries(burst.rows).map(([name, r]) => ({
      label: `${name === 'direct' ? 'direct to upstream' : `through ${name}`}`,
      value: r.streamP50,
      text: `${fmtMs(r.streamP50)}${r.rssPeak ? `, peak RSS ${Math.round(r.rssPeak / 1048576)} MB` : ''}`,
      kind: name === 'proxy' ? 'ours' : name === 'nginx' ? 'relay' : 'peer',
    }));
    panels.push([
      `${burst.streams.toLocaleString('en')} concurrent streams, each ${fmtMs(burst.nominalStreamMs)} unloaded`,
      'time for one stream to complete, median',
      bars,
    ]);
  }
  const restore = results.rows.render?.restore;
  if (restore?.figures) {
    const bars = Object.entries(restore.figures).map(([count, f]) => ({
      label: `${Number(count).toLocaleString('en')} stored messages`,
      value: f.paintMs,
      text: `${fmtMs(f.paintMs)}, ${f.messagesInDom} in the DOM`,
      kind: 'ours',
    }));
    panels.push([
      'Opening a restored conversation',
      'element added to the page until its last message is painted',
      bars,
    ]);
  }
  let y = 52;
  let body = '';
  for (const [title, note, bars, options] of panels) {
    const [svg, height] = panel(y, title, note, bars, options);
    body += svg;
    y += height;
  }
  const loadNote =
    `${results.date.slice(0, 16).replace('T', ' ')} UTC, ${results.machine.cpus} cores, load ${results.load.before.join(' ')}` +
    `${results.short ? ', short run (small sizes)' : ''}`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y + 10}" viewBox="0 0 ${WIDTH} ${y + 10}" role="img" aria-label="pathors-chat benchmark results">
<style>
  text { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; fill: #0f172a; }
  .h { font-size: 17px; font-weight: 600; } .title { font-size: 14px; font-weight: 600; }
  .note { font-size: 11px; fill: #475569; } .label { font-size: 12px; } .value { font-size: 12px; fill: #334155; }
</style>
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="16" y="24" class="h">pathors-chat: npm run bench</text>
<text x="16" y="42" class="note">${escape(loadNote)}</text>
${body}
</svg>
`;
}
