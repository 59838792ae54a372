/**
 * Recognises a "clean" sequential JPEG and checks its whole structure, without decoding pixels.
 *
 * Clean means: SOI; optionally a JFIF APP0 header (first, no embedded thumbnail); then only DQT,
 * DHT, DRI, exactly one 8-bit, 3-component (YCbCr) baseline/extended-sequential Huffman SOF
 * (SOF0/SOF1) and its scans; EOI as the very last two bytes. Without JFIF the component ids must
 * be 1, 2, 3, which libjpeg reads as YCbCr, as JFIF would say. Such a file carries no metadata at all — no EXIF (so no
 * orientation, no GPS), no ICC, XMP, IPTC, comments or trailing bytes — so normalizing it would
 * only re-encode the same pixels with generation loss, and the import may keep its bytes as they
 * are. Every UTKFace crop has exactly this form.
 *
 * The check is also a validation, strict where libjpeg's decoder is fatal: every segment length
 * and table is parsed; quantization and Huffman tables must be well-formed (libjpeg's code-space
 * rule) and defined before a scan uses them; scans must name SOF components with sequential
 * parameters; every entropy-coded segment is walked to the next marker, so a truncated file
 * (no EOI at the end) is refused. What remains — bit errors inside the entropy-coded data — is
 * only a warning for libjpeg too, so a full decode with failOn 'error' accepts those as well.
 * Anything unusual returns null and the caller falls back to normalizeImage.
 */
export type CleanJpeg = { width: number; height: number };

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const DQT = 0xdb;
const DHT = 0xc4;
const DRI = 0xdd;
const APP0 = 0xe0;
const SOF0 = 0xc0;
const SOF1 = 0xc1;

type Component = { id: number; h: number; v: number; tq: number; scanned: boolean };

function isJfifWithoutThumbnail(body: Buffer): boolean {
  // "JFIF\0", version (2), units (1), x/y density (2+2), thumbnail width/height (1+1).
  return body.length === 14 && body.toString('latin1', 0, 5) === 'JFIF\0' && body[12] === 0 && body[13] === 0;
}

/** Marks the quantization tables of one DQT segment as defined; false if malformed. */
function readDqt(body: Buffer, defined: boolean[]): boolean {
  let i = 0;
  while (i < body.length) {
    const pq = body[i] >> 4;
    const tq = body[i] & 0x0f;
    if (pq > 1 || tq > 3) return false;
    const size = 1 + 64 * (pq + 1);
    if (i + size > body.length) return false;
    defined[tq] = true;
    i += size;
  }
  return i === body.length;
}

/** Marks the Huffman tables of one DHT segment as defined; false if malformed (libjpeg's checks). */
function readDht(body: Buffer, dc: boolean[], ac: boolean[]): boolean {
  let i = 0;
  while (i < body.length) {
    if (i + 17 > body.length) return false;
    const tc = body[i] >> 4;
    const th = body[i] & 0x0f;
    if (tc > 1 || th > 3) return false;
    let symbols = 0;
    let code = 0;
    for (let bits = 1; bits <= 16; bits++) {
      const count = body[i + bits];
      symbols += count;
      code += count;
      if (code > 1 << bits) return false; // over-subscribed code space: "Bogus Huffman table definition"
      code <<= 1;
    }
    if (symbols > 256 || i + 17 + symbols > body.length) return false;
    if (tc === 0) {
      for (let k = 0; k < symbols; k++) if (body[i + 17 + k] > 15) return false; // DC magnitude categories
    }
    (tc === 0 ? dc : ac)[th] = true;
    i += 17 + symbols;
  }
  return i === body.length;
}

function readSof(body: Buffer): { width: number; height: number; components: Component[] } | null {
  if (body.length !== 6 + 3 * 3 || body[0] !== 8 || body[5] !== 3) return null;
  const height = body.readUInt16BE(1);
  const width = body.readUInt16BE(3);
  if (width === 0 || height === 0) return null;
  const components: Component[] = [];
  for (let c = 0; c < 3; c++) {
    const o = 6 + 3 * c;
    const h = body[o + 1] >> 4;
    const v = body[o + 1] & 0x0f;
    const tq = body[o + 2];
    if (h < 1 || h > 4 || v < 1 || v > 4 || tq > 3) return null;
    if (components.some((k) => k.id === body[o])) return null;
    components.push({ id: body[o], h, v, tq, scanned: false });
  }
  const maxH = Math.max(...components.map((c) => c.h));
  const maxV = Math.max(...components.map((c) => c.v));
  // libjpeg: "Fractional sampling not implemented yet".
  if (components.some((c) => maxH % c.h !== 0 || maxV % c.v !== 0)) return null;
  return { width, height, components };
}

