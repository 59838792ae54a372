/**
 * Bench: the annotation workspace in Chromium (browser part of `npm run bench:annotate`).
 *
 *   npx tsx bench/annotate-browser.ts [--faces 200] [--seed 7]
 *
 * Starts the production build (`next start`, built first when there is no `.next/BUILD_ID`) on a free
 * port with its own temporary data directory, seeds --faces predicted faces (4 per 400×412 photo made
 * from the test fixtures), and labels all of them in headless Debian Chromium with the keyboard only,
 * as an annotator who knows each face's true gender and age would:
 *   - prediction right → Enter (one key);
 *   - gender wrong → its digit; age bin off by one → ↑/↓; further off → A + the age's digits; then Enter.
 * Predictions are drawn with the round-0 model's test-split error rates (gender right 95.3%, age bin
 * exact 28.7%, within one bin 70.4%), so the keystroke figure is what that model would cost.
 * Prints keystrokes per face, milliseconds per face (first key → next face on screen; Enter → next
 * face), the save and claim round trips as the page saw them (Resource Timing), p50/p95, against
 * baselines from the same run: a bare HTTP round trip from the page, and save + claim in sequence
 * (what an editor without optimistic saves would wait for on every face). Then checks that every
 * face was stored with the intended labels.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { AGE_BIN_CENTERS, AGE_BIN_COUNT, ageToBin } from '@/lib/domain/age-bins';
import { seededRng } from '@/lib/domain/queue-policy';
import { launchBrowser } from '../tests/support/browser';
import { signInCookie } from '../tests/support/http-session';
import { startServer } from '../tests/support/server';

const { values } = parseArgs({ options: { faces: { type: 'string', default: '200' }, seed: { type: 'string', default: '7' } } });
const FACES = Number(values.faces);
const PER_IMAGE = 4;
const ADMIN = { email: 'admin@bench.local', password: 'bench-admin-password' };
const ANNOTATOR = { email: 'annotator@bench.local', password: 'annotator-password' };
const R0 = { genderRight: 0.953, binExact: 0.287, binWithinOne: 0.704 };

type Truth = { gender: 'MALE' | 'FEMALE'; age: number };
type Stats = { p50: number; p95: number; mean: number; n: number };

function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
  return { p50: q(0.5), p95: q(0.95), mean: s.reduce((a, b) => a + b, 0) / s.length, n: s.length };
}
const fmt = (n: number) => `${n.toFixed(1)} ms`.padStart(10);
const line = (label: string, st: Stats, base?: Stats) =>
  `  ${label.padEnd(44)}${fmt(st.p50)}${fmt(st.p95)}${fmt(st.mean)}${base ? `   ×${(st.p50 / base.p50).toFixed(2)} p50, ×${(st.p95 / base.p95).toFixed(2)} p95` : ''}`;

/** A prediction for `truth` with the round-0 model's error rates. */
function predictFor(truth: Truth, rng: () => number) {
  const gender = rng() < R0.genderRight ? truth.gender : truth.gender === 'MALE' ? 'FEMALE' : 'MALE';
  const bin = ageToBin(truth.age);
  const r = rng();
  const step = r < R0.binExact ? 0 : r < R0.binWithinOne ? 1 : 2 + Math.floor(rng() * 3);
  const dir = rng() < 0.5 ? -1 : 1;
  let predBin = bin + dir * step;
  if (predBin < 0 || predBin >= AGE_BIN_COUNT) predBin = bin - dir * step;
  predBin = Math.min(AGE_BIN_COUNT - 1, Math.max(0, predBin));
  const pMale = gender === 'MALE' ? 0.75 + rng() * 0.24 : 0.01 + rng() * 0.24;
  const ageProbs = Array.from({ length: AGE_BIN_COUNT }, (_, i) => (i === predBin ? 0.6 : 0.4 / (AGE_BIN_COUNT - 1)));
  return { pMale, ageProbs, age: Math.round(AGE_BIN_CENTERS[predBin]) };
}

/** The keys an annotator who knows `truth` presses for a face predicted as `pred`. */
function keysFor(truth: Truth, pred: { gender: string | null; ageBin: number | null }): string[] {
  const keys: string[] = [];
  if (pred.gender !== truth.gender) keys.push(truth.gender === 'MALE' ? '1' : '2');
  const delta = ageToBin(truth.age) - (pred.ageBin ?? 0);
  if (delta === 1) keys.push('ArrowUp');
  else if (delta === -1) keys.push('ArrowDown');
  else if (delta !== 0) keys.push('a', ...String(truth.age).split(''));
  keys.push('Enter');
  return keys;
}

