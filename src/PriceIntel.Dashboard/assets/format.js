// Number, money and time formatting shared by the views.
const money = new Map();
export function fmtMoney(value, currency = 'USD') {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  if (!money.has(currency)) {
    try { money.set(currency, new Intl.NumberFormat(undefined, { style: 'currency', currency })); }
    catch { money.set(currency, new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 })); }
  }
  return money.get(currency).format(value);
}
export const fmtInt = v => (v === null || v === undefined) ? '–' : Math.round(v).toLocaleString();
export const fmtPct = (v, digits = 1) => (v === null || v === undefined || !Number.isFinite(v)) ? '–' : `${(v * 100).toFixed(digits)}%`;
export const fmtTime = t => t ? new Date(t).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' }) : '–';
export const words = s => (s || '').replaceAll('_', ' ');
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}
