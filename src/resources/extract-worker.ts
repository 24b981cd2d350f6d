/**
 * Runs in a worker thread (see extract.ts): pulls the text out of one file
 * and posts it back. A file built to explode (a PDF stream or a Word archive
 * that expands to hundreds of megabytes) meets the thread's memory limit or
 * the size caps here, never the web server's event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { MAX_TEXT, MAX_EXPANDED_BYTES, clip, pdfWithinBudget, zipExpandedSize } from './extract-limits.js';

interface Job {
  filePath: string;
  contentType: string;
}

async function pdfText(data: Uint8Array): Promise<string> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data, useSystemFonts: false, isEvalSupported: false, disableFontFace: true, verbosity: 0 }).promise;
  try {
    const parts: string[] = [];
    let length = 0;
    for (let i = 1; i <= doc.numPages && length < MAX_TEXT; i++) {
      const page = await doc.getPage(i);
      const content = await page.getTextContent();
      const text = content.items.map((it) => ('str' in it ? it.str : '')).join(' ');
      parts.push(text);
      length += text.length;
      page.cleanup();
    }
    return parts.join('\n');
  } finally {
    await doc.destroy();
  }
}

async function run({ filePath, contentType }: Job): Promise<{ text: string } | { error: string }> {
  const data = readFileSync(filePath);
  if (contentType === 'application/pdf') {
    if (!pdfWithinBudget(data, MAX_EXPANDED_BYTES)) return { error: 'too_large' };
    return { text: clip(await pdfText(new Uint8Array(data))) };
  }
  if (contentType === 'application/vnd.openxmlformats-officedocument.wordprocessingml.document') {
    // The archive says how large its parts become: refuse a bomb before unpacking any of it.
    const expanded = zipExpandedSize(data);
    if (expanded === undefined || expanded > MAX_EXPANDED_BYTES) return { error: 'too_large' };
    const mammoth = await import('mammoth');
    const r = await mammoth.default.extractRawText({ buffer: data });
    return { text: clip(r.value) };
  }
  if (contentType === 'text/plain' || contentType === 'text/csv') return { text: clip(data.toString('utf8')) };
  return { text: '' };
}

run(workerData as Job).then(
  (r) => parentPort!.postMessage(r),
  () => parentPort!.postMessage({ error: 'unreadable' }),
);
