/**
 * Packs picked files into an uncompressed ("stored") .zip Blob in the browser, so a folder is
 * uploaded as one file and imported by one background job. The Blob references the File
 * objects, which are read once here (for the CRC-32) and again when uploaded: memory stays
 * small whatever the folder's size. No ZIP64: callers keep each part under 65,535 entries and
 * 4 GiB (see splitParts).
 */
import type { PickedFile } from '@/lib/client/collect-files';

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function dosDateTime(d: Date): { time: number; date: number } {
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
    date: ((Math.max(1980, d.getFullYear()) - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

type Entry = { name: Uint8Array<ArrayBuffer>; crc: number; size: number; offset: number };

export async function storeZip(files: PickedFile[], onRead?: (done: number) => void): Promise<Blob> {
  const encoder = new TextEncoder();
  const { time, date } = dosDateTime(new Date());
  const parts: BlobPart[] = [];
  const entries: Entry[] = [];
  let offset = 0;
  for (const [i, { file, path }] of files.entries()) {
    const name = encoder.encode(path.replace(/^\/+/, ''));
    const crc = crc32(new Uint8Array(await file.arrayBuffer()));
    const header = new DataView(new ArrayBuffer(30));
    header.setUint32(0, 0x04034b50, true);
    header.setUint16(4, 20, true);
    header.setUint16(6, 0x0800, true); // names are UTF-8
    header.setUint16(8, 0, true); // stored
    header.setUint16(10, time, true);
    header.setUint16(12, date, true);
    header.setUint32(14, crc, true);
    header.setUint32(18, file.size, true);
    header.setUint32(22, file.size, true);
    header.setUint16(26, name.length, true);
    header.setUint16(28, 0, true);
    parts.push(header.buffer, name, file);
    entries.push({ name, crc, size: file.size, offset });
    offset += 30 + name.length + file.size;
    onRead?.(i + 1);
  }
  let central = 0;
  for (const e of entries) {
    const h = new DataView(new ArrayBuffer(46));
    h.setUint32(0, 0x02014b50, true);
    h.setUint16(4, 20, true);
    h.setUint16(6, 20, true);
    h.setUint16(8, 0x0800, true);
    h.setUint16(10, 0, true);
    h.setUint16(12, time, true);
    h.setUint16(14, date, true);
    h.setUint32(16, e.crc, true);
    h.setUint32(20, e.size, true);
    h.setUint32(24, e.size, true);
    h.setUint16(28, e.name.length, true);
    h.setUint32(42, e.offset, true); // the other fields (extra, comment, disk, attributes) are 0
    parts.push(h.buffer, e.name as Uint8Array<ArrayBuffer>);
    central += 46 + e.name.length;
  }
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, entries.length, true);
  end.setUint16(10, entries.length, true);
  end.setUint32(12, central, true);
  end.setUint32(16, offset, true);
  parts.push(end.buffer);
  return new Blob(parts, { type: 'application/zip' });
}

/** Splits a folder into parts of at most `maxEntries` files and `maxBytes` bytes (at least one file each). */
export function splitParts(files: PickedFile[], maxEntries: number, maxBytes: number): PickedFile[][] {
  const out: PickedFile[][] = [];
  let current: PickedFile[] = [];
  let bytes = 0;
  for (const f of files) {
    if (current.length > 0 && (current.length >= maxEntries || bytes + f.file.size > maxBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(f);
    bytes += f.file.size + 128 + f.path.length;
  }
  if (current.length > 0) out.push(current);
  return out;
}
