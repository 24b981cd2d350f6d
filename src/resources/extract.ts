import { readFileSync } from 'node:fs';

/** At most this much text per file is kept for search. */
const MAX_TEXT = 200_000;

/**
 * Pulls searchable text out of an uploaded file where that is possible:
 * PDFs (pdf.js), Word documents (mammoth) and plain text or CSV. Anything
 * else, or a file that fails to parse, yields no text rather than an error.
 */
export async function extractText(filePath: string, contentType: string): Promise<string> {
  try {
    if (contentType === 'application/pdf') return clip(await pdfText(filePath));
    if (contentType === 'application/vnd.openxmlformats-officedocument.wordprocessingml.document') {
      const mammoth = await import('mammoth');
      const r = await mammoth.default.extractRawText({ path: filePath });
      return clip(r.value);
    }
    if (contentType === 'text/plain' || contentType === 'text/csv') return clip(readFileSync(filePath, 'utf8'));
  } catch {
    return '';
  }
  return '';
}

async function pdfText(filePath: string): Promise<string> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const data = new Uint8Array(readFileSync(filePath));
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

const clip = (s: string) => s.replace(/\u0000/g, '').replace(/\s+/g, ' ').trim().slice(0, MAX_TEXT);
