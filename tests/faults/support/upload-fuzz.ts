import sharp from 'sharp';
import { yazlZip } from '../../unit/ingest/helpers';

/**
 * Mutated JPEG/PNG/ZIP inputs for the upload route (seeded, so a failure can be replayed by seed
 * and index) and a runner that sends them and classifies the answers. Used by
 * `npm run fuzz:upload` (thousands) and tests/faults/upload-fuzz.test.ts (a couple of hundred).
 */
export type Rng = () => number;
export type FuzzCase = { kind: string; name: string; data: Buffer };
export type FuzzResult = { cases: number; byStatus: Record<string, number>; byKind: Record<string, Record<string, number>>; serverErrors: string[]; networkErrors: string[]; stored: number };

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const int = (rng: Rng, n: number) => Math.floor(rng() * n);
const pick = <T>(rng: Rng, list: readonly T[]): T => list[int(rng, list.length)];

export type Seeds = { jpeg: Buffer; png: Buffer; zip: Buffer };

export async function makeSeeds(): Promise<Seeds> {
  const base = sharp({ create: { width: 96, height: 72, channels: 3, background: '#7a5040', noise: { type: 'gaussian', mean: 110, sigma: 30 } } });
  const jpeg = await base.clone().jpeg({ quality: 70 }).withMetadata({ exif: { IFD0: { Artist: 'fuzz' } } }).toBuffer();
  const png = await base.clone().png().toBuffer();
  const zip = await yazlZip([
    { name: 'a/one.jpg', data: jpeg },
    { name: 'a/two.png', data: png, compress: false },
  ]);
  return { jpeg, png, zip };
}

function flipBits(rng: Rng, data: Buffer, from = 0): Buffer {
  const out = Buffer.from(data);
  const flips = 1 + int(rng, 16);
  for (let i = 0; i < flips; i++) {
    const at = from + int(rng, Math.max(1, out.length - from));
    out[at] ^= 1 << int(rng, 8);
  }
  return out;
}

function overwriteRun(rng: Rng, data: Buffer): Buffer {
  const out = Buffer.from(data);
  const at = int(rng, out.length);
  const len = 1 + int(rng, 64);
  const value = pick(rng, [0x00, 0xff, 0x41, int(rng, 256)]);
  out.fill(value, at, Math.min(out.length, at + len));
  return out;
}

const truncate = (rng: Rng, data: Buffer) => data.subarray(0, int(rng, data.length));

/** JPEG: rewrite the SOF marker's height/width (huge, zero, or random). */
function jpegDimensions(rng: Rng, data: Buffer): Buffer {
  const out = Buffer.from(data);
  for (let i = 2; i < out.length - 9; i++) {
    if (out[i] === 0xff && out[i + 1] >= 0xc0 && out[i + 1] <= 0xc2) {
      const [h, w] = pick(rng, [[65535, 65535], [0, 0], [1, 65000], [int(rng, 65536), int(rng, 65536)]]);
      out.writeUInt16BE(h, i + 5);
      out.writeUInt16BE(w, i + 7);
      return out;
    }
  }
  return out;
}

/** PNG: IHDR width/height (with or without a fixed-up CRC), bit depth or colour type. */
function pngHeader(rng: Rng, data: Buffer): Buffer {
  const out = Buffer.from(data);
  const field = int(rng, 3);
  if (field === 0) {
    out.writeUInt32BE(pick(rng, [0, 1, 100_000, 0x7fffffff, 0xffffffff]), 16);
    out.writeUInt32BE(pick(rng, [0, 1, 100_000, 0x7fffffff, 0xffffffff]), 20);
  } else if (field === 1) out[24] = pick(rng, [0, 3, 7, 16, 255]);
  else out[25] = pick(rng, [1, 5, 7, 255]);
  if (rng() < 0.5) out.writeUInt32BE(crc32(out.subarray(12, 29)), 29);
  return out;
}

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

/** ZIP: tamper local/central headers (sizes, method, flags, name → traversal), or the end record. */
function zipTamper(rng: Rng, data: Buffer): Buffer {
  const out = Buffer.from(data);
  const headers: number[] = [];
  for (let i = 0; i < out.length - 4; i++) if (out.readUInt32LE(i) === 0x04034b50 || out.readUInt32LE(i) === 0x02014b50) headers.push(i);
  const eocd = out.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const what = int(rng, 6);
  if (what === 5 && eocd >= 0) {
    out.writeUInt16LE(pick(rng, [0, 0xffff, 3]), eocd + 10); // total entries
    out.writeUInt32LE(pick(rng, [0, 0xffffffff, int(rng, out.length)]), eocd + 16); // central directory offset
    return out;
  }
  const at = pick(rng, headers);
  const central = out.readUInt32LE(at) === 0x02014b50;
  const o = central ? 2 : 0; // central records have "version made by" first
  if (what === 0) out.writeUInt16LE(pick(rng, [1, 9, 12, 99]), at + 8 + o); // compression method
  else if (what === 1) out.writeUInt16LE(pick(rng, [0x0001, 0x0008, 0x0041]), at + 6 + o); // flags: encrypted, data descriptor, strong encryption
  else if (what === 2) out.writeUInt32LE(pick(rng, [0, 0xffffffff, 1 << 30]), at + 22 + o); // uncompressed size
  else if (what === 3) out.writeUInt32LE(pick(rng, [0, 0xffffffff, 5]), at + 18 + o); // compressed size
  else {
    const nameLen = out.readUInt16LE(at + 26 + o + (central ? 0 : 0));
    const nameAt = at + (central ? 46 : 30);
    const evil = pick(rng, ['../../x.jpg', '/etc/passwd', 'a\\..\\..\\b', 'c:/x.png', '\u0000.jpg']);
    Buffer.from(evil.padEnd(nameLen, 'x').slice(0, nameLen), 'latin1').copy(out, nameAt);
  }
  return out;
}

