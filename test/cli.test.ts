import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase } from './helpers.js';
import { freePort } from '../src/platform/db/embedded.js';

const root = path.resolve(import.meta.dirname, '..');

function run(args: string[], env: Record<string, string>, opts: { untilOutput?: RegExp; timeoutMs?: number } = {}) {
  return new Promise<{ code: number | null; out: string; child: ReturnType<typeof spawn> }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli.ts'), ...args], {
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
      assert.equal((await run(['frobnicate'], env)).code, 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('start serves /healthz on its embedded PostgreSQL and stops cleanly on SIGTERM', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'convene-start-'));
    const port = await freePort();
    try {
      const started = await run(['start'], { CONVENE_DATA_DIR: dir, PORT: String(port), DATABASE_URL: '', CONVENE_SEED: 'demo' }, { untilOutput: /Convene is running at/, timeoutMs: 90_000 });
      assert.match(started.out, /Convene is running at http:\/\/127\.0\.0\.1:\d+/, started.out);
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

      const exited = new Promise<number | null>((resolve) => started.child.on('close', (code) => resolve(code)));
      started.child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
