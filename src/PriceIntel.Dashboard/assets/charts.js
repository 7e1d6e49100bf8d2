// The dashboard's charts, drawn with plotly.js (served by this host).
const theme = {
  paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)',
  font: { color: '#d8dee6', size: 12 }, margin: { l: 56, r: 16, t: 8, b: 36 },
  xaxis: { gridcolor: '#26303b' }, yaxis: { gridcolor: '#26303b' },
  legend: { orientation: 'h', y: -0.18 }, hovermode: 'x unified',
};
const config = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ['select2d', 'lasso2d'] };
const palette = ['#4aa3ff', '#f0b429', '#3ecf8e', '#c77dff', '#ff7b72', '#79c0ff', '#ffa657', '#a5d6ff', '#d2a8ff', '#7ee787'];

const drawn = new Map(); // chart id → what it last drew
const queued = new Map(); // chart id → [traces, layout] waiting for the next frame, for plotly.js, or to be scrolled to
let frame = 0;
const listeners = new Map(); // chart id → its plotly_relayout handler, attached at its first draw

// Calls handler with plotly's relayout event when the user picks a range, zooms or pans the price trend.
export function onTrendRange(handler) { listeners.set('chart-trend', handler); }

// plotly.js is deferred (index.html) and normally runs before this module; charts drawn before it is there wait.
const plotlyReady = window.Plotly ? Promise.resolve() : new Promise((resolve, reject) => {
  const script = document.getElementById('plotly');
  script.addEventListener('load', resolve, { once: true });
  script.addEventListener('error', () => reject(new Error('plotly.js did not load')), { once: true });
});
plotlyReady.then(() => { performance.mark('plotly-ready'); schedule(); }, e => console.error(e.message));

// Only charts on screen are drawn: one below the fold keeps its latest data and draws
// when it scrolls into view, so the first load draws what the screen shows and live updates redraw no hidden chart.
// Charts are drawn top first (page order), so the price trend is not kept waiting behind a chart further down.
const charts = [...document.querySelectorAll('[data-chart]')];
const onScreen = new Set(typeof IntersectionObserver === 'function' ? [] : charts.map(n => n.id));

// Resolves once every chart on the first screen has drawn, or 2.5 s after the page started, whichever comes first:
// what lies below the first screen waits for it (app.js).
let firstScreen = null, firstScreenDone;
export const firstScreenDrawn = new Promise(resolve => {
  firstScreenDone = resolve;
  setTimeout(resolve, Math.max(0, 2_500 - performance.now()));
});
const checkFirstScreen = () => { if (firstScreen && [...firstScreen].every(id => drawn.has(id))) firstScreenDone(); };

if (typeof IntersectionObserver === 'function') {
  const observer = new IntersectionObserver(entries => {
    for (const e of entries) {
      if (e.isIntersecting) onScreen.add(e.target.id); else onScreen.delete(e.target.id);
    }
    if (!firstScreen) { firstScreen = new Set(onScreen); checkFirstScreen(); }
    schedule();
  });
  for (const node of charts) observer.observe(node);
}

// Draws are coalesced per chart and made one chart per animation frame, so however many updates arrive,
// each chart redraws at most once a frame and no frame carries more than one chart's redraw.
function draw(id, traces, layout) {
  queued.set(id, [traces, layout]);
  const node = document.getElementById(id);
  if (!onScreen.has(id)) node.dataset.waiting = '1'; // drawn when scrolled to (the measurement and tests read this)
  schedule();
}

function next() {
  for (const node of charts) if (queued.has(node.id) && onScreen.has(node.id)) return node.id;
  return null;
}

function schedule() {
  if (frame || !window.Plotly || next() === null) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    const id = next();
    if (id === null) return;
    const [traces, layout] = queued.get(id);
    queued.delete(id);
    drawNow(id, traces, layout);
    schedule();
  });
}

