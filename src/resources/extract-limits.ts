import { inflateSync } from 'node:zlib';

/** At most this much text per file is kept for search. */
export const MAX_TEXT = 200_000;
/** A Word document whose parts expand past this is not unpacked. */
export const MAX_EXPANDED_BYTES = 64 * 1024 * 1024;

export const clip = (s: string) => s.replace(/\u0000/g, '').replace(/\s+/g, ' ').trim().slice(0, MAX_TEXT);

/**
 * The total uncompressed size a ZIP archive declares in its central
 * directory (Word documents are ZIP archives), or undefined when it has none
 * that can be read. Declared sizes can lie; the worker's memory limit is the
 * backstop for those.
 */
export function zipExpandedSize(buf: Buffer): number | undefined {
  // End of central directory: signature 0x06054b50, within the last 64 KiB + 22 bytes.
  const min = Math.max(0, buf.length - 65_557);
  let eocd = -1;
  for (let i = buf.length - 22; i >= min; i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return undefined;
  const entries = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  let total = 0;
  for (let n = 0; n < entries; n++) {
    if (at + 46 > buf.length || buf.readUInt32LE(at) !== 0x02014b50) return undefined;
    const size = buf.readUInt32LE(at + 24);
    // ZIP64 marks sizes it cannot hold as 0xFFFFFFFF: far past any limit here.
    total += size === 0xffffffff ? Number.MAX_SAFE_INTEGER / 2 : size;
    at += 46 + buf.readUInt16LE(at + 28) + buf.readUInt16LE(at + 30) + buf.readUInt16LE(at + 32);
  }
  return total;
}

/**
 * Whether a PDF's compressed (Flate) streams stay within `budget` bytes once
 * inflated, checked with zlib's own output cap before pdf.js decodes
 * anything: a 1 MB file can hold a stream of gigabytes. Streams that are not
 * Flate, or are corrupt, are left to pdf.js (and the worker's limits).
 */
export function pdfWithinBudget(buf: Buffer, budget: number): boolean {
  let total = 0;
  let at = 0;
  for (;;) {
    const start = buf.indexOf('stream', at, 'latin1');
    if (start < 0) return true;
    // "endstream" also contains "stream": skip it.
    if (start >= 3 && buf.toString('latin1', start - 3, start) === 'end') {
      at = start + 6;
      continue;
    }
    let data = start + 6;
    if (buf[data] === 0x0d) data++;
    if (buf[data] === 0x0a) data++;
    const end = buf.indexOf('endstream', data, 'latin1');
    if (end < 0) return true;
    const dict = buf.toString('latin1', Math.max(0, start - 400), start);
    at = end + 9;
    if (!/\/FlateDecode/.test(dict.slice(dict.lastIndexOf('<<')))) continue;
    try {
      total += inflateSync(buf.subarray(data, end), { maxOutputLength: Math.max(1, budget - total) }).length;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) return false;
    }
    if (total >= budget) return false;
  }
}
