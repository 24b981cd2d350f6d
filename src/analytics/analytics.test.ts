import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, apiToken, bearer, buildGroup, buildTestApp, buildUser, textOf, type TestContext } from '../../test/helpers.js';
import { rollupEngagement } from './engagement.js';

let t: TestContext;
before(async () => {
  t = await buildTestApp();
});

describe('engagement analytics', () => {
  test('active members, new and returning, perspectives, cross-group people; leads see only their group; others none', async () => {
    const fac = await buildUser(t.db, { role: 'facilitator' });
    const lead = await buildUser(t.db, { perspectives: ['educator'], state_code: 'OH' });
    const fam = await buildUser(t.db, { perspectives: ['family'], state_code: 'OH' });
    const a = await buildGroup(t.db, { name: 'Alpha circle', leadId: lead.id, memberIds: [fam.id] });
    const b = await buildGroup(t.db, { name: 'Beta circle', memberIds: [fam.id], visibility: 'private' });
    const post = async (email: string, slug: string, title: string) =>
      t.app.inject({ method: 'POST', url: `/api/v1/groups/${slug}/threads`, headers: bearer(await apiToken(t.app, email)), payload: { title, body: 'Body text' } });
    assert.equal((await post(lead.email, a.slug, 'Lead thread')).statusCode, 201);
    assert.equal((await post(fam.email, a.slug, 'Family thread')).statusCode, 201);
    assert.equal((await post(fam.email, b.slug, 'Beta thread')).statusCode, 201);
    // Earlier activity makes the family member a returning participant this month.
    await t.db.insertInto('engagement_first').values({ user_id: fam.id, first_day: '2020-01-01' }).execute();
    await rollupEngagement(t.db);
    const token = await apiToken(t.app, fac.email);
    const today = new Date().toISOString().slice(0, 10);
    const all = await t.app.inject({ url: `/api/v1/analytics/engagement?from=${today}&to=${today}`, headers: bearer(token) });
    assert.equal(all.statusCode, 200, all.body);
    const s = all.json();
    assert.equal(s.active, 2);
    // Defined once: people who did each thing never exceed the active members; times count each action.
    assert.equal(s.actions.posted, 2, 'two people started threads');
    assert.equal(s.action_counts.posted, 3, 'three threads');
    for (const k of ['posted', 'replied', 'attended', 'shared', 'used']) assert.ok(s.actions[k] <= s.active, `${k}: ${s.actions[k]} ≤ ${s.active}`);
    assert.deepEqual(s.by_month, [{ month: today.slice(0, 7), active: 2, new: 1, returning: 1 }]);
    assert.equal(s.cross_group.people, 1);
    assert.deepEqual(s.cross_group.pairs, [{ a: 'Alpha circle', b: 'Beta circle', people: 1 }]);
    assert.equal(s.by_perspective.find((p: { perspective: string }) => p.perspective === 'family').active, 1);
    assert.deepEqual(s.by_state, [{ key: 'OH', active: 2 }]);
    // The lead sees their group only, and never the private group's name.
    const leadToken = await apiToken(t.app, lead.email);
    const mine = await t.app.inject({ url: `/api/v1/analytics/engagement?from=${today}&to=${today}`, headers: bearer(leadToken) });
    assert.equal(mine.statusCode, 200);
    assert.equal(mine.json().group, a.slug);
    assert.equal(mine.json().action_counts.posted, 2);
    assert.equal(mine.json().actions.posted, 2);
    assert.doesNotMatch(mine.body, /Beta circle/);
    assert.equal((await t.app.inject({ url: `/api/v1/analytics/engagement?group=${b.slug}`, headers: bearer(leadToken) })).statusCode, 404);
    const other = await buildGroup(t.db, { name: 'Gamma circle' });
    assert.equal((await t.app.inject({ url: `/api/v1/analytics/engagement?group=${other.slug}`, headers: bearer(leadToken) })).statusCode, 403);
    assert.equal((await t.app.inject({ url: '/api/v1/analytics/engagement', headers: bearer(await apiToken(t.app, fam.email)) })).statusCode, 403);
    assert.equal((await t.app.inject('/api/v1/analytics/engagement')).statusCode, 401);
    assert.equal((await t.app.inject({ url: `/api/v1/analytics/engagement?from=2027-01-01&to=2026-01-01`, headers: bearer(token) })).statusCode, 400);

    // Page and CSV.
    const agent = await new Agent(t.app).signIn(fac.email);
    const page = textOf((await agent.get(`/analytics?from=${today}&to=${today}`)).body);
    assert.match(page, /Active members\s+2/);
    assert.match(page, /1 person was active in more than one practice group/);
    const csv = await agent.get(`/analytics/engagement.csv?from=${today}&to=${today}`);
    assert.equal(csv.statusCode, 200);
    assert.match(csv.body, /total,active_members,2/);
    assert.ok(await t.db.selectFrom('audit_log').select('id').where('action', '=', 'analytics.export').executeTakeFirst());
    const famAgent = await new Agent(t.app).signIn(fam.email);
    assert.equal((await famAgent.get('/analytics')).statusCode, 403);
    assert.equal((await famAgent.get('/analytics/engagement.csv')).statusCode, 403);
  });

  test('the rollup is idempotent and a full rebuild gives the same figures', async () => {
    const before = await t.db.selectFrom('engagement_daily').selectAll().orderBy(['day', 'user_id', 'group_id']).execute();
    await rollupEngagement(t.db);
    await rollupEngagement(t.db, { all: true });
    const after = await t.db.selectFrom('engagement_daily').selectAll().orderBy(['day', 'user_id', 'group_id']).execute();
    assert.deepEqual(after, before);
  });
});

test('a resource filed under several groups is one share by one person', async () => {
  const fac = await buildUser(t.db, { role: 'facilitator' });
  const groups = [await buildGroup(t.db), await buildGroup(t.db), await buildGroup(t.db)];
  const token = await apiToken(t.app, fac.email);
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/resources', headers: bearer(token), payload: { title: 'Shared across groups', kind: 'guide', external_url: 'https://example.org/guide', groups: groups.map((g) => g.slug) } });
  assert.equal(res.statusCode, 201, res.body);
  await rollupEngagement(t.db);
  const today = new Date().toISOString().slice(0, 10);
  const s = (await t.app.inject({ url: `/api/v1/analytics/engagement?from=${today}&to=${today}`, headers: bearer(token) })).json();
  const before = await t.db.selectFrom('resources').select((e) => e.fn.countAll().as('n')).where('created_by', '=', fac.id).executeTakeFirstOrThrow();
  assert.equal(Number(before.n), 1);
  assert.ok(s.action_counts.shared >= 1);
  const mine = await t.db.selectFrom('engagement_daily').select((e) => e.fn.sum<number>('shared').as('n')).where('user_id', '=', fac.id).executeTakeFirstOrThrow();
  assert.equal(Number(mine.n), 1, 'counted once, not once per group');
  assert.ok(s.actions.shared <= s.active);
});
