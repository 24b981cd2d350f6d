import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { sql } from 'kysely';
import pg from 'pg';
import { createTestDatabase } from '../../../test/helpers.js';
import { MIGRATIONS_DIR, migrate } from './migrate.js';
import { seedDemo, seedIfEmpty } from '../../seed/seed.js';
import { exportCommunity, importCommunity, ImportError } from '../../exchange/exchange.js';

/** An empty database (no tables at all) on the same server as the test databases. */
async function emptyDatabase() {
  const { url, close } = await createTestDatabase();
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
  await c.end();
  return { url, close };
}

describe('migrations', () => {
  test('several processes migrating at once apply each migration exactly once', async () => {
    const { url } = await emptyDatabase();
    const results = await Promise.all([migrate(url), migrate(url), migrate(url), migrate(url)]);
    const files = readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql'));
    assert.equal(results.reduce((n, r) => n + r.applied.length, 0), files.length, 'each file applied once in total');
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const rows = await c.query('SELECT name FROM schema_migrations ORDER BY name');
    await c.end();
    assert.deepEqual(rows.rows.map((r) => r.name), files.sort());
    const again = await migrate(url);
    assert.deepEqual(again.applied, []);
  });
});

describe('demo seed, export and import', () => {
  test('seedIfEmpty loads once even when called concurrently', async () => {
    const { db } = await createTestDatabase();
    const outcomes = await Promise.all([seedIfEmpty(db), seedIfEmpty(db), seedIfEmpty(db)]);
    assert.deepEqual(outcomes.filter(Boolean).length, 1);
    const groups = await db.selectFrom('practice_groups').select(['slug', 'member_count']).execute();
    assert.equal(groups.length, 13, '12 practice groups and the private leads circle');
    const counted = await sql<{ group_id: number; n: number }>`SELECT group_id, count(*)::int AS n FROM group_memberships WHERE status = 'active' GROUP BY group_id`.execute(db);
    const byId = await db.selectFrom('practice_groups').select(['id', 'member_count']).execute();
    for (const g of byId) assert.equal(g.member_count, counted.rows.find((r) => r.group_id === g.id)?.n ?? 0, 'precomputed member counts are true');
    const perspectives = await sql<{ p: string }>`SELECT DISTINCT unnest(perspectives) AS p FROM users`.execute(db);
    assert.equal(perspectives.rows.length, 12, 'demo people cover every stakeholder perspective');
    const priorities = await db.selectFrom('group_priorities').select('id').execute();
    assert.ok(priorities.length >= 40);
  });

  test('an export imports into an empty database with every row and reference intact', async () => {
    const source = await createTestDatabase();
    await seedDemo(source.db);
    const data = await exportCommunity(source.db);
    assert.equal(data.format, 'convene-export');
    const users = data.tables.users as Record<string, unknown>[];
    assert.ok(users.length > 10);
    assert.ok(users.every((u) => !('password_hash' in u)), 'no password hashes unless asked for');
    const withCreds = await exportCommunity(source.db, { withCredentials: true });
    assert.ok((withCreds.tables.users as Record<string, unknown>[]).every((u) => typeof u.password_hash === 'string'));

    const target = await createTestDatabase();
    const counts = await importCommunity(target.db, JSON.parse(JSON.stringify(data)));
    assert.equal(counts.practice_groups, 13);
    const again = await exportCommunity(target.db);
    for (const name of Object.keys(data.tables)) assert.deepEqual(again.tables[name], data.tables[name], `${name} round-trips`);
    // New rows still get fresh ids after the import.
    const org = await target.db.insertInto('organizations').values({ slug: 'after-import', name: 'After', kind: 'other', level: 'local' }).returning('id').executeTakeFirstOrThrow();
    assert.ok(org.id > Math.max(...(data.tables.organizations as { id: number }[]).map((o) => o.id)));

    await assert.rejects(importCommunity(target.db, data), ImportError, 'a non-empty database is refused');
    await assert.rejects(importCommunity(target.db, { hello: 'world' }), ImportError);
  });

  test('a broken import writes nothing', async () => {
    const source = await createTestDatabase();
    await seedDemo(source.db);
    const data = await exportCommunity(source.db);
    (data.tables.group_memberships as Record<string, unknown>[]).push({ group_id: 999999, user_id: 1, role: 'member', status: 'active' });
    const target = await createTestDatabase();
    await assert.rejects(importCommunity(target.db, data));
    const n = await target.db.selectFrom('users').select('id').execute();
    assert.equal(n.length, 0);
  });
});
