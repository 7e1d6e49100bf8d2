// The PriceIntel HTTP API, as the dashboard uses it. Credentials: an API key kept for this browser
// tab only (sessionStorage), sent as X-Api-Key; without one the dashboard reads anonymously where the
// host allows it (the local demo does; acknowledging and pricing always need a signed-in role).
const KEY = 'priceintel.apiKey';

export class ApiError extends Error {
  constructor(status, title, detail) {
    super(detail ? `${title}: ${detail}` : title);
    this.status = status;
  }
}

export const auth = {
  get key() { return sessionStorage.getItem(KEY); },
  set key(value) { value ? sessionStorage.setItem(KEY, value) : sessionStorage.removeItem(KEY); },
  headers() { return this.key ? { 'X-Api-Key': this.key } : {}; },
};

async function request(method, path, body) {
  const init = { method, headers: { Accept: 'application/json', ...auth.headers() } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  if (!response.ok) {
    let title = `${response.status} ${response.statusText}`, detail = '';
    try {
      const problem = await response.json();
      title = problem.title || title;
      detail = problem.detail || Object.values(problem.errors || {}).flat().join('; ');
    } catch { /* not a problem document */ }
    throw new ApiError(response.status, title, detail);
  }
  return response.status === 204 ? null : response.json();
}

const query = params => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
};

export const api = {
  whoami: () => request('GET', '/api/me'),
  overview: () => request('GET', '/api/overview'),
  products: (params = {}) => request('GET', `/api/products${query(params)}`),
  product: sku => request('GET', `/api/products/${encodeURIComponent(sku)}`),
  board: sku => request('GET', `/api/products/${encodeURIComponent(sku)}/board`),
  history: (sku, params = {}) => request('GET', `/api/products/${encodeURIComponent(sku)}/history${query(params)}`),
  demand: (sku, params = {}) => request('GET', `/api/products/${encodeURIComponent(sku)}/demand${query(params)}`),
  signals: (params = {}) => request('GET', `/api/signals${query(params)}`),
  acknowledge: (id, note) => request('PUT', `/api/signals/${encodeURIComponent(id)}/acknowledge`, { note }),
  decisions: (params = {}) => request('GET', `/api/decisions${query(params)}`),
  experiments: () => request('GET', '/api/experiments'),
};

// Server-Sent Events over fetch (EventSource cannot send the API key header). Calls onEvent(type, data)
// for each event, onState('live' | 'connecting' | 'down') as the connection changes, and reconnects
// with backoff until stop() is called.
export function subscribe(path, onEvent, onState) {
  let controller = null, stopped = false, delay = 500;
  const run = async () => {
    while (!stopped) {
      controller = new AbortController();
      onState('connecting');
      try {
        const response = await fetch(path, { headers: { Accept: 'text/event-stream', ...auth.headers() }, signal: controller.signal });
        if (!response.ok) throw new ApiError(response.status, `${response.status} ${response.statusText}`);
        onState('live');
        delay = 500;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let type = 'message', data = '';
            for (const line of block.split('\n')) {
              if (line.startsWith('event:')) type = line.slice(6).trim();
              else if (line.startsWith('data:')) data += (data ? '\n' : '') + line.slice(5).trimStart();
            }
            if (data) {
              try { onEvent(type, JSON.parse(data)); } catch (e) { console.warn('feed: bad event', type, e); }
            }
          }
        }
      } catch (e) {
        if (stopped) return;
        onState('down', e);
      }
      if (!stopped) {
        await new Promise(r => setTimeout(r, delay));
        delay = Math.min(delay * 2, 10_000);
      }
    }
  };
  run();
  return { stop() { stopped = true; controller?.abort(); }, restart() { controller?.abort(); } };
}
