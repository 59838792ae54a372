import { randomUUID } from 'node:crypto';
import { send } from './http-client';
import type { Recorder } from './stats';

/**
 * One simulated annotator doing what the workspace does (components/annotate/workspace.tsx): ask
 * for the next face (POST /api/annotate/next), load its image, look at it for a while, then save
 * (PATCH /api/faces/:id with the version it loaded and a fresh requestId). Sometimes it moves the
 * box first (a "box" save), sometimes it deliberately sends a save based on the version before its
 * own box edit (a stale version: 409 expected, counted as a conflict, not an error), and sometimes
 * it repeats a save with the same requestId (a retry after a lost response: answered, not repeated).
 * Requests go round-robin over the web instances: sessions are JWTs, nothing is sticky. HTTP is
 * http-client.ts (keep-alive, a browser's headers, replies decoded and parsed like fetch's).
 */
export type Mix = { thinkMs: number; boxShare: number; conflictShare: number; replayShare: number; acceptShare: number };
export type Ack = { kind: 'LABEL' | 'ACCEPT' | 'BOX'; userId: string; faceId: string; requestId: string; version: number; gender?: string; age?: number; at: number };
export type Grant = { userId: string; faceId: string; at: number; released?: number };
export type Outcome = { acks: Ack[]; grants: Grant[]; errors: string[]; conflicts: number; replays: number; emptyQueue: number };

type Face = { id: string; version: number; box: { x: number; y: number; w: number; h: number }; labels: { gender: string | null; age: number | null } };
type View = { face: Face | null; image?: { url: string } };

export class Annotator {
  private turn = 0;

  constructor(
    readonly userId: string,
    private readonly cookie: string,
    private readonly urls: string[],
    private readonly recorder: Recorder,
    private readonly out: Outcome,
    private readonly mix: Mix,
    private readonly random: () => number,
  ) {
    this.turn = Math.floor(random() * urls.length);
  }

  private async call(endpoint: string, method: string, pathname: string, body?: object): Promise<{ status: number; json: any } | null> {
    const base = this.urls[this.turn++ % this.urls.length];
    const t0 = performance.now();
    try {
      const res = await send(base + pathname, method, { cookie: this.cookie, origin: base, ...(body ? { 'content-type': 'application/json' } : {}) }, body ? JSON.stringify(body) : undefined);
      const json = res.type.includes('json') ? JSON.parse(res.body.toString('utf8')) : null;
      this.recorder.add(endpoint, performance.now() - t0);
      return { status: res.status, json };
    } catch (error) {
      this.recorder.add(endpoint, performance.now() - t0);
      this.out.errors.push(`${endpoint}: network error ${(error as Error).message}`);
      return null;
    }
  }

  private expect(endpoint: string, res: { status: number; json: any } | null, status: number): boolean {
    if (!res) return false;
    if (res.status === status) return true;
    this.out.errors.push(`${endpoint}: ${res.status} (expected ${status}) ${JSON.stringify(res.json?.error ?? res.json).slice(0, 300)}`);
    return false;
  }

  private async save(endpoint: string, face: Face, body: object, expected = 200) {
    const res = await this.call(endpoint, 'PATCH', `/api/faces/${face.id}`, body);
    return this.expect(endpoint, res, expected) ? res!.json : null;
  }

  /** Runs faces until the deadline; the face in hand when it passes is still finished. */
  async run(deadline: number) {
    while (Date.now() < deadline) {
      const res = await this.call('POST /api/annotate/next', 'POST', '/api/annotate/next');
      if (!this.expect('POST /api/annotate/next', res, 200)) {
        await sleep(500);
        continue;
      }
      const view = res!.json as View;
      if (!view.face) {
        this.out.emptyQueue++;
        return;
      }
      const grant: Grant = { userId: this.userId, faceId: view.face.id, at: Date.now() };
      this.out.grants.push(grant);
      if (view.image?.url) this.expect('GET /api/images/:id/file', await this.call('GET /api/images/:id/file', 'GET', view.image.url), 200);
      await sleep(this.mix.thinkMs * (0.5 + this.random()));
      await this.work(view.face, grant);
    }
  }

  private async work(loaded: Face, grant: Grant) {
    let face = loaded;
    const roll = this.random();
    const conflict = roll < this.mix.conflictShare;
    if (conflict || roll < this.mix.conflictShare + this.mix.boxShare) {
      const box = { x: face.box.x + 3, y: face.box.y - 2, w: face.box.w + 4, h: face.box.h + 4 };
      const requestId = randomUUID();
      const saved = await this.save('PATCH /api/faces/:id (box)', face, { version: face.version, action: 'box', box, requestId });
      if (!saved) return;
      this.out.acks.push({ kind: 'BOX', userId: this.userId, faceId: face.id, requestId, version: saved.face.version, at: Date.now() });
      if (conflict) {
        // What a second tab still showing the old version would send.
        const stale = await this.save('PATCH /api/faces/:id (stale → 409)', face, { version: face.version, action: 'label', gender: 'FEMALE', age: 7, requestId: randomUUID() }, 409);
        if (stale !== null) this.out.conflicts++;
      }
      face = { ...face, version: saved.face.version };
    }
    const accept = this.random() < this.mix.acceptShare;
    const requestId = randomUUID();
    const body = accept
      ? { version: face.version, action: 'accept', requestId }
      : { version: face.version, action: 'label', gender: this.random() < 0.5 ? 'MALE' : 'FEMALE', age: 1 + Math.floor(this.random() * 80), requestId };
    const saved = await this.save('PATCH /api/faces/:id (label)', face, body);
    if (!saved) return;
    grant.released = Date.now();
    this.out.acks.push({
      kind: accept ? 'ACCEPT' : 'LABEL',
      userId: this.userId,
      faceId: face.id,
      requestId,
      version: saved.face.version,
      gender: saved.face.labels.gender,
      age: saved.face.labels.age,
      at: Date.now(),
    });
    if (this.random() < this.mix.replayShare) {
      const again = await this.save('PATCH /api/faces/:id (retry, same id)', face, body);
      if (again && again.replayed === true && again.face.version === saved.face.version) this.out.replays++;
      else if (again) this.out.errors.push(`retry of ${requestId} was applied again (version ${again.face.version})`);
    }
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
