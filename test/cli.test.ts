import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { createTestDatabase } from './helpers.js';
import { NOT_EXPORTED, exportedTables } from '../src/exchange/exchange.js';
import { run } from './cli-run.js';

/** The `convene` command's subcommands against the engine's database (serving on its own embedded PostgreSQL: cli-server.once.test.ts). */
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
