// The PriceIntel market view: loads the API's views, keeps them fresh from the live feed (which the
// server throttles and summarises), and redraws charts at most every few seconds.
import { api, auth, subscribe, ApiError } from './api.js';
import { drawTrend, onTrendRange, drawCompetitors, drawDemand, drawExperiments, drawPosition, drawPriceIndex, drawProductDemand, firstScreenDrawn } from './charts.js';
import { el, fmtMoney, fmtInt, fmtPct, fmtTime, words } from './format.js';

const MAX_ROWS = 50;
const state = { catalog: new Map(), catalogReady: null, active: new Set(), trend: null, product: null, currency: 'USD', signals: [], decisions: [], signedIn: false, role: null, readable: true, saved: null };
const $ = id => document.getElementById(id);
const severityRank = { info: 0, warning: 1, critical: 2 };
const notFound = e => { if (e instanceof ApiError && e.status === 404) return null; throw e; };

// The first screen's answers, asked for by index.html's inline script while the page was parsed: each is taken
// once; anything not held there, or failed there, is asked for here (where a failure is reported).
function taken(key, request) {
  const held = window.priceintelFirstScreen, answer = held?.get(key);
  held?.delete(key);
  return answer ? answer.catch(() => request()) : request();
}

const LAST_PRODUCT = 'priceintel.product';
const lastProduct = {
  get() { try { return localStorage.getItem(LAST_PRODUCT); } catch { return null; } },
  set(sku) { try { localStorage.setItem(LAST_PRODUCT, sku); } catch { /* storage off */ } },
};

// The selected product's timeline besides its prices (index.html's inline script asks for the first product's the same way).
const timeline = {
  decisions: sku => api.decisions({ product: sku, limit: 200 }),
  signals: sku => api.signals({ product: sku, limit: 200 }),
  demand: sku => api.demand(sku, { bucket: 'hour', limit: 168 }),
};

function banner(text) {
  const b = $('banner');
  b.hidden = !text;
  b.textContent = text || '';
}

function handle(error, what) {
  if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
    state.readable = error.status !== 401 || state.signedIn;
    banner(error.status === 401 ? 'Sign in with an API key to see the market (anonymous viewing is off on this host).' : `Your role may not ${what}.`);
  } else {
    console.warn(what, error);
    banner(`Could not ${what}: ${error.message}`);
  }
}

// ---- key metrics -------------------------------------------------------------------------------
let lastPosition = 0;
async function refreshOverview() {
  try {
    const o = await taken('overview', api.overview);
    state.currency = o.currency || state.currency;
    $('kpi-products').textContent = fmtInt(o.productsMonitored);
    $('kpi-changes').textContent = fmtInt(o.priceChangesToday);
    $('kpi-gap').textContent = o.averageCompetitorGap === null || o.averageCompetitorGap === undefined ? '–' : fmtPct(o.averageCompetitorGap);
    const s = o.activeSignals || {};
    $('kpi-signals').textContent = fmtInt((s.info || 0) + (s.warning || 0) + (s.critical || 0));
    $('kpi-signals-detail').innerHTML = '';
    $('kpi-signals-detail').append(
      el('span', { class: 'sev sev-critical' }, `${fmtInt(s.critical || 0)} critical`), ' · ',
      el('span', { class: 'sev sev-warning' }, `${fmtInt(s.warning || 0)} warning`), ' · ',
      el('span', { class: 'sev sev-info' }, `${fmtInt(s.info || 0)} info`));
    $('kpi-revenue').textContent = fmtMoney(o.revenueToday, state.currency);
    $('kpi-margin').textContent = `${fmtMoney(o.marginToday, state.currency)} (${fmtPct(o.marginRateToday)})`;
    $('clock').textContent = o.marketTime ? `market time ${fmtTime(o.marketTime)}` : '';
    if (!performance.getEntriesByName('first-kpis').length) performance.mark('first-kpis'); // for the first-load measurement
    if (o.demand) drawDemand(o.demand);
    // The catalog's position moves slowly: redrawn every 15 s at most (each redraw is a long task for the browser).
    if (o.position && (!lastPosition || Date.now() - lastPosition >= 15_000)) {
      lastPosition = o.position.products > 0 ? Date.now() : 0;
      drawPosition(o.position);
      drawPriceIndex(o.position);
    }
    state.active = new Set(o.busiestProducts || []); // products the engine trades: each has a board
    state.busiest = o.busiestProducts?.[0] ?? null;
    if (!state.product && state.busiest) selectProduct(state.busiest);
    banner('');
  } catch (e) { handle(e, 'load the key metrics'); }
}