const HOSTILE_BODIES: [string, string][] = [
  ['svg.jpg', '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'],
  ['page.png', '<!doctype html><html><body><script>alert(document.cookie)</script></body></html>'],
  ['poly.jpg', '\xff\xd8\xff\xe0<script>alert(1)</script>'],
  ['gif.jpg', 'GIF89a<script>alert(1)</script>'],
];

/** Case `index` of the seeded sequence. */
export function fuzzCase(rng: Rng, seeds: Seeds, index: number): FuzzCase {
  const base = pick(rng, ['jpeg', 'png', 'zip'] as const);
  const data = seeds[base];
  const ext = base === 'jpeg' ? 'jpg' : base;
  const name = `fuzz-${index}.${rng() < 0.9 ? ext : pick(rng, ['jpg', 'png', 'zip', 'svg', 'html', ''])}`;
  const roll = rng();
  if (roll < 0.03) {
    const [n, body] = pick(rng, HOSTILE_BODIES);
    return { kind: 'script-content', name: `${index}-${n}`, data: Buffer.from(body, 'latin1') };
  }
  if (roll < 0.05) return { kind: 'empty-or-tiny', name, data: data.subarray(0, int(rng, 4)) };
  if (roll < 0.3) return { kind: `${base}:bit-flips`, name, data: flipBits(rng, data, base === 'zip' ? 0 : 2) };
  if (roll < 0.45) return { kind: `${base}:overwrite`, name, data: overwriteRun(rng, data) };
  if (roll < 0.6) return { kind: `${base}:truncate`, name, data: truncate(rng, data) };
  if (roll < 0.7) return { kind: `${base}:append-garbage`, name, data: Buffer.concat([data, Buffer.from(Array.from({ length: 1 + int(rng, 512) }, () => int(rng, 256)))]) };
  if (base === 'jpeg') return { kind: 'jpeg:dimensions', name, data: jpegDimensions(rng, data) };
  if (base === 'png') return { kind: 'png:header', name, data: pngHeader(rng, data) };
  return { kind: 'zip:headers', name, data: zipTamper(rng, data) };
}

/** Sends `count` cases (`concurrency` at a time), classifying each answer; checks health as it goes. */
export async function runFuzz(options: { url: string; cookie: string; seed: number; count: number; concurrency?: number; onProgress?: (done: number) => void }): Promise<FuzzResult> {
  const seeds = await makeSeeds();
  const rng = mulberry32(options.seed);
  const cases = Array.from({ length: options.count }, (_, i) => fuzzCase(rng, seeds, i));
  const result: FuzzResult = { cases: cases.length, byStatus: {}, byKind: {}, serverErrors: [], networkErrors: [], stored: 0 };
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      const c = cases[i];
      let status: string;
      try {
        const res = await fetch(`${options.url}/api/uploads`, {
          method: 'POST',
          headers: { cookie: options.cookie, origin: options.url, 'x-file-name': encodeURIComponent(c.name), 'content-type': 'application/octet-stream' },
          body: new Uint8Array(c.data),
        });
        status = String(res.status);
        const body = (await res.json().catch(() => null)) as { counts?: { stored?: number } } | null;
        result.stored += body?.counts?.stored ?? 0;
        if (res.status >= 500 || res.status < 200 || (res.status >= 300 && res.status < 400)) result.serverErrors.push(`case ${i} (${c.kind}, seed ${options.seed}): ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
      } catch (error) {
        status = 'network';
        result.networkErrors.push(`case ${i} (${c.kind}, seed ${options.seed}): ${(error as Error).message}`);
        const healthy = await fetch(`${options.url}/api/health`).then((r) => r.ok, () => false);
        if (!healthy) throw new Error(`server down after case ${i} (${c.kind}, seed ${options.seed})`);
      }
      result.byStatus[status] = (result.byStatus[status] ?? 0) + 1;
      const kind = (result.byKind[c.kind] ??= {});
      kind[status] = (kind[status] ?? 0) + 1;
      options.onProgress?.(i + 1);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  return result;
}
