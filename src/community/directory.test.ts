import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, buildGroup, buildOrganization, buildTestApp, buildUser, textOf, type TestContext } from '../../test/helpers.js';

let t: TestContext;
before(async () => {
  t = await buildTestApp();
});

const setProfile = (id: number, values: { expertise?: string[]; visibility?: Record<string, string>; bio?: string }) =>
  t.db
    .updateTable('users')
    .set({ ...(values.expertise ? { expertise: values.expertise } : {}), ...(values.bio ? { bio: values.bio } : {}), ...(values.visibility ? { visibility: JSON.stringify(values.visibility) } : {}) })
    .where('id', '=', id)
    .execute();

describe('the member directory', () => {
  test('"a family leader in Ohio working on juvenile justice": filters combine, each only on fields people share', async () => {
    const match = await buildUser(t.db, { name: 'Dana Directory', perspectives: ['family'], state_code: 'OH' });
    await setProfile(match.id, { expertise: ['Juvenile justice', 'Peer support'] });
    const wrongState = await buildUser(t.db, { name: 'Evan Directory', perspectives: ['family'], state_code: 'MD' });
    await setProfile(wrongState.id, { expertise: ['Juvenile justice'] });
    // Same facts, but the state is private: the state filter must not find her (that would reveal it).
    const hiddenState = await buildUser(t.db, { name: 'Fay Directory', perspectives: ['family'], state_code: 'OH' });
    await setProfile(hiddenState.id, { expertise: ['Juvenile justice'], visibility: { state: 'private', perspectives: 'public', expertise: 'public', organizations: 'public', pronouns: 'public', bio: 'members' } });
    const q = '/people?perspective=family&state=OH&expertise=juvenile';
    const anon = textOf((await t.app.inject(q)).body);
    assert.match(anon, /Dana Directory/);
    assert.doesNotMatch(anon, /Evan Directory|Fay Directory/);
    const member = await new Agent(t.app).signIn((await buildUser(t.db)).email);
    const page = textOf((await member.get(q)).body);
    assert.match(page, /Dana Directory/);
    assert.doesNotMatch(page, /Fay Directory/);
    assert.match(page, /1 person/);
    const api = await t.app.inject('/api/v1/people?perspective=family&state=OH&expertise=juvenile');
    assert.equal(api.statusCode, 200);
    assert.deepEqual(api.json().people.map((p: { name: string }) => p.name), ['Dana Directory']);
    // Facilitators see every field.
    const fac = await new Agent(t.app).signIn((await buildUser(t.db, { role: 'facilitator' })).email);
    assert.match(textOf((await fac.get(q)).body), /Fay Directory/);
    assert.equal((await t.app.inject('/people?state=XX')).statusCode, 400);
  });

  test('youth never appear to anonymous visitors; hidden people appear to no one; private groups cannot be searched by outsiders', async () => {
    await buildUser(t.db, { name: 'Yara Youthful', is_youth: true, perspectives: ['youth'] });
    await buildUser(t.db, { name: 'Hugo Hidden', hidden: true });
    assert.doesNotMatch(textOf((await t.app.inject('/people?q=Yara')).body), /Yara Youthful/);
    assert.equal((await t.app.inject('/api/v1/people?q=Yara')).json().total, 0);
    const member = await new Agent(t.app).signIn((await buildUser(t.db)).email);
    assert.match(textOf((await member.get('/people?q=Yara')).body), /Yara Youthful/);
    const fac = await new Agent(t.app).signIn((await buildUser(t.db, { role: 'facilitator' })).email);
    assert.doesNotMatch(textOf((await fac.get('/people?q=Hugo')).body), /Hugo Hidden/);
    const lead = await buildUser(t.db, { name: 'Secret Circle Lead' });
    const g = await buildGroup(t.db, { leadId: lead.id, visibility: 'private' });
    assert.equal((await member.get(`/people?group=${g.slug}`)).statusCode, 404);
    assert.match(textOf((await fac.get(`/people?group=${g.slug}`)).body), /Secret Circle Lead/);
  });

  test('organization and state pages list the groups their people take part in, only groups the viewer may see', async () => {
    const org = await buildOrganization(t.db, { name: 'Directory Test Org' });
    const p = await buildUser(t.db, { name: 'Org Person', state_code: 'VT' });
    await t.db.insertInto('user_organizations').values({ user_id: p.id, organization_id: org.id }).execute();
    await buildGroup(t.db, { name: 'Open Circle', memberIds: [p.id] });
    await buildGroup(t.db, { name: 'Closed Circle', memberIds: [p.id], visibility: 'private' });
    const orgPage = textOf((await t.app.inject(`/organizations/${org.slug}`)).body);
    assert.match(orgPage, /Practice groups they take part in\s+Open Circle \(1 person\)/);
    assert.doesNotMatch(orgPage, /Closed Circle/);
    await t.db.insertInto('state_initiatives').values({ state_code: 'VT', name: 'Vermont initiative' }).execute();
    const statePage = textOf((await t.app.inject('/states/VT')).body);
    assert.match(statePage, /Open Circle/);
    assert.doesNotMatch(statePage, /Closed Circle/);
  });
});
