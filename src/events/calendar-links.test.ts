import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import ICAL from 'ical.js';
import { Agent, apiToken, bearer, buildGroup, buildTestApp, buildUser, type TestContext } from '../../test/helpers.js';

/** Calendars and feeds that subscribe themselves: head links, webcal and "add to" links, a series as one entry. */
let t: TestContext;
before(async () => {
  t = await buildTestApp({ baseUrl: 'https://convene.test' });
});

async function makeEvent(token: string, payload: Record<string, unknown>) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/events',
    headers: bearer(token),
    payload: { title: 'A practice call', kind: 'group_call', scope: 'community', start_time: '15:00', end_time: '16:00', time_zone: 'America/New_York', ...payload },
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as { id: number };
}

/** The `<link rel="alternate">` elements of a page's head. */
const alternates = (html: string) =>
  [...(html.split('</head>')[0] ?? '').matchAll(/<link rel="alternate" type="([^"]+)" title="([^"]*)" href="([^"]+)"/g)].map((m) => ({ type: m[1]!, title: m[2]!, href: m[3]! }));

describe('feeds that feed readers and calendar programs find', () => {
  test('pages with a feed name it in their head; each named feed answers; a private group names none', async () => {
    const lead = await buildUser(t.db);
    const open = await buildGroup(t.db, { leadId: lead.id });
    const closed = await buildGroup(t.db, { leadId: lead.id, visibility: 'private' });
    await t.db.insertInto('state_initiatives').values({ state_code: 'MD', name: 'Maryland', created_at: new Date(), updated_at: new Date() }).onConflict((oc) => oc.doNothing()).execute();
    const expect: [string, string[]][] = [
      ['/discussions', ['/discussions/feed.atom']],
      ['/resources', ['/resources/feed.atom']],
      ['/events', ['/events/calendar.ics']],
      [`/groups/${open.slug}`, [`/groups/${open.slug}/feed.atom`, `/groups/${open.slug}/calendar.ics`]],
      [`/groups/${open.slug}/threads`, [`/groups/${open.slug}/feed.atom`]],
      ['/states/md', ['/states/md/calendar.ics']],
    ];
    for (const [page, feeds] of expect) {
      const res = await t.app.inject({ url: page });
      assert.equal(res.statusCode, 200, page);
      const links = alternates(res.body);
      assert.deepEqual(links.map((l) => l.href), feeds, page);
      for (const l of links) {
        assert.ok(l.title.length > 0, `${page}: the feed has a title`);
        const feed = await t.app.inject({ url: l.href });
        assert.equal(feed.statusCode, 200, l.href);
        assert.ok(feed.headers['content-type']?.toString().startsWith(l.type), `${l.href} is ${l.type}`);
      }
    }
    const agent = await new Agent(t.app).signIn(lead.email);
    const priv = await agent.get(`/groups/${closed.slug}`);
    assert.equal(priv.statusCode, 200);
    assert.deepEqual(alternates(priv.body), [], 'a private group has no public feed to name');
  });

  test('calendar feeds offer a webcal:// subscription; one convening offers Google Calendar and Outlook', async () => {
    const events = await t.app.inject({ url: '/events' });
    assert.match(events.body, /href="webcal:\/\/convene\.test\/events\/calendar\.ics"/);
    const fac = await buildUser(t.db, { role: 'facilitator' });
    const token = await apiToken(t.app, fac.email);
    const ev = await makeEvent(token, { title: 'Family & school night', start_date: '2027-03-02', start_time: '18:00', end_time: '19:30', location: 'Room 4' });
    const page = await t.app.inject({ url: `/events/${ev.id}` });
    const links = [...page.body.matchAll(/href="(https:\/\/[^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
    const google = new URL(links.find((l) => l.startsWith('https://calendar.google.com/'))!);
    assert.equal(google.searchParams.get('action'), 'TEMPLATE');
    assert.equal(google.searchParams.get('text'), 'Family & school night');
    assert.equal(google.searchParams.get('dates'), '20270302T230000Z/20270303T003000Z');
    assert.equal(google.searchParams.get('ctz'), 'America/New_York');
    assert.equal(google.searchParams.get('location'), 'Room 4');
    assert.equal(google.searchParams.get('details'), `https://convene.test/events/${ev.id}`);
    for (const host of ['outlook.live.com', 'outlook.office.com']) {
      const outlook = new URL(links.find((l) => l.startsWith(`https://${host}/`))!);
      assert.equal(outlook.searchParams.get('rru'), 'addevent');
      assert.equal(outlook.searchParams.get('startdt'), '2027-03-02T23:00:00.000Z');
      assert.equal(outlook.searchParams.get('enddt'), '2027-03-03T00:30:00.000Z');
      assert.equal(outlook.searchParams.get('subject'), 'Family & school night');
    }
  });
});

describe('a series as one calendar entry', () => {
  test('RRULE with its time zone across the end of daylight saving time, a date moved on its own and one cancelled, read by an independent parser', async () => {
    const fac = await buildUser(t.db, { role: 'facilitator' });
    const token = await apiToken(t.app, fac.email);
    // Tuesdays at 18:00 New York time, from before the clocks go back (1 November 2026) to after.
    const first = await makeEvent(token, { title: 'Tuesday check-in', start_date: '2026-10-20', start_time: '18:00', end_time: '19:00', repeat: 'weekly', repeat_count: 5 });
    const occ = await t.db.selectFrom('events').select(['id', 'series_id']).where('title', '=', 'Tuesday check-in').orderBy('starts_at').execute();
    assert.equal(occ.length, 5);
    const moved = await t.app.inject({ method: 'PATCH', url: `/api/v1/events/${occ[3]!.id}`, headers: bearer(token), payload: { start_time: '19:30', end_time: '20:30', apply_to: 'this' } });
    assert.equal(moved.statusCode, 200, moved.body);
    const agent = await new Agent(t.app).signIn(fac.email);
    assert.equal((await agent.post(`/events/${occ[1]!.id}/cancel`, { apply_to: 'this' })).statusCode, 303);

    const page = await t.app.inject({ url: `/events/${first.id}` });
    assert.match(page.body, new RegExp(`href="/events/series/${occ[0]!.series_id}/series.ics"`));
    const res = await t.app.inject({ url: `/events/series/${occ[0]!.series_id}/series.ics` });
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /^text\/calendar/);
    assert.ok(res.body.split('\r\n').every((l) => Buffer.byteLength(l) <= 75), 'lines are folded at 75 octets');

    const cal = new ICAL.Component(ICAL.parse(res.body));
    for (const tz of cal.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(tz);
    const vevents = cal.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    const master = vevents.find((e) => e.isRecurring())!;
    assert.ok(master, 'one entry carries the rule');
    assert.equal(master.startDate.zone?.tzid, 'America/New_York');
    for (const ex of vevents.filter((e) => e.isRecurrenceException())) master.relateException(ex);
    const seen: { start: string; status: string }[] = [];
    const it = master.iterator();
    for (let next = it.next(); next; next = it.next()) {
      const d = master.getOccurrenceDetails(next);
      seen.push({ start: d.startDate.toJSDate().toISOString(), status: String(d.item.component.getFirstPropertyValue('status') ?? '') });
    }
    assert.deepEqual(seen, [
      { start: '2026-10-20T22:00:00.000Z', status: 'CONFIRMED' },
      { start: '2026-10-27T22:00:00.000Z', status: 'CANCELLED' },
      // After the change to standard time, 18:00 local is 23:00 UTC.
      { start: '2026-11-03T23:00:00.000Z', status: 'CONFIRMED' },
      // Moved on its own to 19:30 local.
      { start: '2026-11-11T00:30:00.000Z', status: 'CONFIRMED' },
      { start: '2026-11-17T23:00:00.000Z', status: 'CONFIRMED' },
    ]);
  });

  test("a private group's series is not found by anyone outside it", async () => {
    const lead = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: lead.id, visibility: 'private' });
    const token = await apiToken(t.app, lead.email);
    await makeEvent(token, { title: 'Private huddle', scope: `group:${g.id}`, start_date: '2027-01-05', repeat: 'weekly', repeat_count: 3 });
    const row = await t.db.selectFrom('events').select('series_id').where('title', '=', 'Private huddle').executeTakeFirstOrThrow();
    const url = `/events/series/${row.series_id}/series.ics`;
    assert.equal((await t.app.inject({ url })).statusCode, 404);
    const outsider = await new Agent(t.app).signIn((await buildUser(t.db)).email);
    assert.equal((await outsider.get(url)).statusCode, 404);
    const member = await new Agent(t.app).signIn(lead.email);
    const ok = await member.get(url);
    assert.equal(ok.statusCode, 200);
    assert.match(ok.body, /SUMMARY:Private huddle/);
    assert.equal((await t.app.inject({ url: '/events/series/999999/series.ics' })).statusCode, 404);
  });
});
