/**
 * Append-only feature cache on disk: `<root>/<backbone-id>/<variant>/` holds keys.txt (one key per
 * line) and one `<output>.f32` per named backbone output (rows of float32, in key order), plus
 * meta.json. Re-running skips keys already present. Readers never modify files (safe while another
 * process extracts); the one writer (guarded by a `lock` file) repairs a torn append before writing.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export type FeatureCacheMeta = { backbone: string; variant: string; outputs: Record<string, number>; [k: string]: unknown };

export class FeatureCache {
  readonly dir: string;
  readonly outputs: Record<string, number>;
  private keys: string[] = [];
  private index = new Map<string, number>();
  private data: Record<string, Float32Array> = {};
  private pending: Record<string, Float32Array[]> = {};
  private writable = false;
  private onExit: (() => void) | null = null;

  private constructor(dir: string, meta: FeatureCacheMeta) {
    this.dir = dir;
    this.outputs = meta.outputs;
  }

  static open(root: string, meta: FeatureCacheMeta): FeatureCache {
    const dir = path.join(root, meta.backbone, meta.variant);
    mkdirSync(dir, { recursive: true });
    const metaFile = path.join(dir, 'meta.json');
    if (existsSync(metaFile)) {
      const old = JSON.parse(readFileSync(metaFile, 'utf8')) as FeatureCacheMeta;
      if (JSON.stringify(old.outputs) !== JSON.stringify(meta.outputs)) throw new Error(`feature cache ${dir}: outputs changed`);
    } else writeFileSync(metaFile, JSON.stringify(meta, null, 2));
    const cache = new FeatureCache(dir, meta);
    cache.load();
    return cache;
  }

  private file(output: string) {
    return path.join(this.dir, `${output}.f32`);
  }

  private load() {
    const keysFile = path.join(this.dir, 'keys.txt');
    const keys = existsSync(keysFile) ? readFileSync(keysFile, 'utf8').split('\n').filter(Boolean) : [];
    let count = keys.length;
    const raw: Record<string, Buffer> = {};
    for (const [name, dims] of Object.entries(this.outputs)) {
      raw[name] = existsSync(this.file(name)) ? readFileSync(this.file(name)) : Buffer.alloc(0);
      count = Math.min(count, Math.floor(raw[name].byteLength / (dims * 4)));
    }
    this.keys = keys.slice(0, count);
    for (const [name, dims] of Object.entries(this.outputs)) {
      const copy = new Uint8Array(count * dims * 4);
      copy.set(raw[name].subarray(0, copy.byteLength));
      this.data[name] = new Float32Array(copy.buffer);
    }
    this.keys.forEach((k, i) => this.index.set(k, i));
  }

  /**
   * Take the writer lock (created exclusively; a dead owner's lock is taken over), re-read what
   * other processes appended meanwhile, and cut any torn tail so appends stay aligned with keys.txt.
   */
  private beginWriting() {
    if (this.writable) return;
    const lock = path.join(this.dir, 'lock');
    for (;;) {
      try {
        writeFileSync(lock, String(process.pid), { flag: 'wx' });
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const pid = Number(readFileSync(lock, 'utf8'));
        if (pid === process.pid) break;
        if (pid && pidAlive(pid)) throw new Error(`feature cache ${this.dir} is being written by process ${pid}`);
        rmSync(lock, { force: true });
      }
    }
    this.onExit = () => {
      if (this.writable) rmSync(lock, { force: true });
    };
    process.once('exit', this.onExit);
    this.index.clear();
    this.pending = {};
    this.load();
    writeFileSync(path.join(this.dir, 'keys.txt'), this.keys.map((k) => `${k}\n`).join(''));
    for (const [name, dims] of Object.entries(this.outputs)) {
      if (!existsSync(this.file(name))) writeFileSync(this.file(name), Buffer.alloc(0));
      truncateSync(this.file(name), this.keys.length * dims * 4);
    }
    this.writable = true;
  }

  get size() {
    return this.keys.length;
  }

  has(key: string) {
    return this.index.has(key);
  }

  /** Append rows for new keys (features[output] is keys.length × dims, row-major). */
  append(keys: string[], features: Record<string, Float32Array>) {
    if (keys.every((k) => this.index.has(k))) return;
    this.beginWriting(); // may load rows other processes appended meanwhile
    const fresh = keys.map((k, i) => [k, i] as const).filter(([k]) => !this.index.has(k));
    if (fresh.length === 0) return;
    for (const [name, dims] of Object.entries(this.outputs)) {
      const src = features[name];
      if (!src || src.length !== keys.length * dims) throw new Error(`output ${name}: expected ${keys.length}×${dims} values`);
      const rows = new Float32Array(fresh.length * dims);
      fresh.forEach(([, i], r) => rows.set(src.subarray(i * dims, (i + 1) * dims), r * dims));
      appendFileSync(this.file(name), Buffer.from(rows.buffer));
      (this.pending[name] ??= []).push(rows);
    }
    appendFileSync(path.join(this.dir, 'keys.txt'), fresh.map(([k]) => `${k}\n`).join(''));
    for (const [k] of fresh) {
      this.index.set(k, this.keys.length);
      this.keys.push(k);
    }
  }

  /** Give up the writer lock (so another process may append); reopen to write again. */
  release() {
    if (!this.writable) return;
    rmSync(path.join(this.dir, 'lock'), { force: true });
    this.writable = false;
    if (this.onExit) process.off('exit', this.onExit); // a long-lived worker opens caches for every job
    this.onExit = null;
  }

  /** Keys whose rows hold a non-finite value in any output (a corrupted cache). */
  nonFiniteKeys(keys: string[]): string[] {
    return keys.filter((k) => this.has(k) && Object.keys(this.outputs).some((o) => this.row(k, o).some((v) => !Number.isFinite(v))));
  }

  /** One output's row for a key (a view, not a copy). */
  row(key: string, output: string): Float32Array {
    const i = this.index.get(key);
    if (i === undefined) throw new Error(`feature cache ${this.dir}: no row for ${key}`);
    const dims = this.outputs[output];
    if (this.pending[output]?.length) this.consolidate(output);
    return this.data[output].subarray(i * dims, (i + 1) * dims);
  }

  private consolidate(output: string) {
    const parts = [this.data[output], ...this.pending[output]];
    const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const p of parts) {
      all.set(p, offset);
      offset += p.length;
    }
    this.data[output] = all;
    this.pending[output] = [];
  }
}
