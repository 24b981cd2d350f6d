import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, buildGroup, buildTestApp, buildUser, type TestContext } from '../../test/helpers.js';

let t: TestContext;
let facilitator: Agent;
let admin: Agent;
let member: Agent;
before(async () => {
  t = await buildTestApp();
  facilitator = await new Agent(t.app).signIn((await buildUser(t.db, { role: 'facilitator', name: 'Fran Facilitator' })).email);
  admin = await new Agent(t.app).signIn((await buildUser(t.db, { role: 'admin' })).email);
  member = await new Agent(t.app).signIn((await buildUser(t.db)).email);
});

const PAGES = ['/admin', '/admin/community', '/admin/organizations', '/admin/organizations/new', '/admin/states', '/admin/states/new', '/admin/groups', '/admin/people'];

describe('access', () => {
  test('anonymous visitors are sent to sign in; members are refused; facilitators get in', async () => {
    for (const p of PAGES) {
      const anon = await t.app.inject(p);
      assert.equal(anon.statusCode, 303, p);
      assert.match(anon.headers.location as string, /^\/login\?next=/);
      assert.equal((await member.get(p)).statusCode, 403, p);
      const ok = await facilitator.get(p);
      assert.equal(ok.statusCode, 200, p);
      assert.equal(ok.body.match(/<h1/g)?.length, 1, p);
    }
  });

  test('admin forms refuse members', async () => {
    const res = await member.post('/admin/organizations', { name: 'X', slug: 'x-org', kind: 'member', level: 'state' });
    assert.equal(res.statusCode, 403);
  });
});

describe('organizations', () => {
  test('create (once per form), edit and delete, with the audit log', async () => {
    const form = await facilitator.get('/admin/organizations/new');
    const idem = /name="_idem" value="([^"]+)"/.exec(form.body)![1]!;
    const fields = { name: 'Family Voices of Ohio', slug: 'family-voices-oh', kind: 'family_org', level: 'state', states: ['OH', 'KY'], website: 'https://example.org', description: 'Parents helping parents.', _idem: idem };
    const r1 = await facilitator.post('/admin/organizations', fields);
    const r2 = await facilitator.post('/admin/organizations', fields);
    assert.equal(r1.statusCode, 303);
    assert.equal(r2.statusCode, 303);
    const rows = await t.db.selectFrom('organizations').selectAll().where('slug', '=', 'family-voices-oh').execute();
    assert.equal(rows.length, 1);
    assert.deepEqual(rows[0]!.states, ['OH', 'KY']);
    const id = rows[0]!.id;
    const edit = await facilitator.post(`/admin/organizations/${id}`, { ...fields, name: 'Family Voices (Ohio)', _idem: '' });
    assert.equal(edit.statusCode, 303);
    assert.equal((await t.db.selectFrom('organizations').select('name').where('id', '=', id).executeTakeFirstOrThrow()).name, 'Family Voices (Ohio)');
    assert.equal((await facilitator.post(`/admin/organizations/${id}/delete`)).statusCode, 303);
    assert.equal((await t.db.selectFrom('organizations').select('id').where('id', '=', id).execute()).length, 0);
    const actions = (await t.db.selectFrom('audit_log').select('action').where('subject_type', '=', 'organization').where('subject_id', '=', String(id)).execute()).map((a) => a.action);
    assert.deepEqual(actions.sort(), ['organization.create', 'organization.delete', 'organization.update']);
    assert.equal((await facilitator.post('/admin/organizations/999999/delete')).statusCode, 404);
  });

  test('bad input: field errors, values kept, nothing written', async () => {
    const res = await facilitator.post('/admin/organizations', { name: 'Keep Me', slug: 'BAD SLUG', kind: 'cult', level: 'galactic', website: 'javascript:alert(1)' });
    assert.equal(res.statusCode, 400);
    for (const f of ['slug', 'kind', 'level', 'website']) assert.match(res.body, new RegExp(`id="field-${f}-error"`), f);
    assert.match(res.body, /value="Keep Me"/);
    assert.equal((await t.db.selectFrom('organizations').select('id').where('name', '=', 'Keep Me').execute()).length, 0);
  });
});

