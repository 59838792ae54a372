/**
 * The browser pre-labeling pipeline in Debian Chromium (WebGPU enabled = SwiftShader's fallback
 * adapter): auto backend choice, forced backends agreeing with each other and with Node, preprocessing
 * parity with Node, WebGPU device loss, a broken model, and the settings page self-test.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BACKBONES } from '@/lib/ml/backbones';
import { loadDetectorNode } from '@/lib/ml/detector.node';
import { decodeImageSized } from '@/lib/ml/image.node';
import { loadAgeGenderModelNode } from '@/lib/ml/model.node';
import { runPipeline } from '@/lib/ml/pipeline';
import type { PrelabelResult } from '@/lib/ml/prelabel-client';
import { type PreprocessSpec, preprocessFace } from '@/lib/ml/preprocess';
import { launchBrowser } from '../support/browser';
import { ADMIN } from './global-setup';

const baseURL = inject('baseURL');
const FACES = path.resolve('tests/fixtures/faces');
const chips = readdirSync(FACES).filter((f) => f.endsWith('.jpg')).sort().map((f) => path.join(FACES, f));

let browser: BrowserContext;
let page: Page;
const photos: { name: string; png: Buffer }[] = [];

/**
 * Lossless PNG "photos", long side 608. The coarse detector pass (320) sees a copy the browser resizes
 * natively while decoding and Node resizes in JS, so boxes agree to one coarse-input pixel (608/320 =
 * 1.9 photo pixels), not to the bit, and predictions as closely as between backends.
 */
async function photo(files: string[], width: number, height: number, places: { x: number; y: number; s: number }[]) {
  const layers = await Promise.all(places.map(async (p, i) => ({ input: await sharp(files[i]).resize(p.s, p.s).toBuffer(), left: p.x, top: p.y })));
  return sharp({ create: { width, height, channels: 3, background: '#8a8f98' } }).composite(layers).png().toBuffer();
}

async function inPage<T>(fn: string, arg: unknown): Promise<T> {
  return page.evaluate(
    async ({ fn, arg }) => {
      const b64 = (s: string) => new Blob([Uint8Array.from(atob(s), (c) => c.charCodeAt(0))], { type: 'image/png' });
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      return new Function('ml', 'arg', 'b64', `return (${fn})(ml, arg, b64)`)(window.__facetMl, arg, b64);
    },
    { fn, arg },
  ) as Promise<T>;
}

const PRELABEL_ALL = `async (ml, arg, b64) => {
  const p = await ml.createPrelabeler({ backend: arg.backend });
  const results = [];
  for (const png of arg.pngs) results.push(await p.prelabel(b64(png)));
  const info = { ...p.info };
  p.dispose();
  return { info, results };
}`;

beforeAll(async () => {
  photos.push({ name: 'one face', png: await photo([chips[4]], 608, 456, [{ x: 200, y: 128, s: 200 }]) });
  photos.push({
    name: 'three faces',
    png: await photo([chips[3], chips[9], chips[8]], 608, 456, [
      { x: 40, y: 16, s: 200 },
      { x: 360, y: 24, s: 200 },
      { x: 200, y: 240, s: 200 },
    ]),
  });
  browser = await launchBrowser({ webgpu: true });
  page = await browser.newPage();
  await page.goto(`${baseURL}/signin`);
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/images$/, { waitUntil: 'commit' });
  await page.goto(`${baseURL}/settings/ml`);
  await page.getByTestId('ml-backend').waitFor({ timeout: 90_000 });
});

afterAll(async () => {
  await browser?.close();
});

type Run = { info: { backend: string; backendReason: string; model: string }; results: PrelabelResult[] };
const runs: Record<string, Run> = {};
const text = async (id: string) => (await page.getByTestId(id).textContent({ timeout: 90_000 })) ?? '';

