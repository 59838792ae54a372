/**
 * bench:prelabel — faces per second for detection + age/gender in headless Chromium, per backend:
 * Facet's pre-label worker (as trained: flip TTA; and without it) against face-api's own SSD +
 * age/gender pipeline run in the same page on the same photos, with recall, age MAE and gender
 * accuracy of each. Bundles its own page with esbuild and serves it (no Next build needed).
 * Usage: npm run bench:prelabel -- [--singles 40] [--groups 4] [--backends wasm,webgl] [--slow-photos 8] [--webgpu-fallback]
 *   [--models r0,ag-all] [--scans auto,fine] [--mirrors uncertain,all,none] [--workers 1,2] [--coarse 320,256]
 * --models: r0 (shipped) and any variant trained into .cache/models/agegender/<id> by scripts/train-round0.ts.
 * --scans: detector strategies (lib/ml/face-scan.ts); `fine` alone is the one-pass 608 px detector of before.
 * --coarse: long side of the coarse detector pass (lib/ml/face-scan.ts coarseInputSize, multiple of 32).
 * --mirrors: which faces get the mirrored second pass (lib/ml/predict.ts MirrorMode); the first listed is the default.
 * --workers: pre-label workers analysing photos at once (the app uses one per core on wasm, lib/ml/prelabel-pool.ts);
 *   face-api runs as a library does, on the page's thread. Stage times are summed over workers (busy time, not wall).
 * --profile: first print stage times measured on the page's thread (decode steps, detector passes, each backbone
 *   at batch 1/2/4); --profile-only: only that.
 * webgl here is SwiftShader (software): it runs only the first --slow-photos photos.
 */
import { createReadStream, existsSync, mkdirSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { build } from 'esbuild';
import { launchBrowser } from '../tests/support/browser';
import { type BenchPhoto, type Found, benchPhotos, score } from './prelabel-data';

const OUT = path.resolve('bench/out/prelabel');
const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : def;
};
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.bin': 'application/octet-stream', '.html': 'text/html' };

function serve(): Promise<{ url: string; close: () => void }> {
  const routes: [string, string][] = [
    ['/bench/', OUT],
    ['/models/', path.resolve('public/models')],
    ['/cache-models/', path.resolve('.cache/models')],
    ['/tfjs-wasm/', path.resolve('public/tfjs-wasm')],
  ];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x').pathname;
    if (url === '/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end('<!doctype html><meta charset="utf-8"><script type="module" src="/bench/prelabel-page.js"></script>');
    }
    const route = routes.find(([prefix]) => url.startsWith(prefix));
    const file = route && path.join(route[1], path.normalize(url.slice(route[0].length)));
    if (!file || !file.startsWith(route[1]) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404);
      return res.end();
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() })));
}

type Stages = { decodeMs: number; detectMs: number; headsMs: number; twoPass: number };
type Run = { ms: number; found: Found[][]; backend: string; stages?: Stages };

function line(label: string, photos: BenchPhoto[], run: Run) {
  const s = score(photos, run.found);
  const fps = s.faces / (run.ms / 1000);
  const extra = run.found.flat().length - Math.round(s.recall * s.faces);
  const per = (ms: number) => (ms / photos.length).toFixed(0);
  const stages = run.stages
    ? `  [decode ${per(run.stages.decodeMs)} + detect ${per(run.stages.detectMs)} + age/gender ${per(run.stages.headsMs)} ms; ${run.stages.twoPass} two-pass]`
    : '';
  console.log(
    `${label.padEnd(34)} ${fps.toFixed(2).padStart(7)} faces/s  ${per(run.ms).padStart(5)} ms/photo  ` +
      `recall ${(s.recall * 100).toFixed(1)}% (+${extra} other boxes)  MAE ${s.mae.toFixed(2)}  gender ${(s.genderAcc * 100).toFixed(1)}%${stages}`,
  );
  return fps;
}

const modelPath = (id: string) => (id === 'r0' ? 'models/agegender/r0' : `cache-models/agegender/${id}`);

