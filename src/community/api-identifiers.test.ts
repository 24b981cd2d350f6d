import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { apiToken, bearer, buildGroup, buildOrganization, buildTestApp, buildUser, type TestContext } from '../../test/helpers.js';

/**
 * The identifiers the API asks for are the ones it gives: a partner or a
 * convening's place named exactly as the lists name them, and times given as
 * ISO 8601 with an offset.
 */
let t: TestContext;
before(async () => {
  t = await buildTestApp();
});

describe('the API identifier round trip', () => {
  test('partners from the organizations and states lists, places from the groups and states lists, and times with an offset', async () => {
    const fac = await buildUser(t.db, { role: 'facilitator' });
    const token = await apiToken(t.app, fac.email);
    const org = await buildOrganization(t.db, { name: 'Round Trip Alliance' });
    await t.db.insertInto('state_initiatives').values({ state_code: 'VT', name: 'Vermont', created_at: new Date(), updated_at: new Date() }).onConflict((oc) => oc.doNothing()).execute();
    const group = await buildGroup(t.db, { leadId: fac.id, name: 'Round trip group' });

    const orgs = (await t.app.inject({ url: '/api/v1/organizations' })).json().organizations as { id: number; slug: string; partner: string }[];
    const listed = orgs.find((o) => o.slug === org.slug)!;
    assert.deepEqual([listed.id, listed.partner], [org.id, `org:${org.slug}`]);
    assert.equal((await t.app.inject({ url: `/api/v1/organizations/${org.slug}` })).json().partner, `org:${org.slug}`);
    const states = (await t.app.inject({ url: '/api/v1/states' })).json().states as { id: number; state_code: string; partner: string; scope: string }[];
    const vt = states.find((s) => s.state_code === 'VT')!;
    assert.ok(Number.isInteger(vt.id));
    assert.deepEqual([vt.partner, vt.scope], ['state:VT', 'state:VT']);
    const groups = (await t.app.inject({ url: '/api/v1/groups', headers: bearer(token) })).json().groups as { id: number; slug: string; scope: string }[];
    const g = groups.find((x) => x.slug === group.slug)!;
    assert.deepEqual([g.id, g.scope], [group.id, `group:${group.slug}`]);

    // A resource to pass on.
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/resources', headers: bearer(token), payload: { title: 'Round trip brief', kind: 'brief', external_url: 'https://example.org/brief', audiences: ['educator'] } });
    assert.equal(res.statusCode, 201, res.body);
    const resourceId = res.json().id as number;
    for (const partner of [listed.partner, vt.partner, `org:${org.id}`]) {
      const link = await t.app.inject({ method: 'POST', url: `/api/v1/resources/${resourceId}/links`, headers: bearer(token), payload: { partner, channel: 'newsletter' } });
      assert.ok([200, 201].includes(link.statusCode), `${partner}: ${link.body}`);
    }
    const byId = await t.app.inject({ method: 'POST', url: `/api/v1/resources/${resourceId}/links`, headers: bearer(token), payload: { partner: `org:${org.id}`, channel: 'newsletter' } });
    const bySlug = await t.app.inject({ method: 'POST', url: `/api/v1/resources/${resourceId}/links`, headers: bearer(token), payload: { partner: listed.partner, channel: 'newsletter' } });
    assert.equal(byId.json().code, bySlug.json().code, 'the slug and the id name the same partner');
    const report = await t.app.inject({ method: 'POST', url: `/api/v1/resources/${resourceId}/dissemination`, headers: bearer(token), payload: { partner: vt.partner, channel: 'newsletter', recipients: 1200, sent_on: '2026-11-02' } });
    assert.equal(report.statusCode, 201, report.body);
    const row = await t.db.selectFrom('dissemination_reports').select(['state_initiative_id', 'organization_id']).where('id', '=', report.json().id).executeTakeFirstOrThrow();
    assert.deepEqual(row, { state_initiative_id: vt.id, organization_id: null });
    // A partner that does not exist, or is not the person's, is refused with a field message.
    for (const partner of ['org:no-such-org', 'state:ZZ', 'org:Bad Slug']) {
      const bad = await t.app.inject({ method: 'POST', url: `/api/v1/resources/${resourceId}/dissemination`, headers: bearer(token), payload: { partner, channel: 'newsletter', recipients: 5, sent_on: '2026-11-02' } });
      assert.equal(bad.statusCode, 400, partner);
      assert.ok(bad.json().error.fields.partner, partner);
    }
    const member = await buildUser(t.db);
    const notMine = await t.app.inject({ method: 'POST', url: `/api/v1/resources/${resourceId}/dissemination`, headers: bearer(await apiToken(t.app, member.email)), payload: { partner: listed.partner, channel: 'newsletter', recipients: 5, sent_on: '2026-11-02' } });
    assert.equal(notMine.statusCode, 400);
    assert.ok(notMine.json().error.fields.partner);

    // A convening placed in the group by its scope, timed with offsets.
    const ev = await t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: bearer(token),
      payload: { title: 'Offsets call', kind: 'group_call', scope: g.scope, time_zone: 'America/Chicago', starts_at: '2027-03-02T18:00:00-06:00', ends_at: '2027-03-03T01:30:00Z' },
    });
    assert.equal(ev.statusCode, 201, ev.body);
    const e = ev.json();
    assert.equal(e.scope, g.scope);
    assert.equal(e.group_id, group.id);
    assert.equal(e.starts_at, '2027-03-03T00:00:00.000Z');
    assert.equal(e.ends_at, '2027-03-03T01:30:00.000Z');
    assert.equal(e.starts_at_local, '2027-03-02T18:00:00-06:00');
    assert.equal(e.ends_at_local, '2027-03-02T19:30:00-06:00');
    // Moved to a state by the scope the states list gives, and an hour later by a new start and end.
    const moved = await t.app.inject({ method: 'PATCH', url: `/api/v1/events/${e.id}`, headers: bearer(token), payload: { scope: vt.scope, starts_at: '2027-03-02T19:00:00-06:00', ends_at: '2027-03-02T20:30:00-06:00' } });
    assert.equal(moved.statusCode, 200, moved.body);
    assert.deepEqual([moved.json().scope, moved.json().starts_at_local], ['state:VT', '2027-03-02T19:00:00-06:00']);
    // Neither the form's fields nor starts_at: a field message, not a 500.
    const none = await t.app.inject({ method: 'POST', url: '/api/v1/events', headers: bearer(token), payload: { title: 'No time', kind: 'group_call', scope: 'community', time_zone: 'America/Chicago' } });
    assert.equal(none.statusCode, 400);
    assert.ok(none.json().error.fields.start_date);
    const noOffset = await t.app.inject({ method: 'POST', url: '/api/v1/events', headers: bearer(token), payload: { title: 'No offset', kind: 'group_call', scope: 'community', time_zone: 'America/Chicago', starts_at: '2027-03-02T18:00:00', ends_at: '2027-03-02T19:00:00Z' } });
    assert.equal(noOffset.statusCode, 400);
    // A group the person may not organize in, named by its slug, is refused like one named by its id.
    const other = await buildGroup(t.db, { name: 'Not led by this member' });
    const lead = await buildUser(t.db);
    await t.db.insertInto('group_memberships').values({ group_id: group.id, user_id: lead.id, role: 'lead', status: 'active' }).execute();
    const leadToken = await apiToken(t.app, lead.email);
    for (const scope of [`group:${other.slug}`, `group:${other.id}`]) {
      const refused = await t.app.inject({ method: 'POST', url: '/api/v1/events', headers: bearer(leadToken), payload: { title: 'Elsewhere', kind: 'group_call', scope, time_zone: 'America/Chicago', starts_at: '2027-03-02T18:00:00-06:00', ends_at: '2027-03-02T19:00:00-06:00' } });
      assert.equal(refused.statusCode, 400, scope);
      assert.ok(refused.json().error.fields.scope, scope);
    }
  });
});
