import { Worker } from 'node:worker_threads';

export type Extracted = { text: string; error?: undefined } | { text: ''; error: 'too_large' | 'too_slow' | 'unreadable' };

/** Limits of one extraction: the worker thread's heap, and the time it may take. */
export const EXTRACT_LIMITS = { heapMb: 256, timeoutMs: 20_000 };

/** One extraction at a time per process: a flood of uploads waits its turn instead of piling up heaps. */
let queue: Promise<unknown> = Promise.resolve();

/**
 * Pulls searchable text out of an uploaded file where that is possible:
 * PDFs (pdf.js), Word documents (mammoth) and plain text or CSV. The work
 * runs in a worker thread with its own memory limit and a time limit, so a
 * file built to explode costs that thread, never the web server: it ends as
 * "too large", "too slow" or "unreadable" and the file stays downloadable.
 */
export function extractText(filePath: string, contentType: string): Promise<Extracted> {
  if (!['application/pdf', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'text/plain', 'text/csv'].includes(contentType)) return Promise.resolve({ text: '' });
  const run = queue.then(() => inWorker(filePath, contentType));
  queue = run.catch(() => undefined);
  return run;
}

function inWorker(filePath: string, contentType: string): Promise<Extracted> {
  // Under tsx (tests, `npm run dev`) this module is TypeScript, and so is its worker: a worker
  // thread does not inherit tsx's loader, so a two-line bootstrap registers it first.
  const self = import.meta.url;
  const typescript = self.endsWith('.ts');
  const file: URL | string = typescript
    ? `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(new URL('./extract-worker.ts', self).href)}); })`
    : new URL('./extract-worker.js', self);
  return new Promise<Extracted>((resolve) => {
    let settled = false;
    const done = (r: Extracted) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
      void worker.terminate();
    };
    const worker = new Worker(file, {
      eval: typescript,
      workerData: { filePath, contentType },
      resourceLimits: { maxOldGenerationSizeMb: EXTRACT_LIMITS.heapMb, maxYoungGenerationSizeMb: 48 },
      stdout: true,
      stderr: true,
    });
    // Whatever the parsers print is not ours to keep.
    worker.stdout.resume();
    worker.stderr.resume();
    const timer = setTimeout(() => done({ text: '', error: 'too_slow' }), EXTRACT_LIMITS.timeoutMs);
    worker.on('message', (m: { text?: string; error?: 'too_large' | 'unreadable' }) => done(m.error ? { text: '', error: m.error } : { text: m.text ?? '' }));
    // Out of memory ends the thread with ERR_WORKER_OUT_OF_MEMORY.
    worker.on('error', (err: NodeJS.ErrnoException) => done({ text: '', error: err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'too_large' : 'unreadable' }));
    worker.on('exit', () => done({ text: '', error: 'unreadable' }));
  });
}
