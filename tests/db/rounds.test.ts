import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as getActive } from '@/app/api/models/active/route';
import { GET as getFile } from '@/app/api/models/files/[name]/[version]/[file]/route';
import { GET as getModels } from '@/app/api/models/route';
import { POST as postRound } from '@/app/api/models/rounds/route';
import { POST as postPromote } from '@/app/api/models/versions/[id]/promote/route';
import { DELETE as deleteJob, GET as getJobRoute } from '@/app/api/jobs/[id]/route';
import { ageToBin } from '@/lib/domain/age-bins';
import { DEFAULT_SPLIT_SEED, splitOf } from '@/lib/domain/split';
import type { PrismaClient } from '@/lib/server/db';
import { modelStoreRoot } from '@/lib/server/models/store';
import { type Handlers, runOneJob } from '@/workers/runner';
import { runRescoreJob } from '@/workers/jobs/rescore';
import { type RoundHooks, runTrainRound } from '@/workers/jobs/train-round';
import { createUser, ctx, request, sessionCookie, startTestApp, stopTestApp } from '../support/test-app';
import { relabel, seedLabeledFaces, seedQueuedFaces } from './rounds-fixtures';

let prisma: PrismaClient;
let cookie: string;
let annotatorCookie: string;
let userId: string;
let faceIds: string[];

const trainWith = (hooks: RoundHooks = {}): Handlers => ({ TRAIN: (c) => runTrainRound(c, hooks), RESCORE: runRescoreJob });
const start = (body: object) => postRound(request('/api/models/rounds', { method: 'POST', cookie, body }), ctx());
const versions = () => prisma.modelVersion.findMany({ where: { name: 'agegender' }, orderBy: { createdAt: 'asc' } });
const activeVersion = async () => (await prisma.modelVersion.findFirstOrThrow({ where: { name: 'agegender', active: true } })).version;
const storeEntries = () => (existsSync(path.join(modelStoreRoot(), 'agegender')) ? readdirSync(path.join(modelStoreRoot(), 'agegender')).sort() : []);

async function runRound(body: object, hooks?: RoundHooks) {
  const res = await start(body);
  expect(res.status).toBe(202);
  const { job } = await res.json();
  expect(await runOneJob(prisma, 'test-worker', { TRAIN: trainWith(hooks).TRAIN })).toBe(true);
  return prisma.job.findUniqueOrThrow({ where: { id: job.id } });
}

const trueAges = new Map<string, number>();

/** Training-split faces (the round's own split by image hash) aged 90; the true ages are kept aside. */
async function carelessTrainingLabels() {
  const faces = await prisma.face.findMany({ where: { id: { in: faceIds } }, select: { id: true, age: true, image: { select: { contentHash: true } } } });
  const train = faces.filter((f) => splitOf(f.image.contentHash, DEFAULT_SPLIT_SEED) === 'train');
  expect(train.length).toBeGreaterThan(10);
  for (const f of train) {
    trueAges.set(f.id, f.age!);
    await prisma.face.update({ where: { id: f.id }, data: { age: 90, ageBin: ageToBin(90) } });
  }
}

async function restoreTrueLabels() {
  for (const [id, age] of trueAges) await prisma.face.update({ where: { id }, data: { age, ageBin: ageToBin(age) } });
}

beforeAll(async () => {
  prisma = await startTestApp();
  const maintainer = await createUser('MAINTAINER');
  userId = maintainer.id;
  cookie = await sessionCookie(maintainer);
  annotatorCookie = await sessionCookie(await createUser('ANNOTATOR'));
}, 120_000);
afterAll(stopTestApp);