// ---- product views ---------------------------------------------------------------------------
function loadProducts() {
  state.catalogReady = (async () => {
    try {
      const page = await taken('catalog', () => api.products({ limit: 500 }));
      const list = $('products');
      list.innerHTML = '';
      state.catalog = new Map(page.items.map(p => [p.sku, p]));
      for (const p of page.items) list.append(el('option', { value: p.sku }, p.name));
    } catch (e) { handle(e, 'list products'); }
  })();
  return state.catalogReady;
}

function selectProduct(sku) {
  if (!sku || sku === state.product) return;
  if (sku !== state.remembered) state.remembered = null;
  state.product = sku;
  state.trend = null;
  state.window = NEWEST;
  $('product').value = sku;
  refreshProduct(true);
  if ($('filter-product').checked) reloadSignals();
}

let lastTrend = 0;
// The product's board and (every 10 s, or when asked) its timeline: all requests at once, not one after another.
async function refreshProduct(withTrend) {
  const sku = state.product;
  if (!sku) return;
  try {
    const trend = withTrend || Date.now() - lastTrend > 10_000;
    if (trend) lastTrend = Date.now();
    const views = trend
      ? Promise.all([loadHistory(sku, state.window), ...['decisions', 'signals', 'demand'].map(name => taken(`${name}:${sku}`, () => timeline[name](sku)))])
      : null;
    // A product the engine trades (one of the market's busiest) has a board: asked for at once, named from the catalog.
    // Any other waits for the catalog: a catalog product comes with its board; one seen only in the market's events
    // has the engine's board alone (so no request is made that must fail).
    const activeBoard = state.active.has(sku) ? taken(`board:${sku}`, () => api.board(sku)).catch(notFound) : null;
    activeBoard?.catch(() => { }); // reported below, unless the selection changes first
    views?.catch(() => { });
    await state.catalogReady;
    if (sku !== state.product) return;
    // Remembered for the next load only when in the catalog; a remembered one that left it gives way to the busiest.
    // Written once per selection, not on every refresh (a refresh must not undo a choice made in another tab).
    if (state.catalog.has(sku) && state.saved !== sku) {
      state.saved = sku;
      lastProduct.set(sku);
    }
    if (sku === state.remembered && !state.catalog.has(sku)) {
      state.remembered = null;
      state.product = null;
      if (state.busiest) selectProduct(state.busiest);
      return;
    }
    const entry = state.catalog.get(sku);
    const product = activeBoard ? { ...entry, sku, name: entry?.name ?? sku, board: await activeBoard }
      : entry ? (await taken(`product:${sku}`, () => api.product(sku))) ?? { ...entry, board: null }
      : { sku, name: sku, board: await api.board(sku).catch(notFound) };
    if (sku !== state.product) return;
    const board = product.board;
    state.currency = board?.currency || product.currency || state.currency;
    $('board-summary').textContent = board
      ? `${product.name} · ours ${fmtMoney(board.ourPrice, state.currency)} · lowest ${fmtMoney(board.lowest, state.currency)} · rank ${board.rank} of ${board.competitors.length + 1} · gap ${fmtPct(board.gapToLowest)} · stock ${fmtInt(board.unitsOnHand)} · arm ${board.arm}`
      : `${product.name} · no market data yet`;
    drawCompetitors(board);
    const w = [...(board?.demandWindows || [])].sort((a, b) => a.windowMinutes - b.windowMinutes)[0];
    $('board-demand').textContent = w ? `last ${w.windowMinutes} min: ${fmtInt(w.views)} views · ${fmtInt(w.addToCarts)} carts · ${fmtInt(w.purchases)} purchases · conversion ${fmtPct(w.conversion)}` : '';
    if (views) {
      const [history, decisions, signals, demand] = await views;
      if (sku !== state.product) return;
      drawProductDemand(sku, demand);
      // A history loaded for a range the user has since left gives way to the one loading for the new range.
      const current = state.trend?.sku === sku && history.window !== state.window ? state.trend.history : history;
      state.trend = { sku, history: current, decisions: decisions.items, signals: signals.items };
      redrawTrend();
    }
  } catch (e) { handle(e, `load product ${sku}`); }
}