function readSos(body: Buffer, components: Component[], q: boolean[], dc: boolean[], ac: boolean[]): boolean {
  const ns = body[0];
  if (ns === undefined || ns < 1 || ns > components.length || body.length !== 1 + 2 * ns + 3) return false;
  const used = new Set<number>();
  let blocks = 0;
  for (let k = 0; k < ns; k++) {
    const id = body[1 + 2 * k];
    const td = body[2 + 2 * k] >> 4;
    const ta = body[2 + 2 * k] & 0x0f;
    const comp = components.find((c) => c.id === id);
    if (!comp || used.has(id) || td > 3 || ta > 3) return false;
    if (!dc[td] || !ac[ta] || !q[comp.tq]) return false; // "table … was not defined"
    used.add(id);
    comp.scanned = true;
    blocks += comp.h * comp.v;
  }
  if (ns > 1 && blocks > 10) return false; // libjpeg: "Sampling factors too large for interleaved scan"
  const o = 1 + 2 * ns;
  return body[o] === 0 && body[o + 1] === 63 && body[o + 2] === 0; // Ss, Se, Ah/Al of a sequential scan
}

export function inspectCleanJpeg(buf: Buffer): CleanJpeg | null {
  const len = buf.length;
  if (len < 4 || buf[0] !== 0xff || buf[1] !== SOI) return null;
  const quant: boolean[] = [];
  const dcTables: boolean[] = [];
  const acTables: boolean[] = [];
  let sof: ReturnType<typeof readSof> = null;
  let jfif = false;
  let scans = 0;
  let i = 2;
  while (i < len) {
    if (buf[i] !== 0xff) return null;
    while (i < len && buf[i] === 0xff) i++; // fill bytes
    if (i >= len) return null;
    const marker = buf[i++];
    if (marker === EOI) {
      if (i !== len || !sof || scans === 0 || !sof.components.every((c) => c.scanned)) return null;
      return { width: sof.width, height: sof.height };
    }
    if (i + 2 > len) return null;
    const segLen = buf.readUInt16BE(i);
    if (segLen < 2 || i + segLen > len) return null;
    const body = buf.subarray(i + 2, i + segLen);
    const first = i === 4;
    i += segLen;
    if (marker === APP0) {
      if (!first || !isJfifWithoutThumbnail(body)) return null;
      jfif = true;
    } else if (marker === DQT) {
      if (!readDqt(body, quant)) return null;
    } else if (marker === DHT) {
      if (!readDht(body, dcTables, acTables)) return null;
    } else if (marker === DRI) {
      if (body.length !== 2) return null;
    } else if (marker === SOF0 || marker === SOF1) {
      if (sof) return null;
      sof = readSof(body);
      if (!sof) return null;
      if (!jfif && sof.components.map((c) => c.id).join() !== '1,2,3') return null; // else RGB or unknown colour
    } else if (marker === SOS) {
      if (!sof || !readSos(body, sof.components, quant, dcTables, acTables)) return null;
      scans += 1;
      // Entropy-coded data: 0xFF00 is a stuffed byte and 0xFFD0–D7 a restart marker; any other
      // marker ends the scan. No marker at all means the file is truncated.
      for (;;) {
        const ff = buf.indexOf(0xff, i);
        if (ff === -1 || ff + 1 >= len) return null;
        const next = buf[ff + 1];
        if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) {
          i = ff + 2;
          continue;
        }
        i = ff;
        break;
      }
    } else {
      return null; // APP1..APP15 (EXIF, ICC, XMP, IPTC, Adobe…), COM, progressive/arithmetic SOF, anything else
    }
  }
  return null; // no EOI
}
