import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { SessionCache } from './session-cache.js';
import { ANONYMOUS, type LoadedSession, type UserActor } from './actor.js';
import { hashToken } from './secrets.js';
import { loadConfig, ConfigError } from '../config.js';
import { Agent, apiToken, bearer, buildGroup, buildTestApp, buildUser, type TestContext } from '../../../test/helpers.js';

const person = (id: number, over: Partial<UserActor> = {}): LoadedSession => ({
  actor: { kind: 'user', id, name: `P${id}`, email: `p${id}@example.org`, emailVerified: true, role: 'member', isYouth: false, locale: 'en', timeZone: null, memberships: new Map(), twoFactor: false, via: 'session', ...over },
  lastSeen: new Date(),
});

/** A cache that keeps things without a database: its notices are given by hand through `heard`. */
async function listeningCache(opts: { ttlMs?: number; maxEntries?: number; now?: () => number } = {}) {
  const cache = new SessionCache({ ttlMs: opts.ttlMs ?? 30_000, maxEntries: opts.maxEntries, now: opts.now });
  // Without a database URL `listen` keeps nothing; the class is tested as if it heard the database.
  (cache as unknown as { listening: boolean }).listening = true;
  return cache;
}

describe('the session cache (unit)', () => {
  test('keeps a signed-in person for the time given, never a signed-out result', async () => {
    let now = 1_000;
    const cache = await listeningCache({ ttlMs: 30_000, now: () => now });
    cache.put('a', person(1), cache.begin());
    assert.equal(cache.get('a')?.actor.id, 1);
    cache.put('anon', { actor: ANONYMOUS, lastSeen: new Date() }, cache.begin());
    assert.equal(cache.get('anon'), undefined);
    now += 29_999;
    assert.ok(cache.get('a'));
    now += 1;
    assert.equal(cache.get('a'), undefined, 'gone at the time limit');
    assert.equal(cache.size, 0);
  });

  test("a person's notice forgets all their sessions and no one else's; '*' or anything unreadable forgets everyone", async () => {
    const cache = await listeningCache();
    cache.put('a1', person(1), cache.begin());
    cache.put('a2', person(1), cache.begin());
    cache.put('b', person(2), cache.begin());
    cache.heard('1');
    assert.equal(cache.get('a1'), undefined);
    assert.equal(cache.get('a2'), undefined);
    assert.ok(cache.get('b'));
    for (const payload of ['*', '', undefined, '2x', '-2', '99999999999999999999']) {
      cache.put('b', person(2), cache.begin());
      cache.heard(payload);
      assert.equal(cache.get('b'), undefined, String(payload));
    }
  });

  test('a lookup that started before its person was forgotten is not kept (it may hold what changed)', async () => {
    const cache = await listeningCache();
    const started = cache.begin();
    cache.heard('1'); // a change arrives while the lookup is under way
    cache.put('a', person(1), started);
    assert.equal(cache.get('a'), undefined);
    // Someone else's change does not stop it.
    const again = cache.begin();
    cache.heard('2');
    cache.put('a', person(1), again);
    assert.ok(cache.get('a'));
    // Nor does a change heard before the lookup began.
    cache.heard('1');
    const later = cache.begin();
    cache.put('a', person(1), later);
    assert.ok(cache.get('a'));
    // Forgetting everyone stops every lookup under way.
    const before = cache.begin();
    cache.clear();
    cache.put('b', person(3), before);
    assert.equal(cache.get('b'), undefined);
  });

  test('forgetting one session (ended, or touched here) stops a lookup of the same person under way', async () => {
    const cache = await listeningCache();
    cache.put('a', person(1), cache.begin());
    const started = cache.begin();
    cache.forgetSession('a');
    assert.equal(cache.get('a'), undefined);
    cache.put('a2', person(1), started);
    assert.equal(cache.get('a2'), undefined);
  });

  test('holds at most maxEntries, the oldest dropped first', async () => {
    const cache = await listeningCache({ maxEntries: 3 });
    for (let i = 1; i <= 5; i++) cache.put(`s${i}`, person(i), cache.begin());
    assert.equal(cache.size, 3);
    assert.equal(cache.get('s1'), undefined);
    assert.equal(cache.get('s2'), undefined);
    assert.ok(cache.get('s5'));
    // A dropped session no longer counts for its person.
    cache.heard('5');
    assert.equal(cache.size, 2);
  });

  test('keeps nothing while it cannot hear the database, nor when turned off', async () => {
    const deaf = new SessionCache({ ttlMs: 30_000 });
    await deaf.listen(); // no database URL: never listening
    deaf.put('a', person(1), deaf.begin());
    assert.equal(deaf.get('a'), undefined);
    assert.equal(deaf.enabled, false);
    const off = new SessionCache({ ttlMs: 0, databaseUrl: 'postgres://127.0.0.1:1/none' });
    await off.listen();
    assert.equal(off.enabled, false);
    const unreachable = new SessionCache({ ttlMs: 30_000, databaseUrl: 'postgres://127.0.0.1:1/none' });
    await unreachable.listen(); // the first try fails: it keeps retrying quietly, keeping nothing
    unreachable.put('a', person(1), unreachable.begin());
    assert.equal(unreachable.get('a'), undefined);
    await unreachable.close();
  });

  test('CONVENE_SESSION_CACHE_SECONDS: 30 by default, 0 turns it off, at most 300', () => {
    const base = { SESSION_SECRET: 'x'.repeat(40), CONVENE_DATA_DIR: '/tmp/convene-session-cache-config' };
    assert.equal(loadConfig(base).sessionCacheSeconds, 30);
    assert.equal(loadConfig({ ...base, CONVENE_SESSION_CACHE_SECONDS: '0' }).sessionCacheSeconds, 0);
    for (const bad of ['301', '-1', '1.5', 'yes']) {
      assert.throws(() => loadConfig({ ...base, CONVENE_SESSION_CACHE_SECONDS: bad }), (e: unknown) => e instanceof ConfigError && /CONVENE_SESSION_CACHE_SECONDS/.test(e.message), bad);
    }
  });
});