// ---- the trend's bucket size follows the range on screen -------------------------------------
// Minute buckets for a range of a day or less, hour buckets up to 60 days, day buckets beyond; at most
// TREND_PAGES pages of 1,000 buckets per draw. The window is what the trend loads: a bucket size and the oldest
// time wanted (null: as far back as the pages reach). It changes only when the user picks a range, zooms or pans
// (plotly_relayout), never on a live update; live refreshes reload the same window.
const DAY = 86_400_000, TREND_PAGES = 4;
// At first the newest 1,000 minute buckets (one request: the first load waits for nothing more).
const NEWEST = { size: 'minute', from: null, to: null, all: false };
state.window = NEWEST;
const sizeFor = span => span <= DAY ? 'minute' : span <= 60 * DAY ? 'hour' : 'day';
const coarser = { minute: 'hour', hour: 'day', day: 'day' };

async function loadHistory(sku, window) {
  const iso = ms => ms === null ? undefined : new Date(ms).toISOString();
  const params = { size: window.size, from: iso(window.from), to: iso(window.to), limit: 1000 };
  const first = await (window === NEWEST ? taken(`history:${sku}`, () => api.history(sku, params)) : api.history(sku, params));
  const buckets = [...first.buckets];
  let cursor = first.nextCursor;
  const pages = window.from === null && !window.all ? 1 : TREND_PAGES;
  for (let page = 1; cursor && page < pages; page++) {
    const next = await api.history(sku, { ...params, cursor });
    buckets.push(...next.buckets);
    cursor = next.nextCursor;
  }
  // Oldest time the loaded buckets cover without a gap: the window's start when every page came, else the oldest bucket.
  const covered = !cursor ? (window.from ?? -Infinity) : Math.min(...buckets.map(b => Date.parse(b.start)));
  const history = { ...first, buckets, nextCursor: cursor, window, covered };
  // "all" wants the whole history: when this size's pages do not reach its start, the next coarser size is loaded.
  if (window.all && cursor && window.size !== 'day' && sku === state.product && window === state.window) {
    state.window = { size: coarser[window.size], from: null, to: null, all: true };
    return loadHistory(sku, state.window);
  }
  return history;
}

