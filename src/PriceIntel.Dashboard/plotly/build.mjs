// Builds assets/lib/plotly.min.js (the dashboard's custom plotly.js bundle) and assets/lib/plotly.LICENSES.txt
// (the licence of every npm package inside it) from the versions package-lock.json pins:
//   npm ci && npm run build:plotly        (in src/PriceIntel.Dashboard)
// Same options as plotly.js's own dist build (esbuild-config.js: iife, global Plotly, global → window, no AMD,
// es2016), minified. The output is deterministic: rebuilding from the same lock gives the same bytes.
import { build } from 'esbuild';
import { readFileSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'assets', 'lib');
const plotly = JSON.parse(readFileSync(join(root, 'node_modules', 'plotly.js', 'package.json'), 'utf8'));

const result = await build({
  entryPoints: [join(root, 'plotly', 'entry.js')],
  outfile: join(out, 'plotly.min.js'),
  bundle: true, minify: true, format: 'iife', globalName: 'Plotly', target: 'es2016',
  define: { global: 'window', 'define.amd': 'false' },
  // maplibre-gl's stylesheet is imported by code the core carries but the page never runs (no map traces).
  loader: { '.css': 'empty' },
  legalComments: 'none',
  banner: { js: `/*! plotly.js ${plotly.version} (MIT), custom bundle: core + scatter + bar. Licences of everything inside: plotly.LICENSES.txt */` },
  metafile: true, logLevel: 'warning',
});

// Every package that has code in the bundle, with its licence text.
const packages = new Map();
for (const [input, info] of Object.entries(result.metafile.outputs[Object.keys(result.metafile.outputs)[0]].inputs)) {
  if (!info.bytesInOutput) continue;
  const parts = input.split(/[\\/]/);
  const at = parts.lastIndexOf('node_modules');
  if (at < 0) continue;
  const name = parts[at + 1].startsWith('@') ? `${parts[at + 1]}/${parts[at + 2]}` : parts[at + 1];
  const dir = join(root, ...parts.slice(0, at + 1), ...name.split('/'));
  if (!packages.has(name)) packages.set(name, dir);
}
const sections = [...packages].sort(([a], [b]) => a.localeCompare(b)).map(([name, dir]) => {
  const meta = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const file = readdirSync(dir).find(f => /^(licen[cs]e|copying)(\.|$)/i.test(f));
  const text = file ? readFileSync(join(dir, file), 'utf8').trim() : `${meta.license} (no licence file in the package)`;
  return `${name} ${meta.version} — ${meta.license}\n${'-'.repeat(72)}\n${text}\n`;
});
writeFileSync(join(out, 'plotly.LICENSES.txt'),
  `Third-party software in plotly.min.js (built by src/PriceIntel.Dashboard/plotly/build.mjs)\n\n${sections.join('\n\n')}`.replaceAll('\r\n', '\n'));
console.log(`plotly.min.js: ${readFileSync(join(out, 'plotly.min.js')).length} bytes, ${packages.size} packages`);
