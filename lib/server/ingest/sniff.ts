import { open } from 'node:fs/promises';

/** How many leading bytes `sniff` looks at (tar's magic sits at offset 257). */
export const SNIFF_BYTES = 512;

export type AcceptedImageFormat = 'jpeg' | 'png' | 'webp';
export type OtherImageFormat = 'gif' | 'tiff' | 'bmp' | 'heic' | 'avif' | 'jxl' | 'svg' | 'ico';
export type OtherArchiveFormat = 'gzip' | '7z' | 'rar' | 'tar' | 'bzip2' | 'xz' | 'zstd';

export type Sniffed =
  | { kind: 'image'; format: AcceptedImageFormat; mime: string }
  | { kind: 'unsupported-image'; format: OtherImageFormat; label: string }
  | { kind: 'zip' }
  | { kind: 'archive'; format: OtherArchiveFormat; label: string }
  | { kind: 'unknown'; label: string };

const MIME: Record<AcceptedImageFormat, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
};

function startsWith(buf: Buffer, bytes: readonly number[], offset = 0): boolean {
  if (buf.length < offset + bytes.length) return false;
  return bytes.every((b, i) => buf[offset + i] === b);
}

function ascii(buf: Buffer, start: number, end: number): string {
  return buf.length >= end ? buf.toString('latin1', start, end) : '';
}

const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1']);
const AVIF_BRANDS = new Set(['avif', 'avis']);

/** Identifies a file by its leading bytes (never by its name). */
export function sniff(head: Buffer): Sniffed {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return image('jpeg');
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return image('png');
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') return image('webp');

  const sig = ascii(head, 0, 4);
  if (sig === 'PK\x03\x04' || sig === 'PK\x05\x06' || sig === 'PK\x07\x08') return { kind: 'zip' };
  if (startsWith(head, [0x1f, 0x8b])) return archive('gzip', 'a gzip archive');
  if (startsWith(head, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return archive('7z', 'a 7-Zip archive');
  if (ascii(head, 0, 6) === 'Rar!\x1a\x07') return archive('rar', 'a RAR archive');
  if (ascii(head, 257, 262) === 'ustar') return archive('tar', 'a tar archive');
  if (ascii(head, 0, 3) === 'BZh') return archive('bzip2', 'a bzip2 archive');
  if (startsWith(head, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return archive('xz', 'an xz archive');
  if (startsWith(head, [0x28, 0xb5, 0x2f, 0xfd])) return archive('zstd', 'a Zstandard archive');

  if (sig === 'GIF8') return other('gif', 'a GIF image');
  if (sig === 'II*\x00' || sig === 'MM\x00*') return other('tiff', 'a TIFF image');
  if (ascii(head, 0, 2) === 'BM' && head.length >= 14 && head.readUInt32LE(6) === 0) return other('bmp', 'a BMP image');
  if (startsWith(head, [0x00, 0x00, 0x01, 0x00]) && head.length >= 6 && head.readUInt16LE(4) > 0) {
    return other('ico', 'an icon (.ico) file');
  }
  if (ascii(head, 4, 8) === 'ftyp') {
    const brand = ascii(head, 8, 12);
    if (AVIF_BRANDS.has(brand)) return other('avif', 'an AVIF image');
    if (HEIC_BRANDS.has(brand)) return other('heic', 'a HEIC/HEIF image (iPhone format)');
    return { kind: 'unknown', label: 'a video or other media file' };
  }
  if (startsWith(head, [0xff, 0x0a]) || startsWith(head, [0, 0, 0, 0x0c, 0x4a, 0x58, 0x4c, 0x20])) {
    return other('jxl', 'a JPEG XL image');
  }
  const text = head.toString('utf8', 0, Math.min(head.length, 256)).trimStart().toLowerCase();
  if (text.startsWith('<svg') || (text.startsWith('<?xml') && text.includes('<svg'))) {
    return other('svg', 'an SVG vector image');
  }
  if (ascii(head, 0, 5) === '%PDF-') return { kind: 'unknown', label: 'a PDF document' };
  return { kind: 'unknown', label: 'not an image' };
}

function image(format: AcceptedImageFormat): Sniffed {
  return { kind: 'image', format, mime: MIME[format] };
}
function other(format: OtherImageFormat, label: string): Sniffed {
  return { kind: 'unsupported-image', format, label };
}
function archive(format: OtherArchiveFormat, label: string): Sniffed {
  return { kind: 'archive', format, label };
}

/** Reads at most SNIFF_BYTES from the start of a file. */
export async function readHead(filePath: string, length = SNIFF_BYTES): Promise<Buffer> {
  const handle = await open(filePath, 'r');
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buf, 0, length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

export async function sniffFile(filePath: string): Promise<Sniffed> {
  return sniff(await readHead(filePath));
}