describe('state initiatives', () => {
  test('create and edit; a second initiative for the same state is a field error', async () => {
    const agency = await t.db.insertInto('organizations').values({ slug: 'wi-dpi', name: 'Wisconsin DPI', kind: 'state_agency', level: 'state' }).returning('id').executeTakeFirstOrThrow();
    const res = await facilitator.post('/admin/states', { state_code: 'WI', name: 'Wisconsin School Mental Health', status: 'active', education_agency_id: String(agency.id), mental_health_agency_id: '' });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/states/wi');
    const row = await t.db.selectFrom('state_initiatives').selectAll().where('state_code', '=', 'WI').executeTakeFirstOrThrow();
    assert.equal(row.education_agency_id, agency.id);
    const dup = await facilitator.post('/admin/states', { state_code: 'WI', name: 'Again', status: 'active' });
    assert.equal(dup.statusCode, 409);
    assert.match(dup.body, /id="field-state_code-error"/);
    const edit = await facilitator.post(`/admin/states/${row.id}`, { state_code: 'WI', name: 'Renamed WI', status: 'sustaining' });
    assert.equal(edit.statusCode, 303);
    const badAgency = await facilitator.post(`/admin/states/${row.id}`, { state_code: 'WI', name: 'Renamed WI', status: 'sustaining', education_agency_id: '999999' });
    assert.equal(badAgency.statusCode, 400);
    assert.equal((await facilitator.get('/admin/states/999999')).statusCode, 404);
  });
});

describe('community and groups', () => {
  test('a facilitator edits the community; the header name follows', async () => {
    const res = await facilitator.post('/admin/community', { name: 'Test Community of Practice', short_name: 'Test CoP', mission: 'Learning together.', shared_agenda: 'One agenda.', reach_goal: '1000', website: '' });
    assert.equal(res.statusCode, 303);
    const home = await t.app.inject('/');
    assert.match(home.body, /Test Community of Practice/);
    assert.match(home.body, /class="convene-brand">Test CoP</);
    const bad = await facilitator.post('/admin/community', { name: '', reach_goal: '-5' });
    assert.equal(bad.statusCode, 400);
  });

  test('archiving a group hides it from the list; restoring brings it back', async () => {
    const g = await buildGroup(t.db, { name: 'Archivable Group' });
    assert.equal((await facilitator.post(`/admin/groups/${g.slug}/archive`, { archived: 'true' })).statusCode, 303);
    assert.doesNotMatch((await t.app.inject('/groups')).body, /Archivable Group/);
    assert.match((await facilitator.get('/admin/groups')).body, /Archivable Group/);
    await facilitator.post(`/admin/groups/${g.slug}/archive`, { archived: 'false' });
    assert.match((await t.app.inject('/groups')).body, /Archivable Group/);
  });
});

describe('people', () => {
  test('facilitators hide and deactivate; only admins change roles', async () => {
    const person = await buildUser(t.db, { name: 'Pat Person' });
    const list = await facilitator.get('/admin/people?q=Pat%20Person');
    assert.match(list.body, /Pat Person/);
    assert.doesNotMatch(list.body, /name="role"/, 'facilitators see no role control');
    assert.equal((await facilitator.post(`/admin/people/${person.id}`, { role: 'admin' })).statusCode, 403);
    assert.equal((await facilitator.post(`/admin/people/${person.id}`, { hidden: 'true' })).statusCode, 303);
    assert.equal((await t.db.selectFrom('users').select('hidden').where('id', '=', person.id).executeTakeFirstOrThrow()).hidden, true);
    const personAgent = await new Agent(t.app).signIn(person.email);
    assert.equal((await facilitator.post(`/admin/people/${person.id}`, { deactivated: 'true' })).statusCode, 303);
    assert.equal((await personAgent.get('/settings')).statusCode, 302, 'a deactivated person is signed out');
    assert.equal((await admin.post(`/admin/people/${person.id}`, { role: 'facilitator' })).statusCode, 303);
    assert.equal((await t.db.selectFrom('users').select('role').where('id', '=', person.id).executeTakeFirstOrThrow()).role, 'facilitator');
    assert.equal((await admin.post(`/admin/people/${person.id}`, { role: 'emperor' })).statusCode, 400);
    assert.equal((await admin.post('/admin/people/99999999', { hidden: 'true' })).statusCode, 404);
  });

  test('the audit log is shown on the admin home', async () => {
    const home = await facilitator.get('/admin');
    assert.match(home.body, /Fran Facilitator/);
    assert.match(home.body, /<code>[a-z_.]+<\/code>/);
  });
});
