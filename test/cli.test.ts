import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { createTestDatabase } from './helpers.js';
import { NOT_EXPORTED, exportedTables } from '../src/exchange/exchange.js';
import { freePort } from '../src/platform/db/embedded.js';

const root = path.resolve(import.meta.dirname, '..');

function run(args: string[], env: Record<string, string>, opts: { untilOutput?: RegExp; timeoutMs?: number } = {}) {
  return new Promise<{ code: number | null; out: string; child: ReturnType<typeof spawn> }>((resolve) => {
    // The compiled command, as people run it (npm test builds it first): a third of the start-up time of tsx.
    const child = spawn(process.execPath, [path.join(root, 'bin/convene.js'), ...args], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    });
    let out = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (opts.untilOutput?.test(out)) {
        clearTimeout(timer);
        resolve({ code: null, out, child });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, child });
    });
  });
}

describe('the convene command', () => {
  test('migrate, seed, create-admin, export and import against DATABASE_URL', async () => {
    const a = await createTestDatabase();
    const dir = mkdtempSync(path.join(tmpdir(), 'convene-cli-'));
    try {
      const env = { DATABASE_URL: a.url, CONVENE_DATA_DIR: dir };
      assert.equal((await run(['migrate'], env)).code, 0);
      const seed = await run(['seed'], env);
      assert.equal(seed.code, 0, seed.out);
      assert.equal((await run(['seed'], env)).code, 1, 'seeding twice is refused');
      const admin = await run(['create-admin', '--email', 'root@example.org', '--password', 'a long admin passphrase', '--name', 'Root Admin'], env);
      assert.equal(admin.code, 0, admin.out);
      const row = await a.db.selectFrom('users').select('role').where('email', '=', 'root@example.org').executeTakeFirstOrThrow();
      assert.equal(row.role, 'admin');
      assert.equal((await run(['create-admin', '--email', 'x@example.org'], env)).code, 2);
      const token = await run(['create-token', '--email', 'root@example.org', '--name', 'deploy'], env);
      assert.equal(token.code, 0, token.out);
      assert.match(token.out.trim().split('\n').pop()!, /^cvn_[A-Za-z0-9_-]{20,}$/);
      const file = path.join(dir, 'export.json');
      const exp = await run(['export', '--out', file], env);
      assert.equal(exp.code, 0, exp.out);
      const data = JSON.parse(readFileSync(file, 'utf8'));
      assert.equal(data.tables.practice_groups.length, 13);

      const b = await createTestDatabase();
      const imp = await run(['import', '--in', file], { DATABASE_URL: b.url, CONVENE_DATA_DIR: dir });
      assert.equal(imp.code, 0, imp.out);
      const groups = await b.db.selectFrom('practice_groups').select('id').execute();
      assert.equal(groups.length, 13);
      // Every exported table arrives whole (credentials aside).
      for (const table of exportedTables()) {
        if (table === 'api_tokens') continue;
        const count = async (db: typeof a.db) => Number((await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(db)).rows[0]!.n);
        assert.equal(await count(b.db), await count(a.db), `${table}: rows after import`);
      }
      assert.equal((await run(['frobnicate'], env)).code, 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a live server on its embedded PostgreSQL: commands beside it, a database crash, backup and restore, export with files', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'convene-start-'));
    const port = await freePort();
    try {
      const started = await run(['start'], { CONVENE_DATA_DIR: dir, PORT: String(port), DATABASE_URL: '', CONVENE_SEED: 'demo' }, { untilOutput: /Convene is running at/, timeoutMs: 90_000 });
      assert.match(started.out, /Convene is running at http:\/\/127\.0\.0\.1:\d+/, started.out);
      let later = '';
      started.child.stdout!.on('data', (d: Buffer) => (later += d.toString()));
      started.child.stderr!.on('data', (d: Buffer) => (later += d.toString()));
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      assert.deepEqual(await health.json(), { status: 'ok', database: 'embedded' });
      const home = await fetch(`http://127.0.0.1:${port}/`);
      assert.match(await home.text(), /National Community of Practice/);

      // Demo facilitators sign in with their password, then the code "demo-code" prints.
      const jar = new Map<string, string>();
      const send = async (url: string, form?: Record<string, string>) => {
        const res = await fetch(`http://127.0.0.1:${port}${url}`, {
          method: form ? 'POST' : 'GET',
          redirect: 'manual',
          headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
          body: form ? new URLSearchParams(form).toString() : undefined,
        });
        for (const c of res.headers.getSetCookie()) {
          const [pair] = c.split(';');
          jar.set(pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1));
        }
        return res;
      };
      const csrf = (await (await send('/login')).text()).match(/name="_csrf" value="([^"]+)"/)![1]!;
      const first = await send('/login', { _csrf: csrf, email: 'facilitator@demo.convene.test', password: 'convene-demo-2026' });
      assert.equal(first.headers.get('location'), '/login/two-factor');
      const code = (await run(['demo-code'], {})).out.trim();
      assert.match(code, /^\d{6}$/);
      const second = await send('/login/two-factor', { _csrf: csrf, code });
      assert.equal(second.status, 303);
      assert.equal(second.headers.get('location'), '/');
      assert.equal((await send('/settings')).status, 200);

      // ---- Commands typed beside the running server use its database and never stop it.
      const env = { CONVENE_DATA_DIR: dir, DATABASE_URL: '' };
      const healthy = async (what: string) => {
        const r = await fetch(`http://127.0.0.1:${port}/readyz`);
        assert.equal(r.status, 200, `the server still answers after ${what}`);
        assert.equal((await fetch(`http://127.0.0.1:${port}/groups`)).status, 200, `pages still work after ${what}`);
      };
      const admin = await run(['create-admin', '--email', 'ops@example.org', '--password', 'a long admin passphrase', '--name', 'Ops Person'], env);
      assert.equal(admin.code, 0, admin.out);
      assert.doesNotMatch(admin.out, /stopping a PostgreSQL/);
      await healthy('create-admin');
      // A deployment script gets a token without a browser; it works although the admin has no second factor yet.
      const tokenRun = await run(['create-token', '--email', 'ops@example.org'], env);
      assert.equal(tokenRun.code, 0, tokenRun.out);
      const token = tokenRun.out.trim().split('\n').pop()!;
      const auth = { authorization: `Bearer ${token}` };
      assert.equal((await fetch(`http://127.0.0.1:${port}/api/v1/notifications`, { headers: auth })).status, 200);
      assert.equal((await run(['create-token', '--email', 'nobody@example.org'], env)).code, 1);
      // An uploaded file, to follow through export, backup and restore.
      const form = new FormData();
      form.set('title', 'Drill checklist');
      form.set('kind', 'guide');
      form.set('file', new Blob([Buffer.from('%PDF-1.4\n% a tiny file for the restore drill\n')], { type: 'application/pdf' }), 'drill.pdf');
      const up = await fetch(`http://127.0.0.1:${port}/api/v1/resources`, { method: 'POST', headers: auth, body: form });
      assert.equal(up.status, 201, await up.clone().text());
      const resourceId = (await up.json()).id as number;
      const fileUrl = async (base: string, h = auth) => {
        const r = (await (await fetch(`${base}/api/v1/resources/${resourceId}`, { headers: h })).json()) as { files: { url: string }[] };
        return `${base}${new URL(r.files[0]!.url).pathname}`;
      };
      const exportFile = path.join(dir, 'community.tar.gz');
      const exp = await run(['export', '--out', exportFile], env);
      assert.equal(exp.code, 0, exp.out);
      assert.match(exp.out, /[1-9]\d* uploaded files/);
      await healthy('export');
      assert.equal((await run(['migrate'], env)).code, 0);
      await healthy('migrate');
      const backupFile = path.join(dir, 'backup.tar.gz');
      const backup = await run(['backup', '--out', backupFile], env);
      assert.equal(backup.code, 0, backup.out);
      await healthy('backup');

      // ---- The database goes away and comes back: 503 meanwhile, never a crash.
      const pgPid = Number(readFileSync(path.join(dir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
      process.kill(pgPid, 'SIGKILL');
      const during = await fetch(`http://127.0.0.1:${port}/groups`);
      assert.ok([200, 503].includes(during.status), `a page while the database is away answers ${during.status}`);
      // Up to a minute: crash recovery on a loaded 2-core machine has taken over 30 s.
      let back = false;
      for (let i = 0; i < 120 && !back; i++) {
        await new Promise((r) => setTimeout(r, 500));
        back = (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200;
      }
      assert.ok(back, 'the server restarted its PostgreSQL and is ready again');
      await healthy('the database came back');
      assert.equal(started.child.exitCode, null, 'the server process never died');

      const exited = new Promise<number | null>((resolve) => started.child.on('close', (code) => resolve(code)));
      started.child.kill('SIGTERM');
      assert.equal(await exited, 0);
      assert.match(later, /stopped unexpectedly.*starting it again.*running again/s, 'what happened is logged');

      // ---- The backup restores the whole installation, files included.
      const restored = mkdtempSync(path.join(tmpdir(), 'convene-restored-'));
      try {
        const rest = await run(['restore', '--in', backupFile], { CONVENE_DATA_DIR: restored, DATABASE_URL: '' });
        assert.equal(rest.code, 0, rest.out);
        assert.equal((await run(['restore', '--in', backupFile], { CONVENE_DATA_DIR: restored, DATABASE_URL: '' })).code, 2, 'never over a database without --force');
        const port2 = await freePort();
        const again = await run(['start'], { CONVENE_DATA_DIR: restored, PORT: String(port2), DATABASE_URL: '', CONVENE_SEED: 'none' }, { untilOutput: /Convene is running at/, timeoutMs: 90_000 });
        try {
          const base = `http://127.0.0.1:${port2}`;
          assert.equal((await fetch(`${base}/api/v1/notifications`, { headers: auth })).status, 200, 'the token survives the restore');
          const url = await fileUrl(base);
          const dl = await fetch(url, { headers: auth });
          assert.equal(dl.status, 200, url);
          assert.match(await dl.text(), /restore drill/);
        } finally {
          const done = new Promise((resolve) => again.child.on('close', resolve));
          again.child.kill('SIGTERM');
          await done;
        }
        // ---- The export archive carries the files too: import into an empty database elsewhere.
        const fresh = await createTestDatabase();
        const elsewhere = mkdtempSync(path.join(tmpdir(), 'convene-imported-'));
        const imp = await run(['import', '--in', exportFile], { CONVENE_DATA_DIR: elsewhere, DATABASE_URL: fresh.url });
        assert.equal(imp.code, 0, imp.out);
        const port3 = await freePort();
        const third = await run(['start'], { CONVENE_DATA_DIR: elsewhere, PORT: String(port3), DATABASE_URL: fresh.url, CONVENE_SEED: 'none', CONVENE_WORKERS: 'off' }, { untilOutput: /Convene is running at/, timeoutMs: 90_000 });
        try {
          const base = `http://127.0.0.1:${port3}`;
          const tok = await run(['create-token', '--email', 'ops@example.org'], { CONVENE_DATA_DIR: elsewhere, DATABASE_URL: fresh.url });
          const h = { authorization: `Bearer ${tok.out.trim().split('\n').pop()}` };
          const dl = await fetch(await fileUrl(base, h), { headers: h });
          assert.equal(dl.status, 200);
          assert.match(await dl.text(), /restore drill/);
        } finally {
          const done = new Promise((resolve) => third.child.on('close', resolve));
          third.child.kill('SIGTERM');
          await done;
          rmSync(elsewhere, { recursive: true, force: true });
        }
      } finally {
        rmSync(restored, { recursive: true, force: true });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('no table is forgotten by export: each is exported or listed with its reason', async () => {
    const a = await createTestDatabase();
    const tables = (await sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`.execute(a.db)).rows.map((r) => r.name);
    const covered = new Set([...exportedTables(), ...Object.keys(NOT_EXPORTED), 'schema_migrations']);
    assert.deepEqual(tables.filter((t) => !covered.has(t)).sort(), []);
  });

  test('a bad setting gives a clear message, not "undefined"', async () => {
    const res = await run(['start'], { PORT: 'not-a-port', CONVENE_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'convene-bad-')) });
    assert.equal(res.code, 1);
    assert.match(res.out, /PORT must be a whole number/);
    assert.doesNotMatch(res.out, /undefined/);
    const db = await run(['migrate'], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', CONVENE_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'convene-bad-')) });
    assert.equal(db.code, 1);
    assert.match(db.out, /convene: could not start: .*(ECONNREFUSED|connect)/);
  });
});
