/** Builds the dashboard into dashboard/dist with esbuild (run by `npm start` before the gateway). */
import { copyFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const dist = here('./dist/');
mkdirSync(dist, { recursive: true });
const started = performance.now();
/** A Preact page bundle: one ES module with its source map. */
const page = (entry: string, outfile: string) =>
  build({
    entryPoints: [here(entry)],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outfile,
    metafile: true,
    logLevel: 'warning',
  });
const result = await page('./src/main.tsx', `${dist}app.js`);
// the operations centre's fleet page (`gateway central` serves dashboard/dist/fleet/ at its root)
const fleet = await page('./src/fleet/fleet-main.tsx', `${dist}fleet/fleet.js`);
// the contractor app's service worker, served from the root so its scope is the whole app
const worker = await build({
  entryPoints: [here('./src/sw.ts')],
  bundle: true,
  format: 'iife',
  target: 'es2022',
  minify: true,
  outfile: `${dist}sw.js`,
  metafile: true,
  logLevel: 'warning',
});
copyFileSync(here('./src/index.html'), `${dist}index.html`);
copyFileSync(here('./src/styles.css'), `${dist}styles.css`);
copyFileSync(here('./src/fleet/index.html'), `${dist}fleet/index.html`);
copyFileSync(here('./src/fleet/fleet.css'), `${dist}fleet/fleet.css`);
copyFileSync(here('../node_modules/uplot/dist/uPlot.min.css'), `${dist}uPlot.min.css`);
const bytes = [result, worker, fleet].flatMap((r) => Object.values(r.metafile.outputs)).reduce((n, o) => n + o.bytes, 0);
process.stdout.write(`dashboard built in ${Math.round(performance.now() - started)} ms (${Math.round(bytes / 1024)} KiB incl. source map) → ${dist}\n`);