describe('browser ML', () => {
  it('auto never takes the software WebGPU adapter; it says why', async () => {
    expect(await text('ml-adapter')).toContain('isFallbackAdapter: true');
    const backend = await page.getByTestId('ml-backend').textContent();
    expect(['wasm', 'webgl']).toContain(backend);
    expect(await text('ml-reason')).toContain('software fallback');
    expect(await text('ml-probes')).toContain('wasm');
    expect(await text('ml-model')).toBe('agegender/r0');
  });

  it('the same crop tensor in Chromium and in Node (within 1e-4)', async () => {
    const ref = BACKBONES['faceapi-recognition'];
    const spec: PreprocessSpec = { ...ref.preprocess, cropMargin: 0.1 };
    const box = { x: 93.5, y: 101.25, width: 207, height: 190 };
    const { image } = await decodeImageSized(photos[0].png);
    const node = preprocessFace(image, box, spec);
    const browserCrop = await inPage<number[]>(
      `async (ml, arg, b64) => { const w = new ml.PrelabelWorker(); const out = await w.crop(b64(arg.png), arg.box, arg.spec); w.terminate(); return Array.from(out); }`,
      { png: photos[0].png.toString('base64'), box, spec },
    );
    expect(browserCrop).toHaveLength(node.length);
    let max = 0;
    for (let i = 0; i < node.length; i++) max = Math.max(max, Math.abs(node[i] - browserCrop[i]));
    expect(max).toBeLessThan(1e-4);
  });

  it('wasm in the browser finds the faces Node finds, with the same predictions', async () => {
    runs.wasm = await inPage<Run>(PRELABEL_ALL, { backend: 'wasm', pngs: photos.map((p) => p.png.toString('base64')) });
    expect(runs.wasm.info.backend).toBe('wasm');
    expect(runs.wasm.info.model).toBe('agegender/r0');
    const detector = await loadDetectorNode();
    const model = await loadAgeGenderModelNode(path.resolve('public/models/agegender/r0'));
    for (const [i, p] of photos.entries()) {
      const { image, original } = await decodeImageSized(p.png);
      const node = await runPipeline(detector, model, image, original);
      const got = runs.wasm.results[i];
      expect(got.faces, p.name).toHaveLength(node.length);
      expect(got.faces.length).toBe(i === 0 ? 1 : 3);
      node.forEach((n, k) => {
        expect(Math.abs(got.faces[k].box.x - n.box.x)).toBeLessThan(2);
        expect(Math.abs(got.faces[k].box.w - n.box.width)).toBeLessThan(2);
        expect(Math.abs(got.faces[k].pMale - n.pMale)).toBeLessThan(0.02);
        expect(Math.abs(got.faces[k].age - n.age)).toBeLessThan(0.5);
        expect(got.faces[k].ageProbs).toHaveLength(24);
      });
    }
  });

  /** Same faces, boxes, scores and predictions as wasm on the first photo, within tolerance. */
  function expectAgreesWithWasm(result: PrelabelResult) {
    const ref = runs.wasm.results[0];
    expect(result.faces).toHaveLength(ref.faces.length);
    result.faces.forEach((f, k) => {
      const g = ref.faces[k];
      expect(Math.abs(f.box.x - g.box.x)).toBeLessThan(2);
      expect(Math.abs(f.box.w - g.box.w)).toBeLessThan(2);
      expect(Math.abs(f.detScore - g.detScore)).toBeLessThan(0.02);
      expect(Math.abs(f.pMale - g.pMale)).toBeLessThan(0.02);
      expect(Math.abs(f.age - g.age)).toBeLessThan(0.5);
    });
  }

  // One photo each: on these software adapters shader compilation and every pass take seconds.
  it('forced webgl agrees with wasm on real faces', async () => {
    const run = await inPage<Run>(PRELABEL_ALL, { backend: 'webgl', pngs: [photos[0].png.toString('base64')] });
    expect(run.info.backend).toBe('webgl');
    expect(run.info.backendReason).toMatch(/forced/);
    expectAgreesWithWasm(run.results[0]);
  }, 240_000);

  it('forced webgpu agrees with wasm; a lost device mid-batch switches backend and the image still finishes', async () => {
    const out = await inPage<{ before: string; forced: string; first: PrelabelResult; after: string; reason: string; second: PrelabelResult }>(
      `async (ml, arg, b64) => {
        const w = new ml.PrelabelWorker();
        const init = await w.call({ type: 'init', backend: 'webgpu', modelUrl: location.origin + '/models/agegender/r0', detectorUrl: location.origin + '/models/vendor/face-api' });
        const first = await w.call({ type: 'prelabel', image: b64(arg.png) });
        await w.call({ type: 'lose-device' });
        const second = await w.call({ type: 'prelabel', image: b64(arg.png) });
        const out = { before: init.backend, forced: init.backendReason, first, after: w.info.backend, reason: w.info.backendReason, second };
        w.terminate();
        return out;
      }`,
      { png: photos[0].png.toString('base64') },
    );
    expect(out.before).toBe('webgpu');
    expect(out.forced).toMatch(/forced/);
    expectAgreesWithWasm(out.first);
    expect(['wasm', 'webgl']).toContain(out.after);
    expect(out.reason).toMatch(/WebGPU failed/);
    expectAgreesWithWasm(out.second);
  }, 300_000);

  it('a missing or corrupt model rejects with a clear error', async () => {
    const missing = await inPage<string>(`async (ml) => ml.createPrelabeler({ backend: 'wasm', modelUrl: '/models/agegender/nope' }).then(() => 'resolved', (e) => e.message)`, {});
    expect(missing).toMatch(/could not load the age\/gender model .*nope.*HTTP 404/);
    const manifest = readFileSync('public/models/agegender/r0/manifest.json');
    const weights = readFileSync('public/models/agegender/r0/weights.bin');
    await browser.route('**/models/corrupt/**', (route) => {
      const url = route.request().url();
      if (url.endsWith('manifest.json')) return route.fulfill({ body: manifest, contentType: 'application/json' });
      if (url.endsWith('model.json')) return route.fulfill({ body: readFileSync('public/models/agegender/r0/model.json'), contentType: 'application/json' });
      return route.fulfill({ body: weights.subarray(0, 1000), contentType: 'application/octet-stream' });
    });
    const corrupt = await inPage<string>(`async (ml) => ml.createPrelabeler({ backend: 'wasm', modelUrl: '/models/corrupt' }).then(() => 'resolved', (e) => e.message)`, {});
    expect(corrupt).toMatch(/could not load the age\/gender model .*corrupt/);
    const badManifest = await inPage<string>(`async (ml) => ml.createPrelabeler({ backend: 'wasm', modelUrl: '/ml-samples' }).then(() => 'resolved', (e) => e.message)`, {});
    expect(badManifest).toMatch(/could not load the age\/gender model/);
  });

  it('an undecodable image rejects that image only', async () => {
    const out = await inPage<string[]>(
      `async (ml, arg, b64) => {
        const p = await ml.createPrelabeler({ backend: 'wasm' });
        const bad = await p.prelabel(new Blob([new Uint8Array([1, 2, 3])], { type: 'image/jpeg' })).then(() => 'resolved', (e) => e.message);
        const good = await p.prelabel(b64(arg.png));
        p.dispose();
        return [bad, String(good.faces.length)];
      }`,
      { png: photos[0].png.toString('base64') },
    );
    expect(out[0]).toMatch(/could not decode the image/);
    expect(out[1]).toBe('1');
  });

  it('?backend= overrides, and the self-test finds the faces in the sample photos (gray, alpha included)', async () => {
    await page.goto(`${baseURL}/settings/ml?backend=wasm`);
    await expect.poll(() => text('ml-backend'), { timeout: 90_000 }).toBe('wasm');
    expect(await text('ml-reason')).toContain('forced');
    await page.getByTestId('self-test').click();
    await expect.poll(() => text('self-test-summary'), { timeout: 90_000 }).toContain('4 photos');
    const counts = await page.getByTestId('self-test-row').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-faces'))));
    expect(counts).toEqual([1, 8, 1, 1]);
  });

  it('the Face search setting reaches the worker: Auto looks once at a portrait, Thorough twice', async () => {
    const passes = () =>
      inPage<number[]>(
        `async (ml, arg, b64) => {
          const p = await ml.createPrelabeler({ backend: 'wasm' });
          const r = await p.prelabel(b64(arg.png));
          p.dispose();
          return r.timings.passes;
        }`,
        { png: photos[0].png.toString('base64') },
      );
    await page.goto(`${baseURL}/settings/ml`);
    await page.getByTestId('scan-choice').waitFor();
    expect(await passes()).toEqual([320]);
    await page.getByTestId('scan-choice').selectOption('both');
    expect(await passes()).toEqual([320, 608]);
    await page.reload();
    await expect.poll(() => page.getByTestId('scan-choice').inputValue()).toBe('both'); // kept per browser
    await page.getByTestId('scan-choice').selectOption('auto');
    expect(await passes()).toEqual([320]);
  });
});