function drawNow(id, traces, layout) {
  const node = document.getElementById(id);
  delete node.dataset.waiting;
  // Periodic refreshes mostly bring the same data: skip the redraw (Plotly's is a long task) when nothing changed.
  const key = JSON.stringify([traces, layout]);
  if (drawn.get(id) === key) return;
  drawn.set(id, key);
  queueMicrotask(checkFirstScreen); // after this draw
  const started = performance.now();
  const merged = { ...theme, ...layout, xaxis: { ...theme.xaxis, ...(layout.xaxis || {}) }, yaxis: { ...theme.yaxis, ...(layout.yaxis || {}) } };
  Plotly.react(node, traces, merged, config);
  const listener = listeners.get(id);
  if (listener && !node.dataset.listening) { node.dataset.listening = '1'; node.on('plotly_relayout', listener); }
  // How long each redraw took, for the measurement (performance.getEntriesByName('draw:<chart>')).
  performance.measure(`draw:${id}`, { start: started, end: performance.now() });
  const points = traces.reduce((n, t) => n + (t.x?.length || 0), 0);
  node.dataset.points = String(points);
  // The first time a chart shows data, for the first-load measurement (performance.getEntriesByType('mark')).
  if (points > 0 && !node.dataset.drawn) { node.dataset.drawn = '1'; performance.mark(`first-draw:${id}`); }
}

// Our price (steps) and each competitor's bucketed price (close, with open/high/low/count on hover),
// decisions and signals marked on the same time axis; range buttons, zoom and pan (kept across live updates
// of the same product). No range slider: it draws every trace a second time on each live update.
export function drawTrend(sku, history, decisions, signals, currency) {
  const traces = [];
  const byCompetitor = new Map();
  for (const b of history.buckets || []) {
    if (!byCompetitor.has(b.competitor)) byCompetitor.set(b.competitor, []);
    byCompetitor.get(b.competitor).push(b);
  }
  let i = 1;
  for (const [competitor, buckets] of byCompetitor) {
    buckets.sort((a, b) => a.start < b.start ? -1 : 1);
    traces.push({
      name: competitor, type: 'scatter', mode: 'lines', line: { width: 1.5, color: palette[i++ % palette.length] },
      x: buckets.map(b => b.start), y: buckets.map(b => b.close),
      customdata: buckets.map(b => [b.open, b.high, b.low, b.count]),
      hovertemplate: `${competitor}: %{y:.2f} (o %{customdata[0]:.2f} h %{customdata[1]:.2f} l %{customdata[2]:.2f}, %{customdata[3]} obs)<extra></extra>`,
    });
  }
  const ours = [...(history.ourPrices || [])].sort((a, b) => a.time < b.time ? -1 : 1);
  // Our price holds until it changes: carry the last one to the newest time on the chart.
  const newest = [...(history.buckets || []).map(b => b.start), ...decisions.map(d => d.time), ...signals.map(s => s.time)].reduce((m, t) => (t > m ? t : m), '');
  if (ours.length && newest > ours[ours.length - 1].time) ours.push({ time: newest, price: ours[ours.length - 1].price });
  traces.unshift({ name: 'our price', type: 'scatter', mode: 'lines', line: { shape: 'hv', width: 3, color: palette[0] }, x: ours.map(p => p.time), y: ours.map(p => p.price) });
  if (decisions.length) {
    traces.push({
      name: 'decisions', type: 'scatter', mode: 'markers', marker: { symbol: 'diamond', size: 9, color: '#ffffff', line: { width: 1, color: palette[0] } },
      x: decisions.map(d => d.time), y: decisions.map(d => d.newPrice), text: decisions.map(d => d.why?.explanation || ''),
      hovertemplate: 'decision → %{y:.2f}<br>%{text}<extra></extra>',
    });
  }
  if (signals.length) {
    traces.push({
      name: 'signals', type: 'scatter', mode: 'markers',
      marker: { symbol: 'triangle-down', size: 10, color: signals.map(s => s.severity === 'critical' ? '#ef4e4e' : s.severity === 'warning' ? '#f0b429' : '#4aa3ff') },
      x: signals.map(s => s.time), y: signals.map(s => s.observed), text: signals.map(s => `${s.severity} ${s.kind.replaceAll('_', ' ')}${s.competitor ? ' (' + s.competitor + ')' : ''}`),
      hovertemplate: '%{text}: %{y:.2f}<extra></extra>',
    });
  }
  // The bucket size (minute, hour or day) follows the range on screen (app.js); shown on the y axis and kept in meta for tests.
  const size = history.size ? String(history.size).toLowerCase() : 'minute';
  draw('chart-trend', traces, {
    uirevision: sku, meta: { size }, yaxis: { title: { text: `${currency} · ${size} buckets` } },
    xaxis: {
      type: 'date',
      rangeselector: { bgcolor: '#0b1015', activecolor: '#24425f', buttons: [
        { count: 1, label: '1h', step: 'hour', stepmode: 'backward' }, { count: 6, label: '6h', step: 'hour', stepmode: 'backward' },
        { count: 1, label: '1d', step: 'day', stepmode: 'backward' }, { count: 7, label: '1w', step: 'day', stepmode: 'backward' }, { step: 'all', label: 'all' }] },
    },
  });
}

