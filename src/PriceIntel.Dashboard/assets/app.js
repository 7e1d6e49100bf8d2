// The PriceIntel market view: loads the API's views, keeps them fresh from the live feed (which the
// server throttles and summarises), and redraws charts at most every few seconds.
import { api, auth, subscribe, ApiError } from './api.js';
import { drawTrend, drawCompetitors, drawDemand, drawExperiments } from './charts.js';
import { el, fmtMoney, fmtInt, fmtPct, fmtTime, words } from './format.js';

const MAX_ROWS = 50;
const state = { catalog: new Set(), openWhy: new Set(), product: null, currency: 'USD', signals: [], decisions: [], signedIn: false, role: null, readable: true };
const $ = id => document.getElementById(id);
const severityRank = { info: 0, warning: 1, critical: 2 };

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
async function refreshOverview() {
  try {
    const o = await api.overview();
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
    if (o.demand) drawDemand(o.demand);
    if (!state.product && o.busiestProducts?.length) selectProduct(o.busiestProducts[0]);
    banner('');
  } catch (e) { handle(e, 'load the key metrics'); }
}

// ---- product views ---------------------------------------------------------------------------
async function loadProducts() {
  try {
    const page = await api.products({ limit: 500 });
    const list = $('products');
    list.innerHTML = '';
    state.catalog = new Set(page.items.map(p => p.sku));
    for (const p of page.items) list.append(el('option', { value: p.sku }, p.name));
  } catch (e) { handle(e, 'list products'); }
}

function selectProduct(sku) {
  if (!sku || sku === state.product) return;
  state.product = sku;
  $('product').value = sku;
  refreshProduct(true);
  if ($('filter-product').checked) reloadSignals();
}

