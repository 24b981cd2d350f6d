import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, buildGroup, buildOrganization, buildTestApp, buildUser, textOf, type TestContext } from '../../test/helpers.js';
import { seedDemo } from '../seed/seed.js';

let t: TestContext;
before(async () => {
  t = await buildTestApp();
  await seedDemo(t.db);
});

describe('home', () => {
  test('shows the community, its facilitators and funders, counts and practice groups', async () => {
    const res = await t.app.inject('/');
    assert.equal(res.statusCode, 200);
    const text = textOf(res.body);
    assert.match(text, /National Community of Practice on Collaborative School Behavioral Health/);
    assert.match(text, /Facilitated by IDEA Partnership/);
    assert.match(text, /funded by Office of Special Education Programs/);
    assert.match(text, /Health Resources and Services Administration/);
    assert.match(text, /4,500,000 stakeholders/);
    assert.match(text, /17 state initiatives/);
    assert.match(text, /Youth Involvement and Leadership/);
    assert.doesNotMatch(text, /Leads’ Circle/, 'the private group is not listed to visitors');
    assert.equal(res.body.match(/<h1/g)?.length, 1);
  });

  test('the community API carries the same facts', async () => {
    const res = await t.app.inject('/api/v1/community');
    assert.equal(res.statusCode, 200);
    const c = res.json();
    assert.equal(c.reach_goal, 4_500_000);
    assert.deepEqual(c.facilitators.map((f: { slug: string }) => f.slug), ['idea-partnership', 'csmh']);
    assert.deepEqual(c.facilitators[0].funders.map((f: { slug: string }) => f.slug), ['osep']);
    assert.equal(c.counts.groups, 13);
  });

  test('Spanish home page', async () => {
    const res = await t.app.inject({ url: '/', headers: { cookie: 'convene_lang=es' } });
    assert.match(res.body, /<html lang="es">/);
    assert.match(textOf(res.body), /Facilitada por/);
    assert.match(textOf(res.body), /4\.500\.000/);
  });
});

describe('organizations', () => {
  test('list filters by kind and name; the page shows people who show their organization', async () => {
    const all = await t.app.inject('/organizations');
    assert.equal(all.statusCode, 200);
    assert.match(all.body, /National Association of School Psychologists/);
    const agencies = await t.app.inject('/organizations?kind=state_agency');
    assert.match(agencies.body, /Maryland State Department of Education/);
    assert.doesNotMatch(agencies.body, /National Association of School Psychologists/);
    const byName = await t.app.inject('/organizations?q=psychiatry');
    assert.match(byName.body, /American Academy of Child and Adolescent Psychiatry/);
    assert.doesNotMatch(byName.body, /Maryland State/);
    const page = await t.app.inject('/organizations/csmh');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Marcus Oyelaran/);
    assert.equal((await t.app.inject('/organizations/nope')).statusCode, 404);
    const likeInjection = await t.app.inject('/organizations?q=%25_%5C');
    assert.equal(likeInjection.statusCode, 200);
  });

  test('API lists organizations and refuses unknown kinds', async () => {
    const res = await t.app.inject('/api/v1/organizations?kind=facilitator');
    assert.deepEqual(res.json().organizations.map((o: { slug: string }) => o.slug).sort(), ['csmh', 'idea-partnership']);
    assert.equal((await t.app.inject('/api/v1/organizations?kind=cabal')).statusCode, 400);
    const one = await t.app.inject('/api/v1/organizations/mcec');
    assert.equal(one.statusCode, 200);
    assert.ok(one.json().people.some((p: { name: string }) => p.name === 'Beth Lindqvist'));
  });

  test('a youth at an organization is not listed to anonymous visitors', async () => {
    const page = await t.app.inject('/organizations/youth-move');
    assert.doesNotMatch(page.body, /Jordan Reyes/);
    const member = await buildUser(t.db);
    const agent = await new Agent(t.app).signIn(member.email);
    assert.match((await agent.get('/organizations/youth-move')).body, /Jordan Reyes/);
  });
});

describe('state initiatives', () => {
  test('the directory and a state page with agencies and contacts', async () => {
    const list = await t.app.inject('/states');
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /Maryland School Mental Health Initiative/);
    const md = await t.app.inject('/states/md');
    assert.equal(md.statusCode, 200);
    assert.match(md.body, /Maryland Behavioral Health Administration/);
    assert.equal((await t.app.inject('/states/zz')).statusCode, 404);
    assert.equal((await t.app.inject('/states/toolong')).statusCode, 400);
    const api = await t.app.inject('/api/v1/states');
    assert.equal(api.json().states.length, 17);
  });
});

