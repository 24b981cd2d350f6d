import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import type { KyselyPlugin } from 'kysely';
import { availableParallelism } from 'node:os';
import { ConfigError, databaseIsLocal, defaultPoolSize, loadConfig } from '../config.js';
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

  test('the pool size is a whole number of connections: three per core when PostgreSQL is on this machine, 20 for one elsewhere, unless set', () => {
    const base = { SESSION_SECRET: 'x'.repeat(40), CONVENE_DATA_DIR: '/tmp/convene-replica-config' };
    const local = defaultPoolSize(undefined, availableParallelism());
    assert.equal(loadConfig(base).databasePoolSize, local, 'embedded');
    assert.equal(loadConfig({ ...base, DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/convene' }).databasePoolSize, local);
    assert.equal(loadConfig({ ...base, DATABASE_URL: 'postgres://primary.example.org/db' }).databasePoolSize, 20);
    assert.equal(loadConfig({ ...base, DATABASE_URL: 'postgres://primary/db', DATABASE_POOL_SIZE: '8' }).databasePoolSize, 8);
    assert.equal(loadConfig({ ...base, DATABASE_POOL_SIZE: '30' }).databasePoolSize, 30);
    // Loopback names and Unix sockets are this machine; any other host is not.
    for (const url of ['postgres://localhost/db', 'postgres://u@[::1]:5433/db', 'postgres://127.0.0.2/db', 'postgresql:///db?host=/var/run/postgresql', 'postgres://%2Fvar%2Frun%2Fpostgresql/db'])
      assert.equal(databaseIsLocal(url), true, url);
    for (const url of ['postgres://%zz/db', 'postgres://db.internal/db', 'postgres://10.0.0.5/db', 'postgresql:///db?host=db.internal', 'postgres://128.0.0.1/db', 'postgres://localhost.example.org/db'])
      assert.equal(databaseIsLocal(url), false, url);
    assert.equal(databaseIsLocal(undefined), true, 'embedded');
    assert.equal(defaultPoolSize(undefined, 1), 4);
    assert.equal(defaultPoolSize(undefined, 2), 6);
    assert.equal(defaultPoolSize(undefined, 64), 20);
    assert.equal(defaultPoolSize('postgres://db.internal/db', 2), 20);
    for (const bad of ['0', '-3', '2.5', 'many', '501']) assert.throws(() => loadConfig({ ...base, DATABASE_POOL_SIZE: bad }), /DATABASE_POOL_SIZE/, bad);
  });
});
