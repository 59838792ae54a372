import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { sniff } from '../../../lib/server/ingest/sniff';
import { hugePngHeader, photoJpeg, yazlZip } from './helpers';

function withAt(offset: number, text: string, size = 512): Buffer {
  const buf = Buffer.alloc(size);
  buf.write(text, offset, 'latin1');
  return buf;
}

describe('sniff', () => {
  it('accepts JPEG, PNG and WebP by magic bytes', async () => {
    expect(sniff(await photoJpeg(8, 8))).toMatchObject({ kind: 'image', format: 'jpeg', mime: 'image/jpeg' });
    expect(sniff(hugePngHeader(10, 10))).toMatchObject({ kind: 'image', format: 'png' });
    expect(sniff(withAt(0, 'RIFF\x10\x00\x00\x00WEBPVP8 '))).toMatchObject({ kind: 'image', format: 'webp' });
  });

  it('recognises other image formats as unsupported', () => {
    expect(sniff(withAt(0, 'GIF89a'))).toMatchObject({ kind: 'unsupported-image', format: 'gif' });
    expect(sniff(withAt(0, 'II*\x00'))).toMatchObject({ kind: 'unsupported-image', format: 'tiff' });
    expect(sniff(withAt(0, '\x00\x00\x00\x18ftypheic'))).toMatchObject({ kind: 'unsupported-image', format: 'heic' });
    expect(sniff(withAt(0, '\x00\x00\x00\x1cftypavif'))).toMatchObject({ kind: 'unsupported-image', format: 'avif' });
    expect(sniff(Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'))).toMatchObject({
      kind: 'unsupported-image',
      format: 'svg',
    });
  });

  it('recognises zip (including the empty zip) and other archives', async () => {
    expect(sniff(await yazlZip([{ name: 'a.txt', data: Buffer.from('a') }]))).toEqual({ kind: 'zip' });
    expect(sniff(withAt(0, 'PK\x05\x06'))).toEqual({ kind: 'zip' });
    expect(sniff(gzipSync(Buffer.from('x')))).toMatchObject({ kind: 'archive', format: 'gzip' });
    expect(sniff(Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4]))).toMatchObject({ kind: 'archive', format: '7z' });
    expect(sniff(withAt(0, 'Rar!\x1a\x07\x01\x00'))).toMatchObject({ kind: 'archive', format: 'rar' });
    expect(sniff(withAt(257, 'ustar'))).toMatchObject({ kind: 'archive', format: 'tar' });
  });

  it('calls anything else not an image, whatever it is named', () => {
    expect(sniff(Buffer.from('just some text that someone named photo.jpg'))).toMatchObject({ kind: 'unknown' });
    expect(sniff(Buffer.from('%PDF-1.7\n'))).toMatchObject({ kind: 'unknown', label: 'a PDF document' });
    expect(sniff(Buffer.alloc(0))).toMatchObject({ kind: 'unknown' });
    expect(sniff(Buffer.from([0xff, 0xd8]))).toMatchObject({ kind: 'unknown' });
  });
});