let productTimer = 0, lastTrend = 0;
async function refreshProduct(withTrend) {
  const sku = state.product;
  if (!sku) return;
  try {
    // A catalog product comes with its board; one seen only in the market's events has the engine's board alone.
    const product = state.catalog.has(sku)
      ? await api.product(sku)
      : { sku, name: sku, board: await api.board(sku).catch(e => { if (e instanceof ApiError && e.status === 404) return null; throw e; }) };
    if (sku !== state.product) return;
    const board = product.board;
    state.currency = board?.currency || product.currency || state.currency;
    $('board-summary').textContent = board
      ? `${product.name} · ours ${fmtMoney(board.ourPrice, state.currency)} · lowest ${fmtMoney(board.lowest, state.currency)} · rank ${board.rank} of ${board.competitors.length + 1} · gap ${fmtPct(board.gapToLowest)} · stock ${fmtInt(board.unitsOnHand)} · arm ${board.arm}`
      : `${product.name} · no market data yet`;
    drawCompetitors(board);
    const w = [...(board?.demandWindows || [])].sort((a, b) => a.windowMinutes - b.windowMinutes)[0];
    $('board-demand').textContent = w ? `last ${w.windowMinutes} min: ${fmtInt(w.views)} views · ${fmtInt(w.addToCarts)} carts · ${fmtInt(w.purchases)} purchases · conversion ${fmtPct(w.conversion)}` : '';
    if (withTrend || Date.now() - lastTrend > 10_000) {
      lastTrend = Date.now();
      const to = new Date();
      const [history, decisions, signals] = await Promise.all([
        api.history(sku, { size: 'minute', limit: 1000 }),
        api.decisions({ product: sku, limit: 200 }),
        api.signals({ product: sku, limit: 200 }),
      ]);
      if (sku === state.product) drawTrend(history, decisions.items, signals.items, state.currency);
    }
  } catch (e) { handle(e, `load product ${sku}`); }
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
  const f = signalFilters();
  try {
    const page = await api.signals({ minSeverity: f.minSeverity, kind: f.kind, acknowledged: f.acknowledged, product: f.product, limit: MAX_ROWS });
    state.signals = page.items;
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

function renderSignals(freshId) {
  const body = $('signals').tBodies[0];
  body.innerHTML = '';
  for (const s of state.signals.slice(0, MAX_ROWS)) {
    const ack = s.acknowledged
      ? el('span', { class: 'muted', title: s.acknowledgementNote || '' }, `ack by ${s.acknowledgedBy}`)
      : el('button', { class: 'ack', 'data-id': s.id, onclick: () => acknowledge(s) }, 'Acknowledge');
    body.append(el('tr', { class: s.id === freshId ? 'fresh' : '', 'data-id': s.id, 'data-severity': s.severity },
      el('td', {}, fmtTime(s.time)),
      el('td', {}, el('span', { class: `sev sev-${s.severity}` }, s.severity)),
      el('td', {}, words(s.kind)),
      el('td', {}, el('a', { href: '#', onclick: e => { e.preventDefault(); selectProduct(s.product); } }, s.product)),
      el('td', {}, describeSignal(s)),
      el('td', {}, ack)));
  }
  if (!state.signals.length) body.append(el('tr', {}, el('td', { colspan: 6, class: 'muted' }, 'no signals match')));
}

async function acknowledge(signal) {
  if (!auth.key) { banner('Sign in with an analyst (or higher) API key to acknowledge signals.'); return; }
  const note = prompt(`Acknowledge the ${words(signal.kind)} on ${signal.product}. Note (optional):`, '');
  if (note === null) return;
  try {
    const updated = await api.acknowledge(signal.id, note || undefined);
    Object.assign(signal, updated);
    renderSignals();
    banner('');
  } catch (e) { handle(e, 'acknowledge signals'); }
}

// ---- decisions ---------------------------------------------------------------------------------
async function reloadDecisions() {
  try {
    const page = await api.decisions({ limit: MAX_ROWS });
    state.decisions = page.items;
    renderDecisions();
  } catch (e) { handle(e, 'load decisions'); }
}

function renderDecisions(freshId) {
  const body = $('decisions').tBodies[0];
  body.innerHTML = '';
  for (const d of state.decisions.slice(0, MAX_ROWS)) {
    const why = d.why || {};
    const row = el('tr', { class: `decision ${d.id === freshId ? 'fresh' : ''}`, 'data-id': d.id },
      el('td', {}, fmtTime(d.time)),
      el('td', {}, d.product),
      el('td', {}, fmtMoney(d.oldPrice, d.currency)),
      el('td', {}, fmtMoney(d.newPrice, d.currency)),
      el('td', { class: d.changeFraction > 0 ? 'up' : d.changeFraction < 0 ? 'down' : '' }, fmtPct(d.changeFraction)),
      el('td', {}, d.manual ? `manual (${d.decidedBy || '?'})` : `${words(why.strategy)} / arm ${why.arm}`),
      el('td', {}, words(why.trigger)));
    const detail = el('tr', { class: 'why-row', hidden: !state.openWhy.has(d.id) }, el('td', { colspan: 7, class: 'why' },
      `${why.explanation || ''}${why.bounded?.length ? `\nbounds that moved it: ${why.bounded.map(words).join(', ')}` : ''}${why.targetPrice ? `\ntarget before bounds: ${fmtMoney(why.targetPrice, d.currency)}` : ''}`));
    // An open "why" stays open when live decisions redraw the table.
    row.addEventListener('click', () => { detail.hidden = !detail.hidden; if (detail.hidden) state.openWhy.delete(d.id); else state.openWhy.add(d.id); selectProduct(d.product); });
    body.append(row, detail);
  }
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

// Feed items only change state; the tables are redrawn at most once per animation frame, and the
// selected product's timeline at most once a second, however many items arrive (the server already
// caps each subscriber's rate and summarises the rest).
const pending = { signals: false, decisions: false, freshSignal: null, freshDecision: null, frame: 0, trend: 0 };
let feedItems = 0, renders = 0;

function scheduleRender() {
  if (pending.frame) return;
  pending.frame = requestAnimationFrame(() => {
    pending.frame = 0;
    if (pending.signals) renderSignals(pending.freshSignal);
    if (pending.decisions) renderDecisions(pending.freshDecision);
    pending.signals = pending.decisions = false;
    pending.freshSignal = pending.freshDecision = null;
    document.body.dataset.renders = String(++renders);
  });
}

function scheduleTrend() {
  if (pending.trend) return;
  const wait = Math.max(0, 1_000 - (Date.now() - lastTrend));
  pending.trend = setTimeout(() => { pending.trend = 0; refreshProduct(true); }, wait);
}

function onFeed(type, data) {
  document.body.dataset.feedItems = String(++feedItems);
  if (type === 'signal') {
    if (matches(data, signalFilters())) {
      state.signals.unshift(data);
      state.signals.length = Math.min(state.signals.length, MAX_ROWS);
      pending.signals = true;
      pending.freshSignal = data.id;
    }
    if (data.product === state.product) scheduleTrend();
  } else if (type === 'decision') {
    state.decisions.unshift(data);
    state.decisions.length = Math.min(state.decisions.length, MAX_ROWS);
    pending.decisions = true;
    pending.freshDecision = data.id;
    if (data.product === state.product) scheduleTrend();
  } else if (type === 'acknowledgement') {
    const s = state.signals.find(x => x.id === data.id);
    if (s) { Object.assign(s, data); pending.signals = true; }
  } else {
    return;
  }
  scheduleRender();
}

// ---- sign-in -----------------------------------------------------------------------------------
function showIdentity() {
  const signedIn = !!auth.key;
  $('apikey').hidden = signedIn;
  $('signin-button').hidden = signedIn;
  $('signout').hidden = !signedIn;
  $('who').textContent = signedIn ? (state.role ? `signed in · ${state.role}` : 'signed in') : 'viewing anonymously';
}

async function signIn(key) {
  auth.key = key;
  try {
    const me = await api.whoami();
    state.role = me.role || (me.roles || []).join(', ');
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) { auth.key = null; banner('That API key was refused.'); showIdentity(); return; }
    state.role = null;
  }
  state.signedIn = true;
  showIdentity();
  banner('');
  reloadAll();
}

function reloadAll() {
  connectFeed();
  refreshOverview();
  loadProducts();
  reloadSignals();
  reloadDecisions();
  refreshExperiments();
}

function start() {
  $('signin').addEventListener('submit', e => { e.preventDefault(); const k = $('apikey').value.trim(); if (k) signIn(k); });
  $('signout').addEventListener('click', () => { auth.key = null; state.role = null; showIdentity(); reloadAll(); });
  $('product').addEventListener('change', e => selectProduct(e.target.value.trim()));
  for (const id of ['filter-severity', 'filter-kind', 'filter-ack', 'filter-product']) $(id).addEventListener('change', reloadSignals);
  showIdentity();
  if (auth.key) signIn(auth.key); else reloadAll();
  setInterval(refreshOverview, 5_000);
  setInterval(() => refreshProduct(false), 5_000);
  setInterval(refreshExperiments, 10_000);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