describe('fine-tune rounds', () => {
  it('refuses a round when nothing is labeled, and serves the bundled r0 as the first version', async () => {
    const res = await start({});
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatchObject({ code: 'NO_NEW_LABELS' });
    const active = await getActive(request('/api/models/active?name=agegender', { cookie: annotatorCookie }), ctx());
    expect(await active.json()).toEqual({ name: 'agegender', version: 'r0', url: '/models/agegender/r0' });
    expect(await prisma.job.count({ where: { kind: 'TRAIN' } })).toBe(0);
  });

  it('queues one round; a second start while it is queued is refused (409), not duplicated', async () => {
    faceIds = await seedLabeledFaces(prisma, userId);
    const [a, b] = await Promise.all([start({ fromScratch: true, epochs: 1 }), start({ fromScratch: true, epochs: 1 })]);
    expect([a.status, b.status].sort()).toEqual([202, 409]);
    expect(await prisma.job.count({ where: { kind: 'TRAIN', status: { in: ['QUEUED', 'RUNNING'] } } })).toBe(1);
  });

  it('a worse candidate is rejected: written and recorded, not promoted', async () => {
    // The queued round: fresh heads, one epoch, and a careless annotator's training labels (every
    // training-split face aged 90; held-out labels stay true) — far worse than r0, and far worse than
    // the later round trained on the true labels, so that one's promotion is no coin toss.
    await carelessTrainingLabels();
    expect(await runOneJob(prisma, 'test-worker', trainWith())).toBe(true);
    const job = await prisma.job.findFirstOrThrow({ where: { kind: 'TRAIN' } });
    expect(job.status, job.error ?? '').toBe('SUCCEEDED');
    const [r0, r1] = await versions();
    expect(r1).toMatchObject({ version: 'r1', status: 'REJECTED', active: false, jobId: job.id, parentId: r0.id });
    const metrics = r1.metrics as { heldOut: { overall: { n: number; ageMae: number } }; gate: { reason: string }; history: unknown[]; parentHeldOut: unknown };
    expect(metrics.heldOut.overall.n).toBeGreaterThan(0);
    expect(metrics.gate.reason).toMatch(/MAE|not better/);
    expect(metrics.history).toHaveLength(1);
    expect(r1.dataCounts).toMatchObject({ newLabels: faceIds.length, genderMasked: expect.any(Number) });
    expect((r1.dataCounts as { genderMasked: number }).genderMasked).toBeGreaterThan(0);
    expect(await activeVersion()).toBe('r0');
    expect(storeEntries()).toEqual(['r1']); // no temp folders left
    // Epoch progress was written for the UI.
    const { logs } = await (await getJobRoute(request(`/api/jobs/${job.id}`, { cookie }), ctx({ id: job.id }))).json();
    expect(logs.filter((l: { data: { type?: string } | null }) => l.data?.type === 'epoch')).toHaveLength(1);
  }, 180_000);

  it('refuses a round with no new labels since the last one', async () => {
    const res = await start({});
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toMatch(/No faces were labeled since the last round/);
  });

  it('a maintainer can override: promote the rejected version; browsers get its store URL and files', async () => {
    const r1 = (await versions())[1];
    await seedQueuedFaces(prisma, 3);
    const res = await postPromote(request(`/api/models/versions/${r1.id}/promote`, { method: 'POST', cookie, body: { reason: 'test override' } }), ctx({ id: r1.id }));
    expect(res.status).toBe(200);
    expect(await activeVersion()).toBe('r1');
    const active = await (await getActive(request('/api/models/active', { cookie: annotatorCookie }), ctx())).json();
    expect(active).toEqual({ name: 'agegender', version: 'r1', url: '/api/models/files/agegender/r1' });
    const manifestRes = await getFile(request(`${active.url}/manifest.json`, { cookie: annotatorCookie }), ctx({ name: 'agegender', version: 'r1', file: 'manifest.json' }));
    expect(manifestRes.headers.get('content-type')).toBe('application/json');
    expect(manifestRes.headers.get('x-content-type-options')).toBe('nosniff');
    const manifest = await manifestRes.json();
    expect(manifest.backbones.map((b: { weightsBaseUrl: string }) => b.weightsBaseUrl)).toEqual(['/models/vendor/face-api', '/models/vendor/face-api']);
    const weights = await getFile(request(`${active.url}/weights.bin`, { cookie: annotatorCookie }), ctx({ name: 'agegender', version: 'r1', file: 'weights.bin' }));
    expect(weights.headers.get('content-type')).toBe('application/octet-stream');
    expect((await weights.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    // The re-score job re-predicts the queue with r1.
    expect(await runOneJob(prisma, 'test-worker', trainWith())).toBe(true);
    const rescore = await prisma.job.findFirstOrThrow({ where: { kind: 'RESCORE' }, orderBy: { createdAt: 'desc' } });
    expect(rescore).toMatchObject({ status: 'SUCCEEDED', result: { rescored: 3, remaining: 0, designed: 3 } });
    const queued = await prisma.face.findMany({ where: { status: 'PREDICTED' } });
    expect(queued.every((f) => f.predModel === 'agegender-r1' && f.predAgeProbs && f.uncertaintyWhy && f.version === 1)).toBe(true);
    // Then ordered by design: all three above every model-uncertainty score (tests/db/design-queue.test.ts tests the order).
    expect(queued.every((f) => f.uncertainty > 1)).toBe(true);
  }, 120_000);

  it('a better candidate is promoted (warm-started from the active version)', async () => {
    // All 30 epochs (no early stop on the tiny validation split): the parent r1 had one epoch, so the
    // candidate is better by a wide margin, not by the luck of a few epochs.
    await restoreTrueLabels();
    await relabel(prisma, faceIds.slice(0, 5));
    const job = await runRound({ epochs: 30, patience: 30, learningRate: 0.001, gate: { accEpsilon: 0.25 } });
    expect(job.status).toBe('SUCCEEDED');
    const r2 = (await versions())[2];
    expect(r2.status, JSON.stringify((r2.metrics as { gate: unknown }).gate)).toBe('PROMOTED');
    expect(r2).toMatchObject({ version: 'r2', status: 'PROMOTED', active: true });
    expect((r2.metrics as { gate: { promote: boolean } }).gate.promote).toBe(true);
    expect(job.result).toMatchObject({ version: 'r2', promoted: true, parent: 'r1' });
    expect(await activeVersion()).toBe('r2');
    expect((await versions())[1].status).toBe('RETIRED');
    expect(await prisma.job.count({ where: { kind: 'RESCORE', status: 'QUEUED' } })).toBe(1);
  }, 180_000);

  it('rolls back to any version (r0)', async () => {
    const r0 = (await versions())[0];
    const res = await postPromote(request(`/api/models/versions/${r0.id}/promote`, { method: 'POST', cookie, body: {} }), ctx({ id: r0.id }));
    expect(res.status).toBe(200);
    expect(await activeVersion()).toBe('r0');
    expect(await prisma.auditEvent.count({ where: { action: 'MODEL_PROMOTE' } })).toBe(2);
  });

  it('NaN loss fails the round cleanly: nothing written, nothing promoted, not retried', async () => {
    await relabel(prisma, faceIds.slice(0, 5));
    const before = storeEntries();
    const job = await runRound({ epochs: 5 }, { onEpoch: (r) => { if (r.epoch === 1) r.loss = Number.NaN; } });
    expect(job).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(job.error).toMatch(/NaN.*nothing saved or promoted/);
    expect(storeEntries()).toEqual(before);
    expect((await versions()).length).toBe(3);
    expect(await activeVersion()).toBe('r0');
  }, 120_000);

  it('cancel stops a running round within seconds and keeps nothing', async () => {
    const before = storeEntries();
    const res = await start({ epochs: 500, patience: 500 });
    const { job } = await res.json();
    expect(res.status).toBe(202);
    const running = runOneJob(prisma, 'test-worker', { TRAIN: trainWith().TRAIN });
    for (let i = 0; i < 600; i++) {
      if ((await prisma.jobLog.count({ where: { jobId: job.id, message: { startsWith: 'epoch 2:' } } })) > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const t0 = Date.now();
    const cancel = await deleteJob(request(`/api/jobs/${job.id}`, { method: 'DELETE', cookie }), ctx({ id: job.id }));
    expect(await cancel.json()).toEqual({ outcome: 'requested' });
    await running;
    expect(Date.now() - t0).toBeLessThan(10_000); // heartbeat every ≤ 2 s; generous for a loaded machine
    expect(await prisma.job.findUniqueOrThrow({ where: { id: job.id } })).toMatchObject({ status: 'CANCELLED' });
    expect(storeEntries()).toEqual(before);
    expect((await versions()).length).toBe(3);
  }, 180_000);

  it('a version folder deleted by hand is reported and never served', async () => {
    const [, r1, r2] = await versions();
    // Active r2's folder disappears: browsers get the newest earlier version that has files.
    await postPromote(request(`/api/models/versions/${r2.id}/promote`, { method: 'POST', cookie, body: {} }), ctx({ id: r2.id }));
    rmSync(path.join(modelStoreRoot(), 'agegender', 'r2'), { recursive: true });
    const active = await (await getActive(request('/api/models/active', { cookie: annotatorCookie }), ctx())).json();
    expect(active.version).not.toBe('r2');
    expect(active.problem).toMatch(/r2 are missing/);
    const file = await getFile(request('/api/models/files/agegender/r2/model.json', { cookie: annotatorCookie }), ctx({ name: 'agegender', version: 'r2', file: 'model.json' }));
    expect(file.status).toBe(404);
    const list = await (await getModels(request('/api/models?name=agegender', { cookie }), ctx())).json();
    expect(list.problems.join(' ')).toMatch(/r2: files missing/);
    expect(list.versions.find((v: { version: string }) => v.version === 'r2')).toMatchObject({ available: false });
    const again = await postPromote(request(`/api/models/versions/${r2.id}/promote`, { method: 'POST', cookie, body: {} }), ctx({ id: r2.id }));
    expect(again.status).toBe(409);
    expect(r1.version).toBe('r1');
  });

  it('model files: no traversal, only listed files, only signed-in users', async () => {
    for (const [version, file] of [['..', 'manifest.json'], ['r1', '..%2Fr2%2Fmodel.json'], ['r1', 'secret.txt'], ['r1.tmp-1', 'model.json'], ['r9', 'model.json']]) {
      const res = await getFile(request(`/api/models/files/agegender/x/y`, { cookie: annotatorCookie }), ctx({ name: 'agegender', version, file }));
      expect([400, 404]).toContain(res.status);
    }
    const anon = await getFile(request('/api/models/files/agegender/r1/model.json'), ctx({ name: 'agegender', version: 'r1', file: 'model.json' }));
    expect(anon.status).toBe(401);
    const ok = await getFile(request('/api/models/files/agegender/r1/model.json', { cookie: annotatorCookie }), ctx({ name: 'agegender', version: 'r1', file: 'model.json' }));
    expect(ok.status).toBe(200);
  });
});