async function main() {
  if (!existsSync(path.resolve('.next/BUILD_ID'))) {
    console.log('no production build: running next build first');
    execFileSync(path.resolve('node_modules/.bin/next'), ['build'], { stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
  }
  const server = await startServer({ FACET_ADMIN_EMAIL: ADMIN.email, FACET_ADMIN_PASSWORD: ADMIN.password });
  const browser = await launchBrowser();
  try {
    const base = server.url;
    const admin = await signInCookie(base, ADMIN.email, ADMIN.password);
    const api = async <T>(pathname: string, method = 'GET', body?: unknown, headers: Record<string, string> = {}): Promise<T> => {
      const raw = body instanceof Uint8Array;
      const res = await fetch(`${base}${pathname}`, {
        method,
        headers: { cookie: admin, origin: base, ...(raw ? { 'content-type': 'application/octet-stream' } : body ? { 'content-type': 'application/json' } : {}), ...headers },
        body: (raw ? body : body === undefined ? undefined : JSON.stringify(body)) as BodyInit | undefined,
      });
      if (!res.ok) throw new Error(`${method} ${pathname}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    };

    // Seed: photos of 4 faces each, predictions as the browser pre-labeler would post them.
    const rng = seededRng(Number(values.seed));
    const dir = path.resolve('tests/fixtures/faces');
    const crops = readdirSync(dir).filter((f) => f.endsWith('.jpg')).map((f) => readFileSync(path.join(dir, f)));
    const truths = new Map<string, Truth>();
    const t0 = performance.now();
    for (let img = 0; img < Math.ceil(FACES / PER_IMAGE); img++) {
      const tiles = await Promise.all(
        Array.from({ length: PER_IMAGE }, (_, k) =>
          sharp(crops[(img * PER_IMAGE + k) % crops.length]).resize(200, 200).modulate({ brightness: 0.8 + ((img * 7 + k) % 9) * 0.05 }).toBuffer(),
        ),
      );
      // A strip of a per-photo colour under the tiles keeps every photo distinct (uploads are deduplicated).
      const bytes = await sharp({ create: { width: 400, height: 412, channels: 3, background: { r: (img * 37) % 256, g: Math.floor(img / 7) * 20, b: 40 } } })
        .composite(tiles.map((input, k) => ({ input, left: (k % 2) * 200, top: Math.floor(k / 2) * 200 })))
        .jpeg({ quality: 88 })
        .toBuffer();
      const up = await api<{ results: { imageId: string }[] }>('/api/uploads', 'POST', new Uint8Array(bytes), { 'x-file-name': `bench-${img}.jpg` });
      const imageId = up.results[0].imageId;
      const faces = Array.from({ length: Math.min(PER_IMAGE, FACES - img * PER_IMAGE) }, (_, k) => {
        const truth: Truth = { gender: rng() < 0.5 ? 'MALE' : 'FEMALE', age: 1 + Math.floor(rng() * 80) };
        return { truth, box: { x: (k % 2) * 200 + 20, y: Math.floor(k / 2) * 200 + 20, w: 160, h: 170 }, ...predictFor(truth, rng) };
      });
      await api(`/api/images/${imageId}/predictions`, 'POST', {
        model: 'bench-r0-like',
        faces: faces.map(({ box, pMale, ageProbs, age }) => ({ box, detScore: 0.97, pMale, ageProbs, age })),
      });
      const stored = await api<{ faces: { id: string; box: { x: number; y: number } }[] }>(`/api/images/${imageId}/faces`);
      for (const f of stored.faces) {
        const match = faces.find((s) => Math.abs(s.box.x - f.box.x) < 1 && Math.abs(s.box.y - f.box.y) < 1);
        if (match) truths.set(f.id, match.truth);
      }
    }
    if (truths.size !== FACES) throw new Error(`seeded ${truths.size} of ${FACES} faces`);
    console.log(`seeded ${truths.size} faces on ${Math.ceil(FACES / PER_IMAGE)} photos in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await api('/api/users', 'POST', { email: ANNOTATOR.email, role: 'ANNOTATOR', password: ANNOTATOR.password });

    const page = await browser.newPage();
    await page.addInitScript(() => performance.setResourceTimingBufferSize(10_000));
    await page.goto(`${base}/signin`);
    await page.getByLabel('Email').fill(ANNOTATOR.email);
    await page.getByLabel('Password').fill(ANNOTATOR.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/images$/);

    // Baseline: a bare round trip from the page to the server.
    const health: number[] = await page.evaluate(async () => {
      const out: number[] = [];
      for (let i = 0; i < 60; i++) {
        const t = performance.now();
        await fetch('/api/health', { cache: 'no-store' });
        out.push(performance.now() - t);
      }
      return out.slice(10);
    });

    await page.goto(`${base}/annotate`);
    const result = await labelAll(page, truths);

    // Let the last saves land, then read the page's own timings of each request.
    await page.waitForFunction(() => !document.querySelector('[data-testid="recent-saves"] li:not([data-state="saved"])'), null, { timeout: 60_000 });
    const timings = await page.evaluate(() =>
      performance.getEntriesByType('resource').map((e) => ({ name: new URL(e.name).pathname, ms: e.duration, kind: (e as PerformanceResourceTiming).initiatorType })),
    );
    const saveRt = timings.filter((t) => t.kind === 'fetch' && /^\/api\/faces\/[^/]+$/.test(t.name)).map((t) => t.ms);
    const claimRt = timings.filter((t) => t.kind === 'fetch' && t.name === '/api/annotate/next').map((t) => t.ms);

    // Were all faces stored as intended?
    let right = 0;
    for (const [id, truth] of truths) {
      const { face } = await api<{ face: { status: string; labels: { gender: string; ageBin: number } } }>(`/api/faces/${id}`);
      if (face.status === 'LABELED' && face.labels.gender === truth.gender && face.labels.ageBin === ageToBin(truth.age)) right++;
    }

    const n = result.perFace.length;
    const keys = result.keys.reduce((a, b) => a + b, 0);
    const oneKey = result.keys.filter((k) => k === 1).length;
    const hb = stats(health);
    const save = stats(saveRt);
    const claim = stats(claimRt);
    const sequential = stats(saveRt.slice(0, Math.min(saveRt.length, claimRt.length)).map((s, i) => s + claimRt[i]));
    console.log(`\n== annotation workspace in Chromium: ${n} faces, keyboard only (${base}, load average ${(await import('node:os')).loadavg()[0].toFixed(1)})`);
    console.log(`  keystrokes: ${keys} in all, ${(keys / n).toFixed(2)} per face; ${oneKey} faces (${((100 * oneKey) / n).toFixed(0)}%) took one key (prediction right)`);
    console.log(`  baseline keystrokes (every face typed in full: gender + A + age + Enter): ${result.fullEntry} → ×${(keys / result.fullEntry).toFixed(2)}`);
    console.log(`  labels stored as intended: ${right}/${truths.size}`);
    console.log(`  total: ${(result.totalMs / 1000).toFixed(1)} s, ${(result.totalMs / n).toFixed(0)} ms per face, ${Math.round((3600_000 * n) / result.totalMs)} faces/hour at machine speed`);
    console.log(`  ${''.padEnd(44)}${'p50'.padStart(10)}${'p95'.padStart(10)}${'mean'.padStart(10)}`);
    console.log(line('baseline: bare round trip (GET /api/health)', hb));
    console.log(line('save round trip (PATCH /api/faces/:id)', save, hb));
    console.log(line('claim round trip (POST /api/annotate/next)', claim, hb));
    console.log(line('baseline: save + claim in sequence', sequential));
    console.log(line('Enter → next face on screen', stats(result.enterToNext), sequential));
    console.log(line('per face: first key → next face on screen', stats(result.perFace), sequential));
    if (right !== truths.size) process.exitCode = 1;
  } finally {
    await browser.close();
    await server.stop();
    rmSync(server.dataDir, { recursive: true, force: true });
  }
}

async function labelAll(page: Page, truths: Map<string, Truth>) {
  const perFace: number[] = [];
  const enterToNext: number[] = [];
  const keyCounts: number[] = [];
  let fullEntry = 0;
  const started = performance.now();
  await page.getByTestId('workspace').waitFor({ timeout: 60_000 });
  for (;;) {
    const ws = page.getByTestId('workspace');
    if ((await ws.count()) === 0) break; // the queue is empty
    const id = await ws.getAttribute('data-face-id');
    const truth = id ? truths.get(id) : undefined;
    if (!id || !truth) throw new Error(`served a face the bench did not seed: ${id}`);
    const pred = await page.evaluate(() => ({
      gender: document.querySelector('[role="radio"][aria-checked="true"]')?.textContent ?? '',
      bin: document.querySelector('[data-testid="age-bin"]')?.textContent ?? '',
      age: (document.querySelector('[data-testid="age-input"]') as HTMLInputElement | null)?.value ?? '',
    }));
    const shown = { gender: /female/i.test(pred.gender) ? 'FEMALE' : /male/i.test(pred.gender) ? 'MALE' : null, ageBin: pred.age ? ageToBin(Number(pred.age)) : null };
    const keys = keysFor(truth, shown);
    fullEntry += 3 + String(truth.age).length;
    const t0 = performance.now();
    for (const key of keys.slice(0, -1)) await page.keyboard.press(key);
    const tEnter = performance.now();
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      (previous) => {
        const el = document.querySelector('[data-testid="workspace"]');
        return !el || (el.getAttribute('data-face-id') !== previous && el.getAttribute('data-busy') !== 'true');
      },
      id,
      { polling: 'raf', timeout: 60_000 },
    );
    const t1 = performance.now();
    perFace.push(t1 - t0);
    enterToNext.push(t1 - tEnter);
    keyCounts.push(keys.length);
    if (keyCounts.length > truths.size + 5) throw new Error('served more faces than were seeded');
    await page.getByTestId('workspace').or(page.getByTestId('queue-empty')).first().waitFor();
  }
  return { perFace, enterToNext, keys: keyCounts, fullEntry, totalMs: performance.now() - started };
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