// Each competitor's current price against ours (a line), lowest first, with the gap on hover.
export function drawCompetitors(board) {
  const offers = [...(board?.competitors || [])].sort((a, b) => a.price - b.price);
  const ours = board?.ourPrice ?? null;
  draw('chart-competitors', [{
    type: 'bar', name: 'competitor price', x: offers.map(o => o.competitor), y: offers.map(o => o.price),
    marker: { color: offers.map(o => o.availability === 'in_stock' ? '#4aa3ff' : '#5a6675') },
    customdata: offers.map(o => [ours ? (o.price / ours - 1) * 100 : 0, o.availability.replaceAll('_', ' ')]),
    hovertemplate: '%{x}: %{y:.2f} (%{customdata[0]:+.1f}% vs ours, %{customdata[1]})<extra></extra>',
  }], {
    hovermode: 'closest', showlegend: false,
    shapes: ours ? [{ type: 'line', xref: 'paper', x0: 0, x1: 1, y0: ours, y1: ours, line: { color: '#3ecf8e', width: 2, dash: 'dash' } }] : [],
    annotations: ours ? [{ xref: 'paper', x: 1, y: ours, text: `ours ${ours.toFixed(2)} (rank ${board.rank})`, showarrow: false, xanchor: 'right', yanchor: 'bottom', font: { color: '#3ecf8e' } }] : [],
  });
}

// Demand over market time: views, add-to-carts and purchases in the engine's shortest demand window
// (a rolling count, sampled by the server every two seconds), conversion (purchases / views) on a second axis.
export function drawDemand(series) {
  const x = series.map(p => p.start);
  const mode = series.length > 1 ? 'lines' : 'markers';
  const minutes = series.length ? series[series.length - 1].windowMinutes : 0;
  draw('chart-demand', [
    { type: 'scatter', mode, name: 'views', x, y: series.map(p => p.views), line: { color: '#8b98a8', width: 1.5 } },
    { type: 'scatter', mode, name: 'add to cart', x, y: series.map(p => p.addToCarts), line: { color: '#f0b429', width: 1.5 } },
    { type: 'scatter', mode, name: 'purchases', x, y: series.map(p => p.purchases), line: { color: '#3ecf8e', width: 2 } },
    { type: 'scatter', mode, name: 'conversion', x, y: series.map(p => p.conversion), yaxis: 'y2', line: { color: '#c77dff', dash: 'dot' } },
  ], {
    margin: { l: 56, r: 52, t: 8, b: 36 }, xaxis: { type: 'date' },
    yaxis: { rangemode: 'tozero', title: { text: minutes ? `last ${minutes} min (rolling)` : 'actions' } },
    yaxis2: { overlaying: 'y', side: 'right', tickformat: '.1%', showgrid: false, rangemode: 'tozero' },
  });
}

// Experiment arms side by side: revenue and margin (left axis), decisions (right axis).
export function drawExperiments(arms) {
  const x = arms.map(a => a.name);
  draw('chart-experiments', [
    { type: 'bar', name: 'revenue', x, y: arms.map(a => a.revenue), marker: { color: '#4aa3ff' } },
    { type: 'bar', name: 'margin', x, y: arms.map(a => a.margin), marker: { color: '#3ecf8e' } },
    { type: 'scatter', mode: 'markers', name: 'decisions', x, y: arms.map(a => a.decisions), yaxis: 'y2', marker: { size: 12, color: '#f0b429' } },
  ], { barmode: 'group', hovermode: 'x unified', yaxis2: { overlaying: 'y', side: 'right', showgrid: false, rangemode: 'tozero', title: { text: 'decisions' } } });
}

