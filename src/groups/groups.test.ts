import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, apiToken, bearer, buildGroup, buildTestApp, buildUser, type TestContext } from '../../test/helpers.js';

let t: TestContext;
before(async () => {
  t = await buildTestApp();
});

const membership = (groupId: number, userId: number) =>
  t.db.selectFrom('group_memberships').select(['role', 'status']).where('group_id', '=', groupId).where('user_id', '=', userId).executeTakeFirst();
const memberCount = async (groupId: number) => (await t.db.selectFrom('practice_groups').select('member_count').where('id', '=', groupId).executeTakeFirstOrThrow()).member_count;

describe('seeing groups', () => {
  test('the list and page show a public group with mission, priorities, leads and members', async () => {
    const lead = await buildUser(t.db, { name: 'Lena Lead' });
    const member = await buildUser(t.db, { name: 'Mo Member' });
    const g = await buildGroup(t.db, { name: 'Families Together', leadId: lead.id, memberIds: [member.id], priorities: ['Listen first', 'Act together'] });
    const list = await t.app.inject('/groups');
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /Families Together/);
    const page = await t.app.inject(`/groups/${g.slug}`);
    assert.equal(page.statusCode, 200);
    assert.equal(page.body.match(/<h1/g)?.length, 1);
    assert.match(page.body, /<li value="1">Listen first<\/li>/);
    assert.match(page.body, /Lena Lead/);
    assert.match(page.body, /Mo Member/);
    assert.match(page.body, /Sign in to join/);
  });

  test('a private group is invisible to outsiders on every channel, and visible to its members', async () => {
    const lead = await buildUser(t.db);
    const outsider = await buildUser(t.db);
    const g = await buildGroup(t.db, { name: 'Secret Circle', visibility: 'private', join_policy: 'invite', leadId: lead.id });
    const outsiderAgent = await new Agent(t.app).signIn(outsider.email);
    const outsiderToken = await apiToken(t.app, outsider.email);
    for (const res of [
      await t.app.inject(`/groups/${g.slug}`),
      await outsiderAgent.get(`/groups/${g.slug}`),
      await t.app.inject(`/api/v1/groups/${g.slug}`),
      await t.app.inject({ url: `/api/v1/groups/${g.slug}`, headers: bearer(outsiderToken) }),
      await t.app.inject({ url: `/api/v1/groups/${g.slug}/members`, headers: bearer(outsiderToken) }),
    ]) {
      assert.equal(res.statusCode, 404);
      assert.doesNotMatch(res.body, /Secret Circle/);
    }
    assert.doesNotMatch((await outsiderAgent.get('/groups')).body, /Secret Circle/);
    assert.doesNotMatch((await t.app.inject({ url: '/api/v1/groups', headers: bearer(outsiderToken) })).body, /Secret Circle/);
    assert.doesNotMatch((await t.app.inject('/')).body, /Secret Circle/);
    const join = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${g.slug}/join`, headers: bearer(outsiderToken) });
    assert.equal(join.statusCode, 404, 'a write to an invisible group also answers 404');
    assert.doesNotMatch((await outsiderAgent.get(`/people/${lead.id}`)).body, /Secret Circle/, 'not listed on a member’s profile either');

    const leadAgent = await new Agent(t.app).signIn(lead.email);
    assert.equal((await leadAgent.get(`/groups/${g.slug}`)).statusCode, 200);
    const leadToken = await apiToken(t.app, lead.email);
    assert.equal((await t.app.inject({ url: `/api/v1/groups/${g.slug}`, headers: bearer(leadToken) })).statusCode, 200);
  });

  test('a members-only group is hidden from anonymous visitors but shown to members of the community', async () => {
    const someone = await buildUser(t.db);
    const g = await buildGroup(t.db, { name: 'Members Corner', visibility: 'members' });
    assert.equal((await t.app.inject(`/groups/${g.slug}`)).statusCode, 404);
    const agent = await new Agent(t.app).signIn(someone.email);
    assert.equal((await agent.get(`/groups/${g.slug}`)).statusCode, 200);
  });

  test('youth and hidden people are not listed to anonymous visitors', async () => {
    const youth = await buildUser(t.db, { name: 'Young Voice', is_youth: true });
    const hidden = await buildUser(t.db, { name: 'Quiet Person', hidden: true });
    const adult = await buildUser(t.db, { name: 'Open Adult' });
    const g = await buildGroup(t.db, { leadId: adult.id, memberIds: [youth.id, hidden.id] });
    const anon = await t.app.inject(`/groups/${g.slug}`);
    assert.match(anon.body, /Open Adult/);
    assert.doesNotMatch(anon.body, /Young Voice/);
    assert.doesNotMatch(anon.body, /Quiet Person/);
    const anonApi = await t.app.inject(`/api/v1/groups/${g.slug}/members`);
    assert.deepEqual(anonApi.json().members.map((m: { name: string }) => m.name), ['Open Adult']);
    const viewer = await new Agent(t.app).signIn(adult.email);
    const page = await viewer.get(`/groups/${g.slug}`);
    assert.match(page.body, /Young Voice/, 'signed-in members see youth in shared groups');
    assert.doesNotMatch(page.body, /Quiet Person/);
  });

  test('an unknown group is a 404 page and a 404 JSON', async () => {
    assert.equal((await t.app.inject('/groups/no-such-group')).statusCode, 404);
    assert.equal((await t.app.inject('/api/v1/groups/no-such-group')).json().error.code, 'not_found');
  });
});

describe('joining and leaving', () => {
  test('a verified member joins an open group once, however often they click', async () => {
    const user = await buildUser(t.db);
    const g = await buildGroup(t.db);
    const agent = await new Agent(t.app).signIn(user.email);
    const res = await agent.post(`/groups/${g.slug}/join`);
    assert.equal(res.statusCode, 303);
    await agent.post(`/groups/${g.slug}/join`);
    assert.deepEqual(await membership(g.id, user.id), { role: 'member', status: 'active' });
    assert.equal(await memberCount(g.id), 1);
    const page = await agent.get(`/groups/${g.slug}`);
    assert.match(page.body, /You are a Member of this group/);
    assert.match(page.body, /Leave this group/);
  });

  test('an unverified account cannot join yet', async () => {
    const user = await buildUser(t.db, { verified: false });
    const g = await buildGroup(t.db);
    const token = await apiToken(t.app, user.email);
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${g.slug}/join`, headers: bearer(token) });
    assert.equal(res.statusCode, 403);
    assert.equal(await membership(g.id, user.id), undefined);
  });

  test('anonymous visitors must sign in to join', async () => {
    const g = await buildGroup(t.db);
    const api = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${g.slug}/join` });
    assert.equal(api.statusCode, 401);
    const agent = new Agent(t.app);
    const form = await agent.post(`/groups/${g.slug}/join`);
    assert.equal(form.statusCode, 401);
  });

  test('a request-to-join group: request, then a lead approves; another is declined', async () => {
    const lead = await buildUser(t.db);
    const asker = await buildUser(t.db, { name: 'Asha Asker' });
    const other = await buildUser(t.db);
    const g = await buildGroup(t.db, { join_policy: 'request', leadId: lead.id });
    const token = await apiToken(t.app, asker.email);
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${g.slug}/join`, headers: bearer(token), payload: { message: 'I work on this in Ohio.' } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().outcome, 'requested');
    assert.equal(await memberCount(g.id), 1);
    const otherAgent = await new Agent(t.app).signIn(other.email);
    await otherAgent.post(`/groups/${g.slug}/join`);

    const askerAgent = await new Agent(t.app).signIn(asker.email);
    const cannotApprove = await askerAgent.post(`/groups/${g.slug}/requests/${other.id}/approve`);
    assert.equal(cannotApprove.statusCode, 403, 'a plain member cannot approve');

    const leadAgent = await new Agent(t.app).signIn(lead.email);
    const page = await leadAgent.get(`/groups/${g.slug}`);
    assert.match(page.body, /Asha Asker/);
    assert.match(page.body, /I work on this in Ohio\./);
    assert.equal((await leadAgent.post(`/groups/${g.slug}/requests/${asker.id}/approve`)).statusCode, 303);
    assert.equal((await leadAgent.post(`/groups/${g.slug}/requests/${other.id}/decline`)).statusCode, 303);
    assert.deepEqual(await membership(g.id, asker.id), { role: 'member', status: 'active' });
    assert.equal(await membership(g.id, other.id), undefined);
    assert.equal(await memberCount(g.id), 2);
    const audit = await t.db.selectFrom('audit_log').select('action').where('actor_id', '=', lead.id).execute();
    assert.deepEqual(audit.map((a) => a.action).sort(), ['group.request.approve', 'group.request.decline']);
    assert.equal((await leadAgent.post(`/groups/${g.slug}/requests/${other.id}/approve`)).statusCode, 404, 'no request left to approve');
  });

  test('an invite-only group: a lead invites by email, the person accepts', async () => {
    const lead = await buildUser(t.db);
    const guest = await buildUser(t.db);
    const g = await buildGroup(t.db, { visibility: 'private', join_policy: 'invite', leadId: lead.id });
    const guestAgent = await new Agent(t.app).signIn(guest.email);
    assert.equal((await guestAgent.post(`/groups/${g.slug}/join`)).statusCode, 404, 'cannot join uninvited');
    const leadAgent = await new Agent(t.app).signIn(lead.email);
    const bad = await leadAgent.post(`/groups/${g.slug}/invite`, { email: 'nobody@example.org' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /id="field-email-error"/);
    assert.equal((await leadAgent.post(`/groups/${g.slug}/invite`, { email: guest.email })).statusCode, 303);
    assert.deepEqual(await membership(g.id, guest.id), { role: 'member', status: 'invited' });
    const seen = await guestAgent.get(`/groups/${g.slug}`);
    assert.equal(seen.statusCode, 200, 'an invited person can see the private group');
    assert.match(seen.body, /Accept the invitation/);
    await guestAgent.post(`/groups/${g.slug}/join`);
    assert.deepEqual(await membership(g.id, guest.id), { role: 'member', status: 'active' });
  });

  test('members leave; the last lead cannot', async () => {
    const lead = await buildUser(t.db);
    const member = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: lead.id, memberIds: [member.id] });
    const memberAgent = await new Agent(t.app).signIn(member.email);
    assert.equal((await memberAgent.post(`/groups/${g.slug}/leave`)).statusCode, 303);
    assert.equal(await membership(g.id, member.id), undefined);
    assert.equal(await memberCount(g.id), 1);
    const token = await apiToken(t.app, lead.email);
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${g.slug}/leave`, headers: bearer(token) });
    assert.equal(res.statusCode, 409);
    assert.deepEqual(await membership(g.id, lead.id), { role: 'lead', status: 'active' });
  });

  test('leads name co-leads and remove members; members cannot', async () => {
    const lead = await buildUser(t.db);
    const a = await buildUser(t.db);
    const b = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: lead.id, memberIds: [a.id, b.id] });
    const aAgent = await new Agent(t.app).signIn(a.email);
    assert.equal((await aAgent.post(`/groups/${g.slug}/members/${b.id}/remove`)).statusCode, 403);
    const leadAgent = await new Agent(t.app).signIn(lead.email);
    assert.equal((await leadAgent.post(`/groups/${g.slug}/members/${a.id}/role`, { role: 'co_lead' })).statusCode, 303);
    assert.deepEqual(await membership(g.id, a.id), { role: 'co_lead', status: 'active' });
    assert.equal((await leadAgent.post(`/groups/${g.slug}/members/${a.id}/role`, { role: 'boss' })).statusCode, 400);
    await leadAgent.post(`/groups/${g.slug}/members/${lead.id}/role`, { role: 'member' });
    assert.deepEqual(await membership(g.id, lead.id), { role: 'lead', status: 'active' }, 'the last lead keeps the role');
    assert.equal((await leadAgent.post(`/groups/${g.slug}/members/${b.id}/remove`)).statusCode, 303);
    assert.equal(await membership(g.id, b.id), undefined);
    assert.equal(await memberCount(g.id), 2);
  });

  test("a member's management page: leads and facilitators only, members of this group only", async () => {
    const lead = await buildUser(t.db);
    const a = await buildUser(t.db, { name: 'Ana Member' });
    const plain = await buildUser(t.db);
    const outsider = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: lead.id, memberIds: [a.id, plain.id] });
    const secret = await buildGroup(t.db, { leadId: lead.id, memberIds: [a.id], visibility: 'private' });
    const leadAgent = await new Agent(t.app).signIn(lead.email);
    // The group page links to each member's page instead of carrying every form.
    const page = await leadAgent.get(`/groups/${g.slug}`);
    assert.match(page.body, new RegExp(`href="/groups/${g.slug}/members/${a.id}"`));
    assert.doesNotMatch(page.body, new RegExp(`/members/${a.id}/role`));
    const res = await leadAgent.get(`/groups/${g.slug}/members/${a.id}`);
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<h1[^>]*>Manage Ana Member<\/h1>/);
    assert.match(res.body, new RegExp(`action="/groups/${g.slug}/members/${a.id}/role"[^]*name="role" value="co_lead"`));
    assert.match(res.body, new RegExp(`action="/groups/${g.slug}/members/${a.id}/remove"`));
    assert.equal(res.headers['x-robots-tag'], 'noindex');
    // Changing the role comes back to this page, showing the new role.
    const changed = await leadAgent.post(`/groups/${g.slug}/members/${a.id}/role`, { role: 'co_lead' });
    assert.equal(changed.headers.location, `/groups/${g.slug}/members/${a.id}`);
    assert.match((await leadAgent.get(`/groups/${g.slug}/members/${a.id}`)).body, /Co-lead/);
    // Someone who is not a member of the group, or no one: not found.
    assert.equal((await leadAgent.get(`/groups/${g.slug}/members/${outsider.id}`)).statusCode, 404);
    assert.equal((await leadAgent.get(`/groups/${g.slug}/members/999999999`)).statusCode, 404);
    // A plain member may not manage (a co-lead may); an outsider does not learn a private group exists.
    const plainAgent = await new Agent(t.app).signIn(plain.email);
    assert.equal((await plainAgent.get(`/groups/${g.slug}/members/${lead.id}`)).statusCode, 403);
    const coLeadAgent = await new Agent(t.app).signIn(a.email);
    const coLeadView = await coLeadAgent.get(`/groups/${g.slug}/members/${plain.id}`);
    assert.equal(coLeadView.statusCode, 200);
    assert.doesNotMatch(coLeadView.body, /\/role"/, 'only a lead or facilitator names leads');
    assert.match(coLeadView.body, /\/remove"/);
    const outsiderAgent = await new Agent(t.app).signIn(outsider.email);
    assert.equal((await outsiderAgent.get(`/groups/${secret.slug}/members/${a.id}`)).statusCode, 404);
    assert.equal((await t.app.inject({ url: `/groups/${secret.slug}/members/${a.id}` })).statusCode, 404);
    // A facilitator who is not in the group may manage it too.
    const facilitator = await buildUser(t.db, { role: 'facilitator' });
    const fAgent = await new Agent(t.app).signIn(facilitator.email);
    assert.equal((await fAgent.get(`/groups/${secret.slug}/members/${a.id}`)).statusCode, 200);
  });
});

describe('creating and editing groups', () => {
  test('a facilitator creates a group from the form; a double submit creates one', async () => {
    const facilitator = await buildUser(t.db, { role: 'facilitator' });
    const agent = await new Agent(t.app).signIn(facilitator.email);
    const form = await agent.get('/groups/new');
    assert.equal(form.statusCode, 200);
    const idem = /name="_idem" value="([^"]+)"/.exec(form.body)![1]!;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;
    const fields = { name: 'Rural Schools', slug: 'rural-schools', mission: 'Small districts, big distances.', priorities: '1. Share staff\n2. Use telehealth well\n\n', led_by: 'none', visibility: 'public', join_policy: 'open', _idem: idem };
    const [r1, r2] = await Promise.all([agent.post('/groups', fields, { csrf }), agent.post('/groups', fields, { csrf })]);
    assert.deepEqual([r1.statusCode, r2.statusCode], [303, 303]);
    assert.equal(r1.headers.location, '/groups/rural-schools');
    const rows = await t.db.selectFrom('practice_groups').select('id').where('slug', '=', 'rural-schools').execute();
    assert.equal(rows.length, 1);
    const pr = await t.db.selectFrom('group_priorities').select(['position', 'text']).where('group_id', '=', rows[0]!.id).orderBy('position').execute();
    assert.deepEqual(pr, [
      { position: 1, text: 'Share staff' },
      { position: 2, text: 'Use telehealth well' },
    ]);
    assert.deepEqual(await membership(rows[0]!.id, facilitator.id), { role: 'lead', status: 'active' });
  });

  test('bad input re-renders with field errors; a taken slug is a field error', async () => {
    const facilitator = await buildUser(t.db, { role: 'facilitator' });
    await buildGroup(t.db, { slug: 'taken-slug' });
    const agent = await new Agent(t.app).signIn(facilitator.email);
    const bad = await agent.post('/groups', { name: '', slug: 'Not A Slug!', led_by: 'aliens', visibility: 'public', join_policy: 'open' });
    assert.equal(bad.statusCode, 400);
    for (const f of ['name', 'slug', 'led_by']) assert.match(bad.body, new RegExp(`id="field-${f}-error"`));
    const taken = await agent.post('/groups', { name: 'Another', slug: 'taken-slug', led_by: 'none', visibility: 'public', join_policy: 'open' });
    assert.equal(taken.statusCode, 409);
    assert.match(taken.body, /already uses this web address/);
  });

  test('members cannot create groups; anonymous callers must sign in', async () => {
    const member = await buildUser(t.db);
    const agent = await new Agent(t.app).signIn(member.email);
    assert.equal((await agent.get('/groups/new')).statusCode, 403);
    const token = await apiToken(t.app, member.email);
    const body = { name: 'X', slug: 'x-group', led_by: 'none', visibility: 'public', join_policy: 'open' };
    assert.equal((await t.app.inject({ method: 'POST', url: '/api/v1/groups', headers: bearer(token), payload: body })).statusCode, 403);
    assert.equal((await t.app.inject({ method: 'POST', url: '/api/v1/groups', payload: body })).statusCode, 401);
    assert.equal((await t.app.inject('/groups/new')).statusCode, 303, 'the page sends visitors to sign in');
  });

  test('POST /api/v1/groups creates with an idempotency key; PATCH updates; leads may edit', async () => {
    const facilitator = await buildUser(t.db, { role: 'facilitator' });
    const token = await apiToken(t.app, facilitator.email);
    const body = { name: 'Data Use', slug: 'data-use', led_by: 'youth', visibility: 'members', join_policy: 'request', priorities: ['Measure what matters'] };
    const headers = { ...bearer(token), 'idempotency-key': 'create-data-use-1' };
    const r1 = await t.app.inject({ method: 'POST', url: '/api/v1/groups', headers, payload: body });
    const r2 = await t.app.inject({ method: 'POST', url: '/api/v1/groups', headers, payload: body });
    assert.equal(r1.statusCode, 201);
    assert.equal(r2.statusCode, 201);
    assert.equal(r1.json().slug, 'data-use');
    assert.deepEqual(r1.json().priorities, [{ position: 1, text: 'Measure what matters', translations: {} }]);
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/groups', headers: bearer(token), payload: { ...body, slug: 'bad slug', visibility: 'secret' } });
    assert.equal(bad.statusCode, 400);
    assert.ok(bad.json().error.fields.slug && bad.json().error.fields.visibility);

    const patch = await t.app.inject({ method: 'PATCH', url: '/api/v1/groups/data-use', headers: bearer(token), payload: { mission: 'Use data together.' } });
    assert.equal(patch.statusCode, 204);
    const row = await t.db.selectFrom('practice_groups').select('mission').where('slug', '=', 'data-use').executeTakeFirstOrThrow();
    assert.equal(row.mission, 'Use data together.');

    const member = await buildUser(t.db);
    const memberToken = await apiToken(t.app, member.email);
    assert.equal((await t.app.inject({ method: 'PATCH', url: '/api/v1/groups/data-use', headers: bearer(memberToken), payload: { mission: 'hijack' } })).statusCode, 403);
  });

  test('a lead edits the group from the edit page', async () => {
    const lead = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: lead.id, priorities: ['Old'] });
    const agent = await new Agent(t.app).signIn(lead.email);
    const page = await agent.get(`/groups/${g.slug}/edit`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, />Old<\/textarea>/);
    const res = await agent.post(`/groups/${g.slug}/edit`, { name: 'Renamed', mission: 'New mission', priorities: 'First\nSecond', led_by: 'family', visibility: 'public', join_policy: 'request' });
    assert.equal(res.statusCode, 303);
    const row = await t.db.selectFrom('practice_groups').select(['name', 'led_by', 'join_policy']).where('id', '=', g.id).executeTakeFirstOrThrow();
    assert.deepEqual(row, { name: 'Renamed', led_by: 'family', join_policy: 'request' });
    const other = await buildUser(t.db);
    const otherAgent = await new Agent(t.app).signIn(other.email);
    assert.equal((await otherAgent.get(`/groups/${g.slug}/edit`)).statusCode, 403);
  });
});

describe('GET /api/v1/groups', () => {
  test('lists visible groups with leads', async () => {
    const lead = await buildUser(t.db, { name: 'Api Lead' });
    const g = await buildGroup(t.db, { name: 'Api Visible', leadId: lead.id });
    const res = await t.app.inject('/api/v1/groups');
    assert.equal(res.statusCode, 200);
    const found = res.json().groups.find((x: { slug: string }) => x.slug === g.slug);
    assert.deepEqual(found.leads, [{ id: lead.id, name: 'Api Lead', role: 'lead' }]);
    assert.equal(found.member_count, 1);
  });
});
