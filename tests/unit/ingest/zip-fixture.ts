/**
 * A tiny hand-written zip writer for hostile fixtures that real zip tools
 * refuse to produce: "../" names, lying sizes, symlink attributes, encryption
 * flags, unknown compression methods, Unicode-path tricks.
 */
import { crc32, deflateRawSync } from 'node:zlib';

export interface FixtureEntry {
  name: string | Buffer;
  data?: Buffer;
  /** 0 = stored, 8 = deflate (default), anything else is written as-is with stored bytes. */
  method?: number;
  flags?: number;
  externalAttributes?: number;
  versionMadeBy?: number;
  /** Override what the headers claim (the real data is unchanged). */
  declaredUncompressedSize?: number;
  /** Use these bytes as the compressed payload instead of compressing `data`. */
  compressed?: Buffer;
  crc?: number;
  extraField?: Buffer;
}

const UTF8_FLAG = 0x0800;

export function buildZip(entries: FixtureEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.isBuffer(e.name) ? e.name : Buffer.from(e.name, 'utf8');
    const data = e.data ?? Buffer.alloc(0);
    const method = e.method ?? 8;
    const payload = e.compressed ?? (method === 8 ? deflateRawSync(data) : data);
    const crc = e.crc ?? crc32(data);
    const size = e.declaredUncompressedSize ?? data.length;
    const flags = (e.flags ?? 0) | (Buffer.isBuffer(e.name) ? 0 : UTF8_FLAG);
    const extra = e.extraField ?? Buffer.alloc(0);

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(0, 10); // time + date
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(payload.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(extra.length, 28);
    locals.push(local, name, extra, payload);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(e.versionMadeBy ?? 0x031e, 4); // Unix, spec 3.0
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(0, 12);
    central.writeUInt32LE(crc >>> 0, 16);
    central.writeUInt32LE(payload.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(extra.length, 30);
    central.writeUInt16LE(0, 32); // comment length
    central.writeUInt16LE(0, 34); // disk
    central.writeUInt16LE(0, 36); // internal attributes
    central.writeUInt32LE((e.externalAttributes ?? (0o100644 << 16)) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name, extra);

    offset += 30 + name.length + extra.length + payload.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

/** Info-ZIP Unicode Path extra field (0x7075): a second, "display" name for the same entry. */
export function unicodePathExtra(rawName: Buffer, unicodeName: string): Buffer {
  const utf8 = Buffer.from(unicodeName, 'utf8');
  const body = Buffer.alloc(5 + utf8.length);
  body.writeUInt8(1, 0);
  body.writeUInt32LE(crc32(rawName) >>> 0, 1);
  utf8.copy(body, 5);
  const header = Buffer.alloc(4);
  header.writeUInt16LE(0x7075, 0);
  header.writeUInt16LE(body.length, 2);
  return Buffer.concat([header, body]);
}

/** Unix mode in the high 16 bits of the external attributes. */
export function unixMode(mode: number): number {
  return (mode << 16) >>> 0;
}