// Our position across the catalog: how many products are priced how far above or below their lowest competitor
// (green: below it, amber: at it or up to 5 % above, red: further above), with how often we are the cheapest in the title.
export function drawPosition(position) {
  const bins = position.gapToLowest || [];
  const pct = v => `${v > 0 ? '+' : v < 0 ? '−' : ''}${Math.abs(Math.round(v * 100))}`;
  const label = b => b.from == null ? `< ${pct(b.to)}%` : b.to == null ? `≥ ${pct(b.from)}%` : `${pct(b.from)}…${pct(b.to)}%`;
  const total = position.products || 0;
  const cheapest = (position.ranks || [])[0] || 0;
  draw('chart-position', [{
    type: 'bar', name: 'products', x: bins.map(label), y: bins.map(b => b.products),
    marker: { color: bins.map(b => b.to != null && b.to <= 0 ? '#3ecf8e' : b.from === 0 ? '#f0b429' : '#ef4e4e') },
    customdata: bins.map(b => total ? b.products / total * 100 : 0),
    hovertemplate: 'gap %{x}: %{y} products (%{customdata:.1f}%)<extra></extra>',
  }], {
    hovermode: 'closest', showlegend: false, margin: { l: 56, r: 16, t: 28, b: 48 },
    title: { text: total ? `${total} products · cheapest on ${cheapest} (${Math.round(cheapest / total * 100)}%)` : 'no priced products yet', font: { size: 12 }, x: 0.01 },
    xaxis: { type: 'category', tickangle: -30 }, yaxis: { title: { text: 'products' }, rangemode: 'tozero' },
  });
}

// Each competitor's price index against ours across the catalog (0% = our price; below 0 they are cheaper),
// with on how many products and how often they undercut us on hover.
export function drawPriceIndex(position) {
  const rows = [...(position.competitors || [])].sort((a, b) => a.priceIndex - b.priceIndex);
  draw('chart-index', [{
    type: 'bar', name: 'price index', x: rows.map(r => r.competitor), y: rows.map(r => (r.priceIndex - 1) * 100),
    marker: { color: rows.map(r => r.priceIndex < 1 ? '#ef4e4e' : '#4aa3ff') },
    customdata: rows.map(r => [r.products, r.cheaperShare * 100]),
    hovertemplate: '%{x}: %{y:+.1f}% vs ours on average, %{customdata[0]} products, cheaper than us on %{customdata[1]:.0f}%<extra></extra>',
  }], {
    hovermode: 'closest', showlegend: false,
    yaxis: { title: { text: '% vs our price' }, ticksuffix: '%', zeroline: true, zerolinecolor: '#3ecf8e', zerolinewidth: 2 },
  });
}

// One product's demand from the store's history: views, add-to-carts and purchases per hour bucket, conversion
// (purchases / views) on a second axis. The API answers newest first; drawn oldest first.
const HOUR = 3_600_000;
const iso = ms => new Date(ms).toISOString();
export function drawProductDemand(sku, history) {
  const buckets = [...(history?.buckets || [])].sort((a, b) => a.start < b.start ? -1 : 1);
  const x = buckets.map(b => b.start);
  const mode = buckets.length > 1 ? 'lines+markers' : 'markers';
  draw('chart-product-demand', [
    { type: 'bar', name: 'views', x, y: buckets.map(b => b.views), width: buckets.map(() => HOUR * 0.8), marker: { color: '#3a4554' } },
    { type: 'scatter', mode, name: 'add to cart', x, y: buckets.map(b => b.addToCarts), line: { color: '#f0b429', width: 1.5 }, marker: { size: 4 } },
    { type: 'scatter', mode, name: 'purchases', x, y: buckets.map(b => b.purchases), line: { color: '#3ecf8e', width: 2 }, marker: { size: 4 } },
    { type: 'scatter', mode, name: 'conversion', x, y: buckets.map(b => b.conversion ?? null), yaxis: 'y2', line: { color: '#c77dff', dash: 'dot' }, marker: { size: 4 } },
  ], {
    uirevision: sku, margin: { l: 56, r: 52, t: 8, b: 36 },
    // A few hours shown at least, so one or two buckets are bars an hour wide, not a sliver on a millisecond axis.
    xaxis: { type: 'date', range: buckets.length && buckets.length < 6 ? [iso(Date.parse(x[x.length - 1]) - 5 * HOUR), iso(Date.parse(x[x.length - 1]) + HOUR)] : undefined },
    yaxis: { rangemode: 'tozero', title: { text: 'per hour' } },
    yaxis2: { overlaying: 'y', side: 'right', tickformat: '.1%', showgrid: false, rangemode: 'tozero' },
    annotations: buckets.length ? [] : [{ text: `no demand recorded for ${sku} yet`, xref: 'paper', yref: 'paper', x: 0.5, y: 0.5, showarrow: false, font: { color: '#8693a3' } }],
  });
}