async function main() {
  if (!existsSync('public/tfjs-wasm') || !existsSync('public/models/vendor/face-api')) throw new Error('run npm install first (postinstall copies the wasm binaries and weights)');
  mkdirSync(OUT, { recursive: true });
  await build({
    entryPoints: { 'prelabel-page': 'bench/prelabel-page.ts', 'prelabel.worker': 'lib/ml/prelabel.worker.ts' },
    outdir: OUT,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    minify: true,
    logLevel: 'error',
    define: { 'process.env.NODE_ENV': '"production"' },
    external: ['fs', 'path', 'crypto', 'worker_threads', 'os', 'util'],
  });
  const singles = Number(arg('--singles', '40'));
  const groups = Number(arg('--groups', '4'));
  const backends = arg('--backends', 'wasm,webgl').split(',') as ('wasm' | 'webgl')[];
  const { source, photos } = await benchPhotos(singles, groups);
  const nFaces = photos.reduce((s, p) => s + p.faces.length, 0);
  console.log(`bench:prelabel — ${photos.length} photos (${singles} single-face 640×480, ${groups} × 8-face 1280×720), ${nFaces} faces; ${source}`);
  const { url, close } = await serve();
  const browser = await launchBrowser({ webgpu: process.argv.includes('--webgpu-fallback') });
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await page.goto(url);
    await page.waitForFunction(() => 'benchFacet' in window);
    const b64 = photos.map((p) => p.jpeg.toString('base64'));
    const call = (fn: string, backend: string, list: string[], options: object = {}) =>
      page.evaluate(({ fn, backend, list, options }) => (window as unknown as Record<string, (...a: unknown[]) => Promise<Run>>)[fn](backend, list, options), { fn, backend, list, options });
    const slow = Number(arg('--slow-photos', '8'));
    if (process.argv.includes('--profile') || process.argv.includes('--profile-only')) {
      // Stage times on the page's thread (median of 7), then the usual runs.
      const rows = await page.evaluate((list) => (window as unknown as { benchProfile: (b: string, l: string[]) => Promise<[string, number][]> }).benchProfile('wasm', list), b64);
      console.log('\n[wasm profile, page thread, median of 7]');
      for (const [label, ms] of rows) console.log(`  ${label.padEnd(46)} ${ms.toFixed(1).padStart(7)} ms`);
      if (process.argv.includes('--profile-only')) return;
    }
    for (const backend of backends) {
      // A few singles and one group photo when the backend is slow.
      const set = backend === 'wasm' ? photos : [...photos.slice(0, slow - 1), photos[photos.length - 1]];
      const list = set.map((p) => p.jpeg.toString('base64'));
      console.log(`\n[${backend}] ${set.length} photos, ${set.reduce((s, p) => s + p.faces.length, 0)} faces`);
      const base = line(`face-api SSD + ageGender`, set, await call('benchFaceApi', backend, list));
      for (const model of arg('--models', 'r0').split(',')) {
        for (const scan of arg('--scans', 'auto,fine').split(',')) {
          for (const mirror of arg('--mirrors', 'uncertain,all,none').split(',')) {
            for (const workers of arg('--workers', '1,2').split(',').map(Number)) {
              for (const coarseInputSize of arg('--coarse', '320').split(',').map(Number)) {
                if (backend !== 'wasm' && workers > 1) continue;
                const run = await call('benchFacet', backend, list, { modelPath: modelPath(model), scan, mirror, workers, coarseInputSize });
                const coarse = coarseInputSize === 320 ? '' : ` coarse ${coarseInputSize}`;
                const fps = line(`Facet ${model}, ${scan}${coarse} scan, mirror ${mirror}, ${workers} worker${workers > 1 ? 's' : ''}`, set, run);
                console.log(`${''.padEnd(34)} ratio vs face-api: ${(fps / base).toFixed(2)}× (goal ≥ 10×)`);
              }
            }
          }
        }
      }
    }
    if (process.argv.includes('--webgpu-fallback')) {
      const few = photos.slice(0, 3);
      console.log('\n[webgpu, SwiftShader fallback adapter — 3 photos]');
      line('Facet (flip TTA)', few, await call('benchFacet', 'webgpu', b64.slice(0, 3)));
    }
  } finally {
    await browser.close();
    close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
