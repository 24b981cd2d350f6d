import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import type { KyselyPlugin } from 'kysely';
import { ConfigError, loadConfig } from '../config.js';
import { Agent, apiToken, bearer, buildGroup, buildTestApp, buildUser, type TestContext } from '../../../test/helpers.js';

/** Every statement sent through the "replica" handle (here the same database, counted). */
const reads: string[] = [];
const counting: KyselyPlugin = {
  transformQuery: ({ node }) => {
    reads.push(node.kind);
    return node;
  },
  transformResult: async ({ result }) => result,
};

let t: TestContext;
before(async () => {
  t = await buildTestApp({}, { readDb: (db) => db.withPlugin(counting) });
});

describe('heavy reads on a replica (DATABASE_REPLICA_URL)', () => {
  test('search, the library, the reach dashboard and analytics read through the replica; writes and ordinary pages never do', async () => {
    const fac = await buildUser(t.db, { role: 'facilitator' });
    const g = await buildGroup(t.db, { leadId: fac.id });
    const token = await apiToken(t.app, fac.email);
    const agent = await new Agent(t.app).signIn(fac.email);

    reads.length = 0;
    const made = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${g.slug}/threads`, headers: bearer(token), payload: { title: 'Replica reading circle', body: 'Notes about the replica.', language: 'en' } });
    assert.equal(made.statusCode, 201, made.body);
    const threadId = made.json().id as number;
    assert.equal((await agent.get(`/threads/${threadId}`)).statusCode, 200);
    assert.equal((await agent.get('/')).statusCode, 200);
    assert.deepEqual(reads, [], 'writes and ordinary pages use the primary');

    const read = async (url: string, expect?: RegExp) => {
      reads.length = 0;
      const res = await agent.get(url);
      assert.equal(res.statusCode, 200, `${url}: ${res.statusCode}`);
      if (expect) assert.match(res.body, expect);
      assert.ok(reads.length > 0, `${url} read through the replica`);
      assert.ok(
        reads.every((k) => k === 'SelectQueryNode' || k === 'RawNode'),
        `${url} sent only reads: ${reads.join(', ')}`,
      );
    };
    await read('/search?q=replica', /Replica reading circle/);
    await read('/resources?kind=guide');
    await read('/reach');
    await read('/analytics');
  });

  test('the replica needs a primary, and both must be URLs', () => {
    const base = { SESSION_SECRET: 'x'.repeat(40), CONVENE_DATA_DIR: '/tmp/convene-replica-config' };
    assert.throws(() => loadConfig({ ...base, DATABASE_REPLICA_URL: 'postgres://replica/db' }), ConfigError);
    assert.throws(() => loadConfig({ ...base, DATABASE_URL: 'postgres://primary/db', DATABASE_REPLICA_URL: 'not a url' }), /DATABASE_REPLICA_URL/);
    const c = loadConfig({ ...base, DATABASE_URL: 'postgres://primary/db', DATABASE_REPLICA_URL: 'postgres://replica/db' });
    assert.equal(c.replicaUrl, 'postgres://replica/db');
    assert.equal(loadConfig({ ...base, DATABASE_URL: 'postgres://primary/db' }).replicaUrl, undefined);
  });

  test('the pool size is a whole number of connections, 20 unless set', () => {
    const base = { SESSION_SECRET: 'x'.repeat(40), CONVENE_DATA_DIR: '/tmp/convene-replica-config' };
    assert.equal(loadConfig(base).databasePoolSize, 20);
    assert.equal(loadConfig({ ...base, DATABASE_POOL_SIZE: '8' }).databasePoolSize, 8);
    for (const bad of ['0', '-3', '2.5', 'many', '501']) assert.throws(() => loadConfig({ ...base, DATABASE_POOL_SIZE: bad }), /DATABASE_POOL_SIZE/, bad);
  });
});
