import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { createDeflate } from 'node:zlib';
import yazl from 'yazl';
import { apiToken, bearer, buildGroup, buildTestApp, buildUser, type TestContext } from '../../test/helpers.js';
import { multipart } from '../../test/fixtures.js';

/**
 * Files built to explode must not stall the site: text extraction runs in a
 * worker thread with its own limits, and Markdown has bounds. While each bomb
 * is processed, another client keeps asking /healthz: every answer must come
 * within 200 ms.
 */
let t: TestContext;
let base: string;
before(async () => {
  t = await buildTestApp();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
});

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** `mb` megabytes of the same byte, produced a megabyte at a time (never whole in memory). */
const filler = (mb: number) => {
  const chunk = Buffer.alloc(1024 * 1024, 0x20);
  let left = mb;
  return new Readable({
    read() {
      this.push(left-- > 0 ? chunk : null);
    },
  });
};

/** A one-page PDF whose content stream inflates to `mb` megabytes. */
async function pdfBomb(mb: number): Promise<Buffer> {
  const stream = await collect(filler(mb).pipe(createDeflate({ level: 9 })));
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>',
  ];
  const chunks: Buffer[] = [Buffer.from('%PDF-1.4\n')];
  const offsets: number[] = [];
  let length = chunks[0]!.length;
  const push = (b: Buffer) => {
    chunks.push(b);
    length += b.length;
  };
  objects.forEach((o, i) => {
    offsets.push(length);
    push(Buffer.from(`${i + 1} 0 obj\n${o}\nendobj\n`));
  });
  offsets.push(length);
  push(Buffer.from(`4 0 obj\n<< /Length ${stream.length} /Filter /FlateDecode >>\nstream\n`));
  push(stream);
  push(Buffer.from('\nendstream\nendobj\n'));
  const xref = length;
  push(Buffer.from(`xref\n0 5\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`));
  return Buffer.concat(chunks);
}

/** A Word document whose document.xml expands to `mb` megabytes. */
async function docxBomb(mb: number): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'), '[Content_Types].xml');
  zip.addReadStream(filler(mb), 'word/document.xml', { compress: true });
  zip.end();
  return collect(zip.outputStream);
}

/** Runs `work` while a client asks /healthz every 20 ms; returns the slowest answer in ms. */
async function slowestHealthCheck(work: () => Promise<unknown>): Promise<number> {
  let worst = 0;
  let running = true;
  const probe = (async () => {
    while (running) {
      const started = performance.now();
      const res = await fetch(`${base}/healthz`);
      await res.arrayBuffer();
      worst = Math.max(worst, performance.now() - started);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  try {
    await work();
  } finally {
    running = false;
    await probe;
  }
  return worst;
}

async function upload(token: string, filename: string, contentType: string, data: Buffer) {
  const form = multipart({ title: `Bomb ${filename}`, kind: 'guide' }, [{ field: 'file', filename, contentType, data }]);
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/resources', headers: { ...bearer(token), ...form.headers }, payload: form.payload });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().id as number;
}

test('a PDF and a Word document that expand to hundreds of megabytes never stall /healthz, and are marked', async () => {
  const user = await buildUser(t.db);
  const token = await apiToken(t.app, user.email);
  const pdf = await pdfBomb(300);
  const docx = await docxBomb(400);
  assert.ok(pdf.length < 2_000_000 && docx.length < 2_000_000, `small files: ${pdf.length}, ${docx.length} bytes`);
  const ids = [await upload(token, 'bomb.pdf', 'application/pdf', pdf), await upload(token, 'bomb.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', docx)];
  const worst = await slowestHealthCheck(() => t.jobs.drain());
  console.log(`slowest /healthz while extracting the bombs: ${worst.toFixed(0)} ms`);
  assert.ok(worst < 200, `/healthz took ${worst.toFixed(0)} ms`);
  const files = await t.db.selectFrom('resource_files').select(['resource_id', 'extract_error', 'extracted_at']).where('resource_id', 'in', ids).execute();
  assert.equal(files.length, 2);
  for (const f of files) {
    assert.ok(f.extracted_at, 'the job finished');
    assert.equal(f.extract_error, 'too_large');
  }
  const slug = (await t.db.selectFrom('resources').select('slug').where('id', '=', ids[0]!).executeTakeFirstOrThrow()).slug;
  const page = await t.app.inject({ url: `/resources/${slug}`, headers: bearer(token) });
  assert.match(page.body, /could not be extracted/);
});

test('an ordinary PDF still gives its text', async () => {
  const user = await buildUser(t.db);
  const token = await apiToken(t.app, user.email);
  const content = Buffer.from('BT /F1 12 Tf 72 720 Td (Restorative circles in middle school) Tj ET');
  const pdf = Buffer.from(
    `%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>\nendobj\n4 0 obj\n<< /Length ${content.length} >>\nstream\n${content}\nendstream\nendobj\n5 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n`,
  );
  const id = await upload(token, 'circles.pdf', 'application/pdf', pdf);
  await t.jobs.drain();
  const r = await t.db.selectFrom('resources').select('extracted_text').where('id', '=', id).executeTakeFirstOrThrow();
  assert.match(r.extracted_text, /Restorative circles/);
  const f = await t.db.selectFrom('resource_files').select('extract_error').where('resource_id', '=', id).executeTakeFirstOrThrow();
  assert.equal(f.extract_error, null);
});

test('Markdown built to be slow is refused with a field message, and pages stay fast', async () => {
  const user = await buildUser(t.db);
  const g = await buildGroup(t.db, { memberIds: [user.id] });
  const token = await apiToken(t.app, user.email);
  const table = '| a | b |\n|---|---|\n' + '| x | y |\n'.repeat(12_000);
  const emphasis = '*a **a _b __b '.repeat(3_000);
  for (const body of [table.slice(0, 50_000), emphasis.slice(0, 50_000)]) {
    let res: Awaited<ReturnType<typeof t.app.inject>> | undefined;
    const worst = await slowestHealthCheck(async () => {
      res = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${g.slug}/threads`, headers: bearer(token), payload: { title: 'Big', body } });
    });
    assert.equal(res!.statusCode, 400, res!.body.slice(0, 200));
    assert.ok(res!.json().error.fields.body);
    assert.ok(worst < 200, `/healthz took ${worst.toFixed(0)} ms`);
  }
  // A long ordinary post is fine.
  const ok = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${g.slug}/threads`, headers: bearer(token), payload: { title: 'Notes', body: '| a | b |\n|---|---|\n' + '| x | y |\n'.repeat(200) + '\nSome *emphasis* and a [link](https://example.org).' } });
  assert.equal(ok.statusCode, 201, ok.body);
});
