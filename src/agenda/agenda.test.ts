import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, apiToken, bearer, buildGroup, buildOrganization, buildTestApp, buildUser, textOf, type TestContext } from '../../test/helpers.js';

let t: TestContext;
before(async () => {
  t = await buildTestApp();
});

describe('the shared agenda', () => {
  test('facilitators create items with why-it-matters per perspective; owners post updates; milestones give progress; others cannot edit', async () => {
    const fac = await buildUser(t.db, { role: 'facilitator' });
    const org = await buildOrganization(t.db);
    const ownerMember = await buildUser(t.db);
    await t.db.insertInto('user_organizations').values({ user_id: ownerMember.id, organization_id: org.id }).execute();
    const facAgent = await new Agent(t.app).signIn(fac.email);
    const bad = await facAgent.post('/agenda', { title: '', status: 'someday' });
    assert.equal(bad.statusCode, 400);
    const res = await facAgent.post('/agenda', { title: 'Earlier help for every student', description: 'Screen, then respond.', status: 'active', owners: String(org.id), why_family: 'We hear about problems too late.', why_educator: 'We see signs first.' });
    assert.equal(res.statusCode, 303, res.body);
    const slug = String(res.headers.location).replace('/agenda/', '');
    assert.equal((await facAgent.post(`/agenda/${slug}/milestones`, { title: 'Pick a screener', due_on: '2027-01-15', percent: '100' })).statusCode, 303);
    assert.equal((await facAgent.post(`/agenda/${slug}/milestones`, { title: 'Train staff', percent: '20' })).statusCode, 303);
    assert.equal((await facAgent.post(`/agenda/${slug}/milestones`, { title: 'Bad', percent: '120' })).statusCode, 400);
    const owner = await new Agent(t.app).signIn(ownerMember.email);
    assert.equal((await owner.post(`/agenda/${slug}/updates`, { body: 'Two districts chose a screener.' })).statusCode, 303);
    const stranger = await new Agent(t.app).signIn((await buildUser(t.db)).email);
    assert.equal((await stranger.post(`/agenda/${slug}/updates`, { body: 'Spam' })).statusCode, 403);
    assert.equal((await stranger.post(`/agenda/${slug}/milestones`, { title: 'x', percent: '1' })).statusCode, 403);
    assert.equal((await stranger.get(`/agenda/${slug}/edit`)).statusCode, 403);
    assert.equal((await t.app.inject('/agenda/new')).statusCode, 303);

    const page = textOf((await t.app.inject(`/agenda/${slug}`)).body);
    assert.match(page, /60% done/);
    assert.match(page, /Family member\s+We hear about problems too late\./);
    assert.match(page, /Two districts chose a screener\./);
    const list = textOf((await t.app.inject('/agenda')).body);
    assert.match(list, /Earlier help for every student\s+Active\s+60% done/);

    const item = await t.db.selectFrom('agenda_items').select('id').where('slug', '=', slug).executeTakeFirstOrThrow();
    const api = await t.app.inject(`/api/v1/agenda/${item.id}`);
    assert.equal(api.statusCode, 200);
    assert.equal(api.json().progress, 60);
    assert.equal(api.json().why.length, 2);
    const token = await apiToken(t.app, fac.email);
    const patched = await t.app.inject({ method: 'PATCH', url: `/api/v1/agenda/${item.id}`, headers: bearer(token), payload: { status: 'achieved' } });
    assert.equal(patched.statusCode, 200);
    assert.equal(patched.json().status, 'achieved');
    const nope = await t.app.inject({ method: 'PATCH', url: `/api/v1/agenda/${item.id}`, headers: bearer(await apiToken(t.app, ownerMember.email)), payload: { status: 'paused' } });
    assert.equal(nope.statusCode, 403);
    const upd = await t.app.inject({ method: 'POST', url: `/api/v1/agenda/${item.id}/updates`, headers: bearer(await apiToken(t.app, ownerMember.email)), payload: { body: 'Via the API' } });
    assert.equal(upd.statusCode, 201);
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/agenda', headers: bearer(token), payload: { title: 'From the API' } });
    assert.equal(created.statusCode, 201);
    assert.equal((await t.app.inject('/api/v1/agenda')).json().items.length, 2);
  });

  test('work done: linked threads, resources and group priorities show on the item, private ones only to those who may see them', async () => {
    const fac = await buildUser(t.db, { role: 'facilitator' });
    const lead = await buildUser(t.db);
    const pub = await buildGroup(t.db, { leadId: lead.id, priorities: ['Reach every family'] });
    const priv = await buildGroup(t.db, { leadId: lead.id, visibility: 'private', priorities: ['Secret plan'] });
    const token = await apiToken(t.app, lead.email);
    const th = (await t.app.inject({ method: 'POST', url: `/api/v1/groups/${priv.slug}/threads`, headers: bearer(token), payload: { title: 'Private planning thread', body: 'x' } })).json().id;
    const facAgent = await new Agent(t.app).signIn(fac.email);
    const slug = String((await facAgent.post('/agenda', { title: 'Linked item' })).headers.location).replace('/agenda/', '');
    assert.equal((await facAgent.post(`/agenda/${slug}/links`, { url: `http://convene.test/threads/${th}` })).statusCode, 303);
    assert.equal((await facAgent.post(`/agenda/${slug}/links`, { url: '/threads/999999' })).statusCode, 400);
    assert.equal((await facAgent.post(`/agenda/${slug}/links`, { url: 'https://elsewhere.example/x' })).statusCode, 400);
    const leadAgent = await new Agent(t.app).signIn(lead.email);
    assert.equal((await leadAgent.post(`/agenda/${slug}/priorities`, { priority: `${pub.id}:1` })).statusCode, 303);
    assert.equal((await leadAgent.post(`/agenda/${slug}/priorities`, { priority: `${priv.id}:1` })).statusCode, 303);
    const other = await new Agent(t.app).signIn((await buildUser(t.db)).email);
    assert.equal((await other.post(`/agenda/${slug}/priorities`, { priority: `${pub.id}:1` })).statusCode, 403);

    const anon = textOf((await t.app.inject(`/agenda/${slug}`)).body);
    assert.doesNotMatch(anon, /Private planning thread|Secret plan/);
    assert.match(anon, /Reach every family/);
    assert.match(anon, /And 1 priority of a group you cannot see/);
    const insider = textOf((await leadAgent.get(`/agenda/${slug}`)).body);
    assert.match(insider, /Private planning thread/);
    assert.match(insider, /Secret plan/);
    // The group page shows what its priority advances.
    assert.match(textOf((await t.app.inject(`/groups/${pub.slug}`)).body), /Reach every family\s+Advances: Linked item/);
  });

  test("who isn't here: a group's perspectives compared with the community", async () => {
    const lead = await buildUser(t.db, { perspectives: ['educator'] });
    const m = await buildUser(t.db, { perspectives: ['educator'] });
    for (let i = 0; i < 3; i++) await buildUser(t.db, { perspectives: ['family'] });
    const g = await buildGroup(t.db, { leadId: lead.id, memberIds: [m.id] });
    const page = textOf((await t.app.inject(`/groups/${g.slug}`)).body);
    assert.match(page, /Who isn’t here\?\s+Missing: Family member/);
  });

  test('depth of interaction: leads rate their group; the history shows; members cannot', async () => {
    const lead = await buildUser(t.db);
    const member = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: lead.id, memberIds: [member.id] });
    const leadAgent = await new Agent(t.app).signIn(lead.email);
    assert.equal((await leadAgent.post(`/groups/${g.slug}/reviews`, { level: 'networking', notes: 'We trade questions.' })).statusCode, 303);
    assert.equal((await leadAgent.post(`/groups/${g.slug}/reviews`, { level: 'merging' })).statusCode, 400);
    const m = await new Agent(t.app).signIn(member.email);
    assert.equal((await m.post(`/groups/${g.slug}/reviews`, { level: 'transforming' })).statusCode, 403);
    const api = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${g.slug}/reviews`, headers: bearer(await apiToken(t.app, lead.email)), payload: { level: 'collaborating', notes: 'A shared guide.' } });
    assert.equal(api.statusCode, 201);
    const page = textOf((await t.app.inject(`/groups/${g.slug}`)).body);
    assert.match(page, /Collaborating \(3\/4\)\s+A shared guide\./);
    assert.match(page, /Networking \(2\/4\)\s+We trade questions\./);
    const priv = await buildGroup(t.db, { leadId: lead.id, visibility: 'private' });
    assert.equal((await m.post(`/groups/${priv.slug}/reviews`, { level: 'informing' })).statusCode, 404);
  });
});