// Plotly's range strings are UTC without a zone ('2026-12-03 10:00:00.5'): the data's ISO times, as plotly shows them.
const rangeMs = v => {
  if (typeof v === 'number') return v;
  const s = String(v).replace(' ', 'T');
  return Date.parse(s.length === 10 ? `${s}T00:00:00Z` : /[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`);
};

async function onTrendRelayout(e) {
  const t = state.trend;
  if (!t || t.sku !== state.product) return;
  let window;
  if (e['xaxis.autorange']) {
    // "all" or a double click: the whole history, at the finest size that still reaches its start.
    if (state.window.all) return;
    window = { size: 'minute', from: null, to: null, all: true };
  } else {
    const range = e['xaxis.range'] || [e['xaxis.range[0]'], e['xaxis.range[1]']];
    if (range[0] === undefined || range[1] === undefined) return; // not a change of the time range (e.g. the y axis)
    const [r0, r1] = range.map(rangeMs);
    if (!Number.isFinite(r0) || !Number.isFinite(r1) || r1 <= r0) return;
    const span = r1 - r0, size = sizeFor(span);
    // Nothing to load when the buckets held already are of the right size and cover the range.
    const held = t.history.window;
    if (size === held.size && size === state.window.size && r0 >= t.history.covered && (held.to === null || r1 <= held.to)) return;
    // A quarter of the span more on each side, to pan into; up to the newest price (and its live updates) when the
    // range reaches it, else bounded, so the pages (newest first) hold the range and not what lies after it.
    const newest = Math.max(...t.history.buckets.map(b => Date.parse(b.start)));
    window = { size, from: Math.floor(r0 - span / 4), to: r1 >= newest ? null : Math.ceil(r1 + span / 4), all: false };
  }
  state.window = window;
  const sku = t.sku;
  try {
    const history = await loadHistory(sku, window);
    if (sku !== state.product || history.window !== state.window || state.trend?.sku !== sku) return;
    state.trend.history = history;
    redrawTrend();
  } catch (error) { handle(error, `load the price history of ${sku}`); }
}
onTrendRange(onTrendRelayout);

function redrawTrend() {
  const t = state.trend;
  if (t && t.sku === state.product) drawTrend(t.sku, t.history, t.decisions, t.signals, state.currency);
}

// A live signal or decision of the selected product goes on its timeline without asking the API again.
function addToTrend(list, item) {
  const t = state.trend;
  if (!t || t.sku !== item.product || t[list].some(x => x.id === item.id)) return false;
  t[list].unshift(item);
  return true;
}

// A table read from the API, with the live items that arrived while it was being read (the store may not have
// written them yet when it answered) kept on top.
const arrived = new WeakMap();
let arrivals = 0;
function withLive(items, current, since, wanted) {
  const ids = new Set(items.map(x => x.id));
  const live = current.filter(x => (arrived.get(x) ?? 0) > since && !ids.has(x.id) && wanted(x));
  return [...live, ...items].slice(0, MAX_ROWS);
}

// ---- signals -----------------------------------------------------------------------------------
function signalFilters() {
  return {
    minSeverity: $('filter-severity').value || undefined,
    kind: $('filter-kind').value || undefined,
    acknowledged: $('filter-ack').value,
    product: $('filter-product').checked ? state.product : undefined,
  };
}

function matches(signal, f) {
  if (f.minSeverity && severityRank[signal.severity] < severityRank[f.minSeverity]) return false;
  if (f.kind && signal.kind !== f.kind) return false;
  if (f.acknowledged === 'true' && !signal.acknowledged) return false;
  if (f.acknowledged === 'false' && signal.acknowledged) return false;
  if (f.product && signal.product !== f.product) return false;
  return true;
}

async function reloadSignals() {
  const f = signalFilters(), since = arrivals;
  try {
    const page = await api.signals({ minSeverity: f.minSeverity, kind: f.kind, acknowledged: f.acknowledged, product: f.product, limit: MAX_ROWS });
    state.signals = withLive(page.items, state.signals, since, s => matches(s, signalFilters()));
    renderSignals();
  } catch (e) { handle(e, 'load signals'); }
}

function describeSignal(s) {
  const c = s.competitor ? `${s.competitor}: ` : '';
  switch (s.kind) {
    case 'competitor_price_drop': return `${c}${s.reference.toFixed(2)} → ${s.observed.toFixed(2)} (${fmtPct(-s.magnitude)})`;
    case 'demand_surge': return `${s.observed.toFixed(1)} actions/h vs usual ${s.reference.toFixed(1)} (×${(s.observed / Math.max(s.reference, 1e-9)).toFixed(1)})`;
    case 'low_inventory': return `${fmtInt(s.observed)} units left (threshold ${fmtInt(s.threshold)})`;
    case 'price_anomaly': return `${c}${s.observed.toFixed(2)} vs expected ${s.reference.toFixed(2)}${s.detail ? ' — ' + s.detail : ''}`;
    default: return `${s.observed} vs ${s.reference}`;
  }
}

// Table rows by diff: a row is built once per item (and again only when the item changes), kept across
// redraws (an open "why" stays open, a note being typed stays there), moved into order, and removed when
// the item leaves the list. New rows of a live update flash.
function syncRows(body, items, cache, keyOf, build, live, empty) {
  const placeholder = body.querySelector('tr.empty');
  if (placeholder) placeholder.remove();
  const seen = new Set();
  let next = body.firstChild;
  for (const item of items) {
    const key = keyOf(item);
    let entry = cache.get(item.id);
    if (!entry || entry.key !== key) {
      const fresh = live && !entry;
      if (entry) {
        while (entry.nodes.includes(next)) next = next.nextSibling; // the rows being replaced may be where the next one goes
        entry.nodes.forEach(n => n.remove());
      }
      entry = { key, nodes: build(item) };
      if (fresh) entry.nodes[0].classList.add('fresh');
      cache.set(item.id, entry);
    }
    seen.add(item.id);
    for (const n of entry.nodes) {
      if (n === next) next = next.nextSibling; else body.insertBefore(n, next);
    }
  }
  for (const [id, entry] of cache) if (!seen.has(id)) { entry.nodes.forEach(n => n.remove()); cache.delete(id); }
  if (!items.length) body.append(el('tr', { class: 'empty' }, el('td', { colspan: body.parentElement.tHead.rows[0].cells.length, class: 'muted' }, empty)));
}

const signalRows = new Map(), decisionRows = new Map();

function renderSignals(live = false) {
  syncRows($('signals').tBodies[0], state.signals.slice(0, MAX_ROWS), signalRows,
    s => `${s.acknowledged}|${s.acknowledgedBy}`, signalRow, live, 'no signals match');
}

function signalRow(s) {
  const ack = s.acknowledged
    ? el('span', { class: 'muted', title: s.acknowledgementNote || '' }, `ack by ${s.acknowledgedBy}`)
    : el('button', { class: 'ack', 'data-id': s.id, onclick: e => askNote(s, e.target.parentElement) }, 'Acknowledge');
  return [el('tr', { 'data-id': s.id, 'data-severity': s.severity },
    el('td', {}, fmtTime(s.time)),
    el('td', {}, el('span', { class: `sev sev-${s.severity}` }, s.severity)),
    el('td', {}, words(s.kind)),
    el('td', {}, el('a', { href: '#', onclick: e => { e.preventDefault(); selectProduct(s.product); } }, s.product)),
    el('td', {}, describeSignal(s)),
    el('td', { class: 'ack-cell' }, ack))];
}

// Acknowledge asks for an optional note in the row itself (Enter or OK acknowledges, Escape or Cancel puts the button back).
function askNote(signal, cell) {
  if (!auth.key) { banner('Sign in with an analyst (or higher) API key to acknowledge signals.'); return; }
  const button = cell.firstChild;
  const note = el('input', { class: 'ack-note', type: 'text', placeholder: 'note (optional)', 'aria-label': 'acknowledgement note', maxlength: 500 });
  const cancel = () => form.replaceWith(button);
  const form = el('form', { class: 'ack-form', onsubmit: e => { e.preventDefault(); acknowledge(signal, note.value.trim(), form, button); } },
    note, el('button', { type: 'submit', class: 'ack-ok' }, 'OK'), el('button', { type: 'button', class: 'ack-cancel', onclick: cancel }, 'Cancel'));
  note.addEventListener('keydown', e => { if (e.key === 'Escape') cancel(); });
  button.replaceWith(form);
  note.focus();
}

async function acknowledge(signal, note, form, button) {
  form.querySelectorAll('button, input').forEach(n => { n.disabled = true; });
  try {
    const updated = await api.acknowledge(signal.id, note || undefined);
    Object.assign(signal, updated);
    renderSignals();
    banner('');
  } catch (e) {
    form.replaceWith(button);
    handle(e, 'acknowledge signals');
  }
}

// ---- decisions ---------------------------------------------------------------------------------
async function reloadDecisions() {
  const since = arrivals;
  try {
    const page = await api.decisions({ limit: MAX_ROWS });
    state.decisions = withLive(page.items, state.decisions, since, () => true);
    renderDecisions();
  } catch (e) { handle(e, 'load decisions'); }
}

function renderDecisions(live = false) {
  syncRows($('decisions').tBodies[0], state.decisions.slice(0, MAX_ROWS), decisionRows, () => '', decisionRow, live, 'no decisions yet');
}

function decisionRow(d) {
  const why = d.why || {};
  const row = el('tr', { class: 'decision', 'data-id': d.id },
    el('td', {}, fmtTime(d.time)),
    el('td', {}, d.product),
    el('td', {}, fmtMoney(d.oldPrice, d.currency)),
    el('td', {}, fmtMoney(d.newPrice, d.currency)),
    el('td', { class: d.changeFraction > 0 ? 'up' : d.changeFraction < 0 ? 'down' : '' }, fmtPct(d.changeFraction)),
    el('td', {}, d.manual ? `manual (${d.decidedBy || '?'})` : `${words(why.strategy)} / arm ${why.arm}`),
    el('td', {}, words(why.trigger)));
  const detail = el('tr', { class: 'why-row', hidden: true }, el('td', { colspan: 7, class: 'why' },
    `${why.explanation || ''}${why.bounded?.length ? `\nbounds that moved it: ${why.bounded.map(words).join(', ')}` : ''}${why.targetPrice ? `\ntarget before bounds: ${fmtMoney(why.targetPrice, d.currency)}` : ''}`));
  row.addEventListener('click', () => { detail.hidden = !detail.hidden; selectProduct(d.product); });
  return [row, detail];
}

// ---- experiments -------------------------------------------------------------------------------
async function refreshExperiments() {
  try {
    const x = await api.experiments();
    drawExperiments(x.arms);
    const body = $('arms').tBodies[0];
    body.innerHTML = '';
    for (const a of x.arms) {
      body.append(el('tr', {}, el('td', {}, a.name), el('td', {}, words(a.strategy)), el('td', {}, fmtInt(a.products)), el('td', {}, fmtInt(a.decisions)),
        el('td', {}, fmtInt(a.units)), el('td', {}, fmtMoney(a.revenue, state.currency)), el('td', {}, `${fmtMoney(a.margin, state.currency)} (${fmtPct(a.marginRate)})`)));
    }
    $('exp-verdict').textContent = (x.comparisons || []).map(c => `${x.arms[c.arm]?.name ?? c.arm} vs ${x.arms[c.control]?.name ?? c.control}: ${c.verdict}${c.confidence != null ? ` (confidence ${fmtPct(c.confidence, 0)})` : ''}`).join(' · ');
  } catch (e) { handle(e, 'load the experiment'); }
}

// ---- live feed ---------------------------------------------------------------------------------
let feed = null;
function connectFeed() {
  feed?.stop();
  feed = subscribe('/api/feed', onFeed, (s, err) => {
    const live = $('live');
    live.dataset.state = s;
    live.textContent = s === 'live' ? '● live' : s === 'connecting' ? '● connecting' : `● offline${err ? ' (' + err.message + ')' : ''}`;
  });
}

// Feed items only change state; the tables are redrawn (by diff) at most once per animation frame, and
// the selected product's timeline at most once a second from what it already holds (no API call), however
// many items arrive (the server already caps each subscriber's rate and summarises the rest).
const pending = { signals: false, decisions: false, frame: 0, trend: 0 };
let feedItems = 0, renders = 0, lastTrendDraw = 0;

function scheduleRender() {
  if (pending.frame) return;
  pending.frame = requestAnimationFrame(() => {
    pending.frame = 0;
    if (pending.signals) renderSignals(true);
    if (pending.decisions) renderDecisions(true);
    pending.signals = pending.decisions = false;
    document.body.dataset.renders = String(++renders);
  });
}

function scheduleTrend() {
  if (pending.trend) return;
  const wait = Math.max(0, 1_000 - (Date.now() - lastTrendDraw));
  pending.trend = setTimeout(() => { pending.trend = 0; lastTrendDraw = Date.now(); redrawTrend(); }, wait);
}

function onFeed(type, data) {
  document.body.dataset.feedItems = String(++feedItems);
  if (type === 'signal' || type === 'decision') arrived.set(data, ++arrivals);
  if (type === 'signal') {
    if (matches(data, signalFilters())) {
      state.signals.unshift(data);
      state.signals.length = Math.min(state.signals.length, MAX_ROWS);
      pending.signals = true;
    }
    if (addToTrend('signals', data)) scheduleTrend();
  } else if (type === 'decision') {
    state.decisions.unshift(data);
    state.decisions.length = Math.min(state.decisions.length, MAX_ROWS);
    pending.decisions = true;
    if (addToTrend('decisions', data)) scheduleTrend();
  } else if (type === 'acknowledgement') {
    const s = state.signals.find(x => x.id === data.id);
    if (s) { Object.assign(s, data); pending.signals = true; }
  } else {
    if (type === 'summary' && data.dropped > 0) catchUp(data.dropped);
    return;
  }
  scheduleRender();
}

// The server sends each subscriber at most so many items a second and counts the rest in its next summary. When
// some were left out, the tables and the selected product's timeline are read again from the API (at most every
// 2 s), so a burst of the market's signals cannot hide one from the analyst.
let catchUpTimer = 0, lastCatchUp = 0, missed = 0;
function catchUp(dropped) {
  missed += dropped;
  $('live').title = `live feed: ${fmtInt(missed)} updates arrived only as counts in a burst; the tables were read again`;
  if (catchUpTimer) return;
  catchUpTimer = setTimeout(() => {
    catchUpTimer = 0;
    lastCatchUp = Date.now();
    reloadSignals();
    reloadDecisions();
    refreshProduct(true);
  }, Math.max(0, 2_000 - (Date.now() - lastCatchUp)));
}

// ---- sign-in -----------------------------------------------------------------------------------
function showIdentity() {
  const signedIn = !!auth.key;
  $('apikey').hidden = signedIn;
  $('signin-button').hidden = signedIn;
  $('signout').hidden = !signedIn;
  $('who').textContent = signedIn ? (state.role ? `signed in · ${state.role}` : 'signed in')
    : state.keyRefused ? 'viewing anonymously (the API key was refused)' : 'viewing anonymously';
}

async function signIn(key) {
  auth.key = key;
  try {
    const me = await api.whoami();
    state.role = me.role || (me.roles || []).join(', ');
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) { auth.key = null; state.keyRefused = true; banner('That API key was refused.'); showIdentity(); return false; }
    state.role = null;
  }
  state.signedIn = true;
  state.keyRefused = false;
  showIdentity();
  banner('');
  reloadAll();
  return true;
}

function reloadAll() {
  loadProducts();
  refreshOverview();
  // The product looked at last in this browser: its views load with the overview, not after it.
  const last = lastProduct.get();
  if (last && !state.product) { state.remembered = last; selectProduct(last); }
  // What lies below the first screen (the live feed, the signals and decisions tables, the experiment) loads once the
  // first screen has drawn, so its requests and rendering do not hold the first screen up. The feed connects before
  // the tables are read, so nothing that happens in between is missed.
  firstScreenDrawn.then(() => {
    connectFeed();
    reloadSignals();
    reloadDecisions();
    refreshExperiments();
  });
}

function start() {
  $('signin').addEventListener('submit', e => { e.preventDefault(); const k = $('apikey').value.trim(); if (k) signIn(k); });
  $('signout').addEventListener('click', () => { auth.key = null; state.role = null; showIdentity(); reloadAll(); });
  $('product').addEventListener('change', e => selectProduct(e.target.value.trim()));
  for (const id of ['filter-severity', 'filter-kind', 'filter-ack', 'filter-product']) $(id).addEventListener('change', reloadSignals);
  showIdentity();
  // A key kept from earlier in this tab that is refused now: the market as an anonymous viewer sees it (where allowed).
  if (auth.key) signIn(auth.key).then(ok => { if (!ok) reloadAll(); }); else reloadAll();
  setInterval(refreshOverview, 5_000);
  setInterval(() => refreshProduct(false), 5_000);
  setInterval(refreshExperiments, 10_000);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