/** Waits until `check` holds (the database's notices arrive on their own connection), at most two seconds. */
async function eventually(check: () => Promise<boolean>, what: string) {
  const until = Date.now() + 2_000;
  while (!(await check())) {
    if (Date.now() > until) assert.fail(`never: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the session cache in the app, told of changes by the database', () => {
  let t: TestContext;
  before(async () => {
    t = await buildTestApp({ sessionCacheSeconds: 30 });
  });

  const sessionIdOf = async (agent: Agent) => {
    const raw = (agent as unknown as { cookies: Map<string, string> }).cookies.get('convene_sid')!;
    return hashToken(t.app.unsignCookie(decodeURIComponent(raw)).value!);
  };
  const signedIn = async (agent: Agent) => (await agent.get('/settings')).statusCode === 200;

  test('a signed-in page is answered from what the process keeps; a session ended by any writer is forgotten', async () => {
    const u = await buildUser(t.db);
    const agent = await new Agent(t.app).signIn(u.email);
    const id = await sessionIdOf(agent);
    // Signing in wrote the account (its notice may still be on its way and forget the first page's copy).
    await eventually(async () => (await agent.get('/settings')).statusCode === 200 && t.app.sessionCache.get(id)?.actor.id === u.id, 'kept after a page');
    // Another process (here, a statement of its own) ends the session: the notice reaches this one.
    await t.db.deleteFrom('sessions').where('id', '=', id).execute();
    await eventually(async () => t.app.sessionCache.get(id) === undefined, 'the ended session is forgotten');
    const after = await agent.get('/settings');
    assert.equal(after.statusCode, 302, 'signed out: settings send to the sign-in page');
  });

  test('a membership, a role or a deactivation written elsewhere reaches the next page', async () => {
    const u = await buildUser(t.db);
    const lead = await buildUser(t.db);
    const g = await buildGroup(t.db, { visibility: 'private', join_policy: 'invite', leadId: lead.id });
    const agent = await new Agent(t.app).signIn(u.email);
    assert.equal((await agent.get(`/groups/${g.slug}`)).statusCode, 404, 'a private group is invisible to outsiders');
    await t.db.insertInto('group_memberships').values({ group_id: g.id, user_id: u.id, role: 'member', status: 'active' }).execute();
    await eventually(async () => (await agent.get(`/groups/${g.slug}`)).statusCode === 200, 'the new member sees the group');
    await t.db.deleteFrom('group_memberships').where('group_id', '=', g.id).where('user_id', '=', u.id).execute();
    await eventually(async () => (await agent.get(`/groups/${g.slug}`)).statusCode === 404, 'the removed member no longer sees it');

    assert.equal((await agent.get('/admin')).statusCode, 403);
    await t.db.updateTable('users').set({ role: 'admin' }).where('id', '=', u.id).execute();
    await eventually(async () => (await agent.get('/admin')).statusCode !== 403, 'the new admin reaches the admin pages');
    await t.db.updateTable('users').set({ deactivated_at: new Date() }).where('id', '=', u.id).execute();
    await eventually(async () => !(await signedIn(agent)), 'a deactivated account is signed out');
  });

  test("a person's own write is seen by their very next page, without waiting for the notice", async () => {
    const u = await buildUser(t.db);
    const agent = await new Agent(t.app).signIn(u.email);
    assert.match((await agent.get('/settings')).body, /<html lang="en"/);
    const id = await sessionIdOf(agent);
    await eventually(async () => (await agent.get('/settings')).statusCode === 200 && t.app.sessionCache.get(id) !== undefined, 'kept after a page');
    const saved = await agent.post('/settings/profile', { name: 'Renamed Person', locale: 'es' });
    assert.equal(saved.statusCode, 303, saved.body.slice(0, 300));
    assert.equal(t.app.sessionCache.get(id), undefined, 'forgotten before the answer was sent');
    // Only the session cookie (not the language cookie the form also set): the language comes from the account.
    const sidOnly = `convene_sid=${(agent as unknown as { cookies: Map<string, string> }).cookies.get('convene_sid')}`;
    assert.match((await agent.get('/settings', { cookie: sidOnly })).body, /<html lang="es"/, 'the new language at once, from the account');
    assert.equal((await agent.post('/logout')).statusCode, 303);
    assert.equal((await agent.get('/settings')).statusCode, 302, 'signed out at once');
  });

  test("the header's count follows a new notification, and opening its thread clears it at once", async () => {
    const u = await buildUser(t.db);
    const author = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: author.id, memberIds: [u.id] });
    const token = await apiToken(t.app, author.email);
    const created = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${g.slug}/threads`, headers: bearer(token), payload: { title: 'Counting together', body: 'Who is in?' } });
    assert.equal(created.statusCode, 201, created.body);
    const threadId = created.json().id as number;
    const agent = await new Agent(t.app).signIn(u.email);
    assert.doesNotMatch((await agent.get('/settings')).body, /unread\)/);
    // A job (here, a statement of its own) notifies the person.
    await t.db.insertInto('notifications').values({ user_id: u.id, kind: 'new_thread', thread_id: threadId, actor_id: author.id }).execute();
    await eventually(async () => /Notifications \(1 unread\)/.test((await agent.get('/settings')).body), 'the count shows the new notification');
    assert.equal((await agent.get(`/threads/${threadId}`)).statusCode, 200);
    assert.doesNotMatch((await agent.get('/settings')).body, /unread\)/, 'read by opening the thread, at once');
  });
});