describe('profiles', () => {
  test('field visibility is respected on the page and in the API', async () => {
    const person = await buildUser(t.db, { name: 'Visible Vera', state_code: 'OH' });
    await t.db.updateTable('users').set({ bio: 'Members-only bio', pronouns: 'she/her', visibility: JSON.stringify({ bio: 'members', pronouns: 'public', state: 'private' }) }).where('id', '=', person.id).execute();
    const anon = await t.app.inject(`/people/${person.id}`);
    assert.equal(anon.statusCode, 200);
    assert.match(anon.body, /she\/her/);
    assert.doesNotMatch(anon.body, /Members-only bio/);
    assert.doesNotMatch(anon.body, /Ohio/);
    const anonApi = (await t.app.inject(`/api/v1/people/${person.id}`)).json();
    assert.equal(anonApi.bio, undefined);
    assert.equal(anonApi.state_code, undefined);
    const viewer = await buildUser(t.db);
    const agent = await new Agent(t.app).signIn(viewer.email);
    const signedIn = await agent.get(`/people/${person.id}`);
    assert.match(signedIn.body, /Members-only bio/);
    assert.doesNotMatch(signedIn.body, /Ohio/, 'private stays private from other members');
    const self = await new Agent(t.app).signIn(person.email);
    assert.match((await self.get(`/people/${person.id}`)).body, /Ohio/, 'people see their own private fields');
  });

  test('hidden and deactivated people are 404 to others; youth are 404 to anonymous visitors', async () => {
    const hidden = await buildUser(t.db, { hidden: true });
    const youth = await buildUser(t.db, { is_youth: true });
    const viewer = await buildUser(t.db);
    const agent = await new Agent(t.app).signIn(viewer.email);
    assert.equal((await agent.get(`/people/${hidden.id}`)).statusCode, 404);
    assert.equal((await t.app.inject(`/api/v1/people/${hidden.id}`)).statusCode, 404);
    assert.equal((await t.app.inject(`/people/${youth.id}`)).statusCode, 404);
    assert.equal((await agent.get(`/people/${youth.id}`)).statusCode, 200);
    const facilitator = await buildUser(t.db, { role: 'facilitator' });
    const fAgent = await new Agent(t.app).signIn(facilitator.email);
    assert.equal((await fAgent.get(`/people/${hidden.id}`)).statusCode, 200, 'facilitators can still reach hidden people');
    assert.equal((await t.app.inject('/people/999999999')).statusCode, 404);
    assert.equal((await t.app.inject('/people/abc')).statusCode, 400);
  });

  test('a profile lists only the groups the viewer may see', async () => {
    const person = await buildUser(t.db);
    const open = await buildGroup(t.db, { name: 'Open Garden', memberIds: [person.id] });
    await buildGroup(t.db, { name: 'Closed Room', visibility: 'private', join_policy: 'invite', memberIds: [person.id] });
    const page = await t.app.inject(`/people/${person.id}`);
    assert.match(page.body, /Open Garden/);
    assert.doesNotMatch(page.body, /Closed Room/);
    void open;
  });

  test('organization pages list only visible people', async () => {
    const org = await buildOrganization(t.db, { name: 'Quiet Org' });
    const shown = await buildUser(t.db, { name: 'Shown Sam' });
    const hidden = await buildUser(t.db, { name: 'Hidden Hal', hidden: true });
    await t.db.insertInto('user_organizations').values([{ user_id: shown.id, organization_id: org.id }, { user_id: hidden.id, organization_id: org.id }]).execute();
    const privateOrgs = await buildUser(t.db, { name: 'Private Pia' });
    await t.db.updateTable('users').set({ visibility: JSON.stringify({ organizations: 'private' }) }).where('id', '=', privateOrgs.id).execute();
    await t.db.insertInto('user_organizations').values({ user_id: privateOrgs.id, organization_id: org.id }).execute();
    const page = await t.app.inject(`/organizations/${org.slug}`);
    assert.match(page.body, /Shown Sam/);
    assert.doesNotMatch(page.body, /Hidden Hal/);
    assert.doesNotMatch(page.body, /Private Pia/, 'a private organizations field keeps the person off the list');
  });
});
