import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import ICAL from 'ical.js';
import type { ParsedMail } from 'mailparser';
import { Agent, apiToken, bearer, buildGroup, buildTestApp, buildUser, textOf, type TestContext, startSmtpCapture } from '../../test/helpers.js';
import { createMailer } from '../platform/mail/mailer.js';
import { loadActor } from '../platform/auth/actor.js';
import { translator } from '../platform/i18n/i18n.js';
import { register } from './commands.js';
import { eventReminder, sendEventMail } from './jobs.js';
import { describeRule, expandRule, normalizeRule, presetRule, zonedToUtc } from './time.js';

let t: TestContext;
before(async () => {
  t = await buildTestApp();
});

/** A date some days from now, as YYYY-MM-DD. */
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

async function makeEvent(token: string, payload: Record<string, unknown>) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/events',
    headers: bearer(token),
    payload: { title: 'A practice call', kind: 'group_call', scope: 'community', start_date: inDays(10), start_time: '15:00', end_time: '16:00', time_zone: 'America/New_York', ...payload },
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as { id: number; uid: string; online_url?: string | null };
}

const parseIcs = (text: string) => {
  const comp = new ICAL.Component(ICAL.parse(text));
  return comp.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
};

describe('time zones and recurrence', () => {
  test('a weekly rule keeps its local time across the end of daylight saving time', () => {
    const occ = expandRule(presetRule('weekly', '2026-10-20T10:00', { count: 4 }), '2026-10-20T10:00', 'America/New_York', 60);
    assert.deepEqual(
      occ.map((o) => o.startsAt.toISOString()),
      ['2026-10-20T14:00:00.000Z', '2026-10-27T14:00:00.000Z', '2026-11-03T15:00:00.000Z', '2026-11-10T15:00:00.000Z'],
    );
    assert.ok(occ.every((o) => o.endsAt.getTime() - o.startsAt.getTime() === 3_600_000));
  });

  test('"every second Tuesday, bi-monthly" across the start of daylight saving time, in Chicago', () => {
    const rule = presetRule('bimonthly', '2026-12-08T15:00', { count: 4 });
    assert.equal(rule, 'FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU;COUNT=4');
    const occ = expandRule(rule, '2026-12-08T15:00', 'America/Chicago', 60);
    assert.deepEqual(
      occ.map((o) => o.startsAt.toISOString()),
      ['2026-12-08T21:00:00.000Z', '2027-02-09T21:00:00.000Z', '2027-04-13T20:00:00.000Z', '2027-06-08T20:00:00.000Z'],
    );
    assert.equal(describeRule(rule, translator('en'), 'en'), 'Every 2 months on the second Tuesday, 4 times');
    assert.equal(describeRule(rule, translator('es'), 'es'), 'Cada 2 meses el segundo martes, 4 veces');
  });

  test('rules from people are checked; a time in the spring-forward gap moves forward; bad dates are refused', () => {
    assert.equal(normalizeRule('rrule:freq=weekly;byday=tu'), 'FREQ=WEEKLY;BYDAY=TU');
    assert.equal(normalizeRule('FREQ=SECONDLY'), undefined);
    assert.equal(normalizeRule('FREQ=WEEKLY;DTSTART=20260101T000000Z'), undefined);
    assert.equal(normalizeRule('<script>'), undefined);
    assert.equal(zonedToUtc('2027-03-14T02:30', 'America/New_York')?.toISOString(), '2027-03-14T07:30:00.000Z');
    assert.equal(zonedToUtc('2027-02-30T10:00', 'America/New_York'), undefined);
    assert.equal(zonedToUtc('2027-01-01T10:00', 'Mars/Olympus'), undefined);
    // An endless rule stops at 52 dates.
    assert.equal(expandRule('FREQ=DAILY', '2027-01-01T09:00', 'UTC', 30).length, 52);
  });
});

describe('convenings', () => {
  test('organizers plan a recurring series through the form; bad input gets field messages; others may not plan', async () => {
    const fac = await buildUser(t.db, { role: 'facilitator' });
    const agent = await new Agent(t.app).signIn(fac.email);
    const form = await agent.get('/events/new');
    assert.equal(form.statusCode, 200);
    const bad = await agent.post('/events', { title: '', kind: 'group_call', scope: 'community', start_date: '2027-01-12', start_time: '15:00', end_time: '14:00', time_zone: 'America/New_York' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /usa-error-message/);
    const backwards = await agent.post('/events', { title: 'Backwards', kind: 'group_call', scope: 'community', start_date: '2027-01-12', start_time: '15:00', end_time: '14:00', time_zone: 'America/New_York' });
    assert.equal(backwards.statusCode, 400);
    assert.match(textOf(backwards.body), /The end must be after the start/);
    const badRule = await agent.post('/events', { title: 'Odd', kind: 'group_call', scope: 'community', start_date: '2027-01-12', start_time: '15:00', end_time: '16:00', time_zone: 'America/New_York', repeat: 'custom', rrule: 'FREQ=HOURLY' });
    assert.equal(badRule.statusCode, 400);
    assert.match(textOf(badRule.body), /not a repeat rule we can use/);
    const before = Number((await t.db.selectFrom('events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const ok = await agent.post('/events', {
      title: 'Bi-monthly family partnership call',
      kind: 'group_call',
      scope: 'community',
      start_date: '2027-01-12',
      start_time: '15:00',
      end_time: '16:00',
      time_zone: 'America/New_York',
      repeat: 'bimonthly',
      repeat_count: '3',
      capacity: '',
      _idem: 'event-form-key-1',
    });
    assert.equal(ok.statusCode, 303, ok.body);
    // A double submit creates nothing more.
    const again = await agent.post('/events', { title: 'Bi-monthly family partnership call', kind: 'group_call', scope: 'community', start_date: '2027-01-12', start_time: '15:00', end_time: '16:00', time_zone: 'America/New_York', repeat: 'bimonthly', repeat_count: '3', _idem: 'event-form-key-1' });
    assert.equal(again.statusCode, 303);
    const rows = await t.db.selectFrom('events').select(['id', 'starts_at', 'series_id']).where('title', '=', 'Bi-monthly family partnership call').orderBy('starts_at').execute();
    assert.equal(Number((await t.db.selectFrom('events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n), before + 3);
    assert.deepEqual(rows.map((r) => r.starts_at.toISOString()), ['2027-01-12T20:00:00.000Z', '2027-03-09T20:00:00.000Z', '2027-05-11T19:00:00.000Z']);
    const page = textOf((await agent.get(`/events/${rows[0]!.id}`)).body);
    assert.match(page, /Every 2 months on the second Tuesday, 3 times/);
    assert.match(page, /Tuesday, January 12, 2027, 3:00 – 4:00 PM EST/);

    // A member who leads nothing may not plan; an anonymous visitor is sent to sign in.
    const member = await new Agent(t.app).signIn((await buildUser(t.db)).email);
    assert.equal((await member.get('/events/new')).statusCode, 403);
    assert.equal((await member.post('/events', { title: 'x', kind: 'other', scope: 'community', start_date: '2027-01-12', start_time: '15:00', end_time: '16:00', time_zone: 'UTC' })).statusCode, 403);
    assert.equal((await t.app.inject('/events/new')).statusCode, 303);
    // A lead may plan in their own group but not for the community.
    const lead = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: lead.id });
    const token = await apiToken(t.app, lead.email);
    const own = await t.app.inject({ method: 'POST', url: '/api/v1/events', headers: bearer(token), payload: { title: 'Group call', kind: 'group_call', scope: `group:${g.id}`, start_date: inDays(5), start_time: '12:00', end_time: '13:00', time_zone: 'America/Denver' } });
    assert.equal(own.statusCode, 201, own.body);
    const wide = await t.app.inject({ method: 'POST', url: '/api/v1/events', headers: bearer(token), payload: { title: 'Everyone', kind: 'webinar', scope: 'community', start_date: inDays(5), start_time: '12:00', end_time: '13:00', time_zone: 'America/Denver' } });
    assert.equal(wide.statusCode, 400);
    assert.ok(wide.json().error.fields.scope);
  });

  test('changing one date or all later dates of a series; time zones shown per viewer', async () => {
    const fac = await buildUser(t.db, { role: 'facilitator' });
    const token = await apiToken(t.app, fac.email);
    const first = await makeEvent(token, { title: 'Weekly huddle', start_date: '2027-02-02', start_time: '10:00', end_time: '11:00', repeat: 'weekly', repeat_count: 4, time_zone: 'America/New_York' });
    const all = await t.db.selectFrom('events').select(['id', 'starts_at']).where('title', '=', 'Weekly huddle').orderBy('starts_at').execute();
    assert.equal(all.length, 4);
    // Only the second date moves.
    const one = await t.app.inject({ method: 'PATCH', url: `/api/v1/events/${all[1]!.id}`, headers: bearer(token), payload: { start_time: '13:00', end_time: '14:00', apply_to: 'this' } });
    assert.equal(one.statusCode, 200, one.body);
    // Then all dates move to 9:00, except the one changed on its own.
    const every = await t.app.inject({ method: 'PATCH', url: `/api/v1/events/${first.id}`, headers: bearer(token), payload: { start_time: '09:00', end_time: '10:30', apply_to: 'all', title: 'Weekly huddle (new time)' } });
    assert.equal(every.statusCode, 200, every.body);
    const after = await t.db.selectFrom('events').select(['id', 'starts_at', 'ends_at', 'title', 'detached']).where('series_id', 'is not', null).where('id', 'in', all.map((a) => a.id)).orderBy('id').execute();
    assert.deepEqual(
      after.map((e) => [e.starts_at.toISOString(), e.title]),
      [
        ['2027-02-02T14:00:00.000Z', 'Weekly huddle (new time)'],
        ['2027-02-09T18:00:00.000Z', 'Weekly huddle'],
        ['2027-02-16T14:00:00.000Z', 'Weekly huddle (new time)'],
        ['2027-02-23T14:00:00.000Z', 'Weekly huddle (new time)'],
      ],
    );
    assert.equal(after[2]!.ends_at.getTime() - after[2]!.starts_at.getTime(), 90 * 60_000);
    // A viewer in Los Angeles sees Pacific time; the organizer's time is shown beside it.
    const viewer = await buildUser(t.db);
    await t.db.updateTable('users').set({ time_zone: 'America/Los_Angeles' }).where('id', '=', viewer.id).execute();
    const agent = await new Agent(t.app).signIn(viewer.email);
    const page = textOf((await agent.get(`/events/${first.id}`)).body);
    assert.match(page, /6:00 – 7:30 AM PST/);
    assert.match(page, /Planned as .*9:00 – 10:30 AM EST/);
    // Anonymous visitors get their browser's zone from the cookie our script sets.
    const anon = textOf((await t.app.inject({ url: `/events/${first.id}`, headers: { cookie: 'convene_tz=Europe%2FMadrid' } })).body);
    assert.match(anon, /3:00 – 4:30 PM GMT\+1/);
    // Settings: choose a zone; a made-up zone is refused with a message.
    assert.equal((await agent.post('/settings/calendar', { time_zone: 'Nowhere/Land' })).statusCode, 400);
    assert.equal((await agent.post('/settings/calendar', { time_zone: 'America/Chicago' })).statusCode, 303);
    assert.match(textOf((await agent.get(`/events/${first.id}`)).body), /8:00 – 9:30 AM CST/);
  });

  test('registration: seats, waitlist promoted automatically, accommodation requests and online links only for the right people', async () => {
    const fac = await buildUser(t.db, { role: 'facilitator' });
    const token = await apiToken(t.app, fac.email);
    const ev = await makeEvent(token, { title: 'Small training', kind: 'training', capacity: 2, online_url: 'https://meet.example.org/secret-room', location: '' });
    const people = await Promise.all([1, 2, 3].map((i) => buildUser(t.db, { name: `Trainee ${i}` })));
    const agents = await Promise.all(people.map((p) => new Agent(t.app).signIn(p.email)));
    assert.equal((await agents[0]!.post(`/events/${ev.id}/register`, { response: 'going', accommodations: ['captioning', 'interpretation'], interpretation_language: '' })).statusCode, 400, 'interpretation needs a language');
    assert.equal((await agents[0]!.post(`/events/${ev.id}/register`, { response: 'going', accommodations: ['captioning', 'interpretation'], interpretation_language: 'Spanish' })).statusCode, 303);
    assert.equal((await agents[1]!.post(`/events/${ev.id}/register`, { response: 'going' })).statusCode, 303);
    assert.equal((await agents[2]!.post(`/events/${ev.id}/register`, { response: 'going' })).statusCode, 303);
    assert.equal((await agents[2]!.post(`/events/${ev.id}/register`, { response: 'perhaps' })).statusCode, 400);
    const status = async (userId: number) => (await t.db.selectFrom('event_registrations').select('status').where('event_id', '=', ev.id).where('user_id', '=', userId).executeTakeFirstOrThrow()).status;
    assert.deepEqual([await status(people[0]!.id), await status(people[1]!.id), await status(people[2]!.id)], ['confirmed', 'confirmed', 'waitlisted']);
    assert.match(textOf((await agents[2]!.get(`/events/${ev.id}`)).body), /You are on the waitlist/);

    // The link: shown to people with a seat, never to the waitlist, other members, visitors, or in public feeds.
    assert.match((await agents[0]!.get(`/events/${ev.id}`)).body, /secret-room/);
    assert.doesNotMatch((await agents[2]!.get(`/events/${ev.id}`)).body, /secret-room/);
    assert.doesNotMatch((await t.app.inject(`/events/${ev.id}`)).body, /secret-room/);
    assert.doesNotMatch((await t.app.inject(`/api/v1/events/${ev.id}`)).body, /secret-room/);
    assert.doesNotMatch((await t.app.inject(`/events/${ev.id}/event.ics`)).body, /secret-room/);
    assert.doesNotMatch((await t.app.inject('/events/calendar.ics')).body, /secret-room/);
    assert.match((await agents[0]!.get(`/events/${ev.id}/event.ics`)).body, /secret-room/);
    assert.equal((await t.app.inject({ url: `/api/v1/events/${ev.id}`, headers: bearer(await apiToken(t.app, people[1]!.email)) })).json().online_url, 'https://meet.example.org/secret-room');

    // Accommodation requests: organizers only (page, API, CSV), and each read is audited.
    const org = await new Agent(t.app).signIn(fac.email);
    const view = textOf((await org.get(`/events/${ev.id}/organize`)).body);
    assert.match(view, /Trainee 1\s+Live captioning, Spoken-language interpretation\s+Spanish/);
    assert.equal((await agents[1]!.get(`/events/${ev.id}/organize`)).statusCode, 403);
    assert.equal((await t.app.inject({ url: `/api/v1/events/${ev.id}/registrations`, headers: bearer(await apiToken(t.app, people[1]!.email)) })).statusCode, 403);
    const api = await t.app.inject({ url: `/api/v1/events/${ev.id}/registrations`, headers: bearer(token) });
    assert.equal(api.statusCode, 200);
    assert.deepEqual(api.json().registrations.find((r: { user_id: number }) => r.user_id === people[0]!.id).accommodations, ['captioning', 'interpretation']);
    const csv = await org.get(`/events/${ev.id}/registrations.csv`);
    assert.equal(csv.statusCode, 200);
    assert.match(csv.body, /Trainee 1,.*captioning interpretation,Spanish/);
    assert.equal((await agents[0]!.get(`/events/${ev.id}/registrations.csv`)).statusCode, 403);
    const audits = await t.db.selectFrom('audit_log').select('action').where('subject_type', '=', 'event').where('subject_id', '=', String(ev.id)).execute();
    assert.ok(audits.filter((a) => a.action === 'event.read_registrations').length >= 2);
    assert.ok(audits.some((a) => a.action === 'event.export_registrations'));
    assert.doesNotMatch((await agents[1]!.get(`/events/${ev.id}`)).body, /Spanish|Trainee 1/);

    // Giving up a seat promotes the waitlist, and the promoted person is told (with the event attached).
    t.mailer.sent.length = 0;
    assert.equal((await agents[1]!.post(`/events/${ev.id}/register`, { response: 'not_going' })).statusCode, 303);
    assert.equal(await status(people[2]!.id), 'confirmed');
    await t.jobs.drain();
    const promoted = t.mailer.lastTo(people[2]!.email);
    assert.ok(promoted);
    assert.match(promoted.subject, /A seat opened for you: Small training/);
    assert.match(promoted.text, /secret-room/);
    const ics = parseIcs(promoted.attachments![0]!.content);
    assert.equal(ics[0]!.uid, ev.uid);
    const counts = await t.db.selectFrom('events').select(['going_count', 'waitlist_count']).where('id', '=', ev.id).executeTakeFirstOrThrow();
    assert.deepEqual(counts, { going_count: 2, waitlist_count: 0 });
  });

  test('capacity holds under concurrent sign-ups: 40 people at once for the last 10 seats', async () => {
    const fac = await buildUser(t.db, { role: 'facilitator' });
    const ev = await makeEvent(await apiToken(t.app, fac.email), { title: 'Popular webinar', kind: 'webinar', capacity: 12 });
    const early = await Promise.all([1, 2].map(() => buildUser(t.db)));
    for (const p of early) await register(t.db, t.jobs, await loadActor(t.db, p.id, 'session'), ev.id, { response: 'going' });
    const crowd = await Promise.all(Array.from({ length: 40 }, () => buildUser(t.db)));
    const actors = await Promise.all(crowd.map((p) => loadActor(t.db, p.id, 'session')));
    const results = await Promise.all(actors.map((a) => register(t.db, t.jobs, a, ev.id, { response: 'going' })));
    assert.equal(results.filter((r) => r.status === 'confirmed').length, 10);
    assert.equal(results.filter((r) => r.status === 'waitlisted').length, 30);
    const row = await t.db.selectFrom('events').select(['going_count', 'waitlist_count']).where('id', '=', ev.id).executeTakeFirstOrThrow();
    assert.deepEqual(row, { going_count: 12, waitlist_count: 30 });
  });

  test('registration closes after the deadline, on cancellation, and after the event; unverified people may not register', async () => {
    const fac = await buildUser(t.db, { role: 'facilitator' });
    const token = await apiToken(t.app, fac.email);
    const ev = await makeEvent(token, { title: 'Deadline passed', start_date: inDays(3), deadline_date: inDays(1) });
    await t.db.updateTable('events').set({ registration_deadline: new Date(Date.now() - 60_000) }).where('id', '=', ev.id).execute();
    const p = await buildUser(t.db);
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/events/${ev.id}/registrations`, headers: bearer(await apiToken(t.app, p.email)), payload: { response: 'going' } });
    assert.equal(res.statusCode, 409);
    const unverified = await buildUser(t.db, { verified: false });
    const ev2 = await makeEvent(token, { title: 'Open' });
    assert.equal((await t.app.inject({ method: 'POST', url: `/api/v1/events/${ev2.id}/registrations`, headers: bearer(await apiToken(t.app, unverified.email)), payload: { response: 'going' } })).statusCode, 403);
    assert.equal((await t.app.inject({ method: 'POST', url: `/api/v1/events/${ev2.id}/registrations`, payload: { response: 'going' } })).statusCode, 401);
    // Cancelling tells everyone registered, with a cancelled calendar entry.
    const goer = await buildUser(t.db);
    await t.app.inject({ method: 'POST', url: `/api/v1/events/${ev2.id}/registrations`, headers: bearer(await apiToken(t.app, goer.email)), payload: { response: 'going' } });
    const org = await new Agent(t.app).signIn(fac.email);
    assert.equal((await new Agent(t.app).signIn(goer.email).then((a) => a.post(`/events/${ev2.id}/cancel`, { apply_to: 'this' }))).statusCode, 403);
    assert.equal((await org.post(`/events/${ev2.id}/cancel`, { apply_to: 'this' })).statusCode, 303);
    await t.jobs.drain();
    const mail = t.mailer.lastTo(goer.email)!;
    assert.match(mail.subject, /Cancelled: Open/);
    assert.equal(parseIcs(mail.attachments![0]!.content)[0]!.component.getFirstPropertyValue('status'), 'CANCELLED');
    assert.equal((await t.app.inject({ method: 'POST', url: `/api/v1/events/${ev2.id}/registrations`, headers: bearer(await apiToken(t.app, goer.email)), payload: { response: 'going' } })).statusCode, 409);
  });

  test('a change of time tells people, raises the calendar SEQUENCE, and moves the reminders; reminders go once', async () => {
    const fac = await buildUser(t.db, { role: 'facilitator' });
    const token = await apiToken(t.app, fac.email);
    const ev = await makeEvent(token, { title: 'Moving call', start_date: inDays(4) });
    const p = await buildUser(t.db);
    const maybe = await buildUser(t.db);
    await t.app.inject({ method: 'POST', url: `/api/v1/events/${ev.id}/registrations`, headers: bearer(await apiToken(t.app, p.email)), payload: { response: 'going' } });
    await t.app.inject({ method: 'POST', url: `/api/v1/events/${ev.id}/registrations`, headers: bearer(await apiToken(t.app, maybe.email)), payload: { response: 'maybe' } });
    const jobsFor = async () =>
      (await t.db.selectFrom('pgboss.job' as never).select(['name', 'data', 'start_after'] as never).where('name' as never, '=', 'event-reminder' as never).execute()) as unknown as { data: { eventId: number; startsAt: string; kind: string }; start_after: Date }[];
    const reminders = (await jobsFor()).filter((j) => j.data.eventId === ev.id);
    assert.equal(reminders.length, 2);
    const row = await t.db.selectFrom('events').select(['starts_at', 'sequence']).where('id', '=', ev.id).executeTakeFirstOrThrow();
    assert.ok(reminders.some((j) => j.data.kind === 'day' && Math.abs(new Date(j.start_after).getTime() - (row.starts_at.getTime() - 86_400_000)) < 1000));
    t.mailer.sent.length = 0;
    const moved = await t.app.inject({ method: 'PATCH', url: `/api/v1/events/${ev.id}`, headers: bearer(token), payload: { start_time: '17:00', end_time: '18:00', location: 'Capitol annex, room 4' } });
    assert.equal(moved.statusCode, 200);
    const after = await t.db.selectFrom('events').select(['starts_at', 'sequence']).where('id', '=', ev.id).executeTakeFirstOrThrow();
    assert.equal(after.sequence, row.sequence + 1);
    assert.equal((await jobsFor()).filter((j) => j.data.eventId === ev.id).length, 4, 'new reminders for the new time');
    await t.jobs.drain();
    const changed = t.mailer.sent.find((m) => m.to === p.email && m.subject.startsWith('Changed'))!;
    assert.ok(changed, 'the change was mailed');
    assert.match(changed.subject, /Changed: Moving call/);
    assert.match(changed.text, /Capitol annex, room 4/);
    assert.equal(parseIcs(changed.attachments![0]!.content)[0]!.sequence, after.sequence);
    assert.ok(t.mailer.sent.some((m) => m.to === maybe.email && m.subject.startsWith('Changed')), 'maybe-goers hear about changes too');
    // The reminder for the old time does nothing; the one for the new time goes once, even if run twice.
    const deps = { db: t.db, jobs: t.jobs, mailer: t.mailer, config: t.config };
    assert.equal(await eventReminder(deps, { eventId: ev.id, kind: 'day', startsAt: row.starts_at.toISOString() }), 0);
    assert.equal(await eventReminder(deps, { eventId: ev.id, kind: 'day', startsAt: after.starts_at.toISOString() }), 2);
    await t.jobs.drain();
    const stamp = after.starts_at.toISOString();
    assert.equal(await sendEventMail(deps, { eventId: ev.id, userId: p.id, kind: 'reminder_day', stamp }), 'skipped');
    assert.equal(t.mailer.sent.filter((m) => m.to === p.email && /Tomorrow: Moving call/.test(m.subject)).length, 1);
  });

  test('private groups’ events are invisible to outsiders everywhere: lists, pages, API, feeds', async () => {
    const lead = await buildUser(t.db);
    const insider = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: lead.id, memberIds: [insider.id], visibility: 'private' });
    const token = await apiToken(t.app, lead.email);
    const ev = await makeEvent(token, { title: 'Closed-door planning call', scope: `group:${g.id}` });
    const outsider = await buildUser(t.db);
    const out = await new Agent(t.app).signIn(outsider.email);
    const outToken = await apiToken(t.app, outsider.email);
    assert.equal((await out.get(`/events/${ev.id}`)).statusCode, 404);
    assert.equal((await t.app.inject(`/events/${ev.id}`)).statusCode, 404);
    assert.equal((await t.app.inject(`/events/${ev.id}/event.ics`)).statusCode, 404);
    assert.equal((await t.app.inject({ url: `/api/v1/events/${ev.id}`, headers: bearer(outToken) })).statusCode, 404);
    assert.equal((await t.app.inject({ method: 'POST', url: `/api/v1/events/${ev.id}/registrations`, headers: bearer(outToken), payload: { response: 'going' } })).statusCode, 404);
    assert.doesNotMatch((await out.get('/events')).body, /Closed-door/);
    assert.doesNotMatch((await t.app.inject({ url: '/api/v1/events', headers: bearer(outToken) })).body, /Closed-door/);
    assert.doesNotMatch((await t.app.inject('/events/calendar.ics')).body, /Closed-door/);
    assert.equal((await t.app.inject(`/groups/${g.slug}/calendar.ics`)).statusCode, 404);
    assert.doesNotMatch((await out.get(`/events?view=month&month=${inDays(10).slice(0, 7)}`)).body, /Closed-door/);
    // Members see and register; their private feed carries it, and stops when they leave the group.
    const ins = await new Agent(t.app).signIn(insider.email);
    assert.match((await ins.get('/events')).body, /Closed-door planning call/);
    assert.match(textOf((await ins.get(`/groups/${g.slug}`)).body), /Upcoming convenings\s+Closed-door planning call/);
    assert.equal((await ins.post(`/events/${ev.id}/register`, { response: 'going' })).statusCode, 303);
    assert.equal((await ins.post('/settings/calendar/feed')).statusCode, 303);
    const settings = (await ins.get('/settings/calendar')).body;
    const feed = /value="http:\/\/convene\.test(\/calendar\/[^"]+\.ics)"/.exec(settings)![1]!;
    const mine = await t.app.inject(feed);
    assert.equal(mine.statusCode, 200);
    assert.equal(parseIcs(mine.body).map((e) => e.summary).join(), 'Closed-door planning call');
    await t.db.deleteFrom('group_memberships').where('group_id', '=', g.id).where('user_id', '=', insider.id).execute();
    assert.equal(parseIcs((await t.app.inject(feed)).body).length, 0);
    // A wrong or revoked token finds nothing.
    assert.equal((await t.app.inject(feed.replace(/.{4}\.ics$/, 'AAAA.ics'))).statusCode, 404);
    assert.equal((await ins.post('/settings/calendar/feed/revoke')).statusCode, 303);
    assert.equal((await t.app.inject(feed)).statusCode, 404);
  });

  test('feeds validate as iCalendar: community, group and state feeds list public events with stable UIDs', async () => {
    const fac = await buildUser(t.db, { role: 'facilitator' });
    const token = await apiToken(t.app, fac.email);
    const g = await buildGroup(t.db, { leadId: fac.id });
    const a = await makeEvent(token, { title: 'Public group call', scope: `group:${g.id}`, description: 'Line one\nLine two, with a comma; and a semicolon' });
    const feed = await t.app.inject(`/groups/${g.slug}/calendar.ics`);
    assert.equal(feed.statusCode, 200);
    assert.match(String(feed.headers['content-type']), /^text\/calendar/);
    assert.match(feed.body, /^BEGIN:VCALENDAR\r\nVERSION:2\.0\r\n/);
    assert.ok(feed.body.split('\r\n').every((l) => Buffer.byteLength(l) <= 75), 'lines are folded at 75 octets');
    const events = parseIcs(feed.body);
    assert.equal(events.length, 1);
    assert.equal(events[0]!.uid, a.uid);
    assert.equal(events[0]!.description.split('\n')[1], 'Line two, with a comma; and a semicolon');
    assert.equal(events[0]!.endDate.toJSDate().getTime() - events[0]!.startDate.toJSDate().getTime(), 3_600_000);
    assert.match((await t.app.inject('/events/calendar.ics')).body, /Public group call/);
    assert.doesNotMatch((await t.app.inject('/events?scope=community')).body, /Public group call/);
    assert.match((await t.app.inject(`/events?scope=group:${g.slug}`)).body, /Public group call/);
    assert.equal((await t.app.inject('/events?scope=nowhere')).statusCode, 400);
    assert.equal((await t.app.inject('/states/ZZ/calendar.ics')).statusCode, 404);
  });

  test('after the event: attendance by perspective and state, notes and recordings; attendance joins the reach ledger and engagement', async () => {
    const fac = await buildUser(t.db, { role: 'facilitator' });
    const token = await apiToken(t.app, fac.email);
    const ev = await makeEvent(token, { title: 'Attended session', start_date: inDays(2) });
    const fam = await buildUser(t.db, { perspectives: ['family'], state_code: 'OH' });
    const edu = await buildUser(t.db, { perspectives: ['educator'], state_code: 'MD' });
    for (const p of [fam, edu]) await t.app.inject({ method: 'POST', url: `/api/v1/events/${ev.id}/registrations`, headers: bearer(await apiToken(t.app, p.email)), payload: { response: 'going' } });
    // The event happened (moved to the past for the test).
    await t.db.updateTable('events').set({ starts_at: new Date(Date.now() - 3 * 3_600_000), ends_at: new Date(Date.now() - 2 * 3_600_000) }).where('id', '=', ev.id).execute();
    const org = await new Agent(t.app).signIn(fac.email);
    assert.equal((await new Agent(t.app).signIn(fam.email).then((a) => a.post(`/events/${ev.id}/attendance`, { attended: String(fam.id) }))).statusCode, 403);
    const saved = await org.post(`/events/${ev.id}/attendance`, { attended: [String(fam.id), String(edu.id)], notes: 'We agreed on three next steps.' });
    assert.equal(saved.statusCode, 303);
    const view = textOf((await org.get(`/events/${ev.id}/organize`)).body);
    assert.match(view, /Family member\s+1/);
    assert.match(view, /Ohio\s+1/);
    assert.match(textOf((await t.app.inject(`/events/${ev.id}`)).body), /We agreed on three next steps\./);
    const ledger = await t.db.selectFrom('reach_ledger').selectAll().where('source', '=', 'event_attendance').where('entry_id', '=', ev.id).executeTakeFirstOrThrow();
    assert.equal(Number(ledger.people), 2);
    const { rollupEngagement } = await import('../analytics/engagement.js');
    await rollupEngagement(t.db);
    const eng = await t.db.selectFrom('engagement_daily').select(['user_id', 'attended']).where('user_id', 'in', [fam.id, edu.id]).execute();
    assert.equal(eng.filter((e) => e.attended === 1).length, 2);
    // A recording filed from the library, only one the organizer can see.
    assert.equal((await org.post(`/events/${ev.id}/materials`, { resource: 'no-such-resource', role: 'recording' })).statusCode, 400);
  });
});

describe('event email through a real SMTP server', () => {
  let received: ParsedMail[] = [];
  let port = 0;
  before(async () => {
    ({ port, received } = await startSmtpCapture());
  });

  test('a confirmation arrives with text and HTML parts, in the reader’s language and time zone, and an .ics that imports', async () => {
    const mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${port}`, dataDir: t.config.dataDir, from: 'Convene <no-reply@convene.test>' });
    const fac = await buildUser(t.db, { role: 'facilitator' });
    const ev = await makeEvent(await apiToken(t.app, fac.email), { title: 'Encuentro estatal', start_date: '2027-03-02', start_time: '10:00', end_time: '12:00', online_url: 'https://meet.example.org/estatal' });
    const p = await buildUser(t.db);
    await t.db.updateTable('users').set({ locale: 'es', time_zone: 'America/Puerto_Rico' }).where('id', '=', p.id).execute();
    await t.app.inject({ method: 'POST', url: `/api/v1/events/${ev.id}/registrations`, headers: bearer(await apiToken(t.app, p.email)), payload: { response: 'going', accommodations: ['sign_language'] } });
    const r = await sendEventMail({ db: t.db, jobs: t.jobs, mailer, config: t.config }, { eventId: ev.id, userId: p.id, kind: 'registered', stamp: 'smtp' });
    mailer.close();
    assert.equal(r, 'sent');
    const mail = received.find((m) => (m.to as { text: string }).text.includes(p.email))!;
    assert.ok(mail);
    assert.match(mail.subject!, /Está inscrito: Encuentro estatal/);
    assert.match(mail.text!, /martes, 2 de marzo de 2027/);
    assert.match(mail.text!, /11:00/, 'shown in Puerto Rico time (10:00 Eastern is 11:00 there)');
    assert.match(mail.text!, /Interpretación en lengua de señas/);
    assert.ok(mail.html && mail.html.includes('lang="es"'));
    const att = mail.attachments.find((a) => a.contentType.startsWith('text/calendar'))!;
    assert.ok(att);
    const [vevent] = parseIcs(att.content.toString('utf8'));
    assert.equal(vevent!.uid, ev.uid);
    assert.equal(vevent!.startDate.toJSDate().toISOString(), '2027-03-02T15:00:00.000Z');
    assert.match(vevent!.description, /meet\.example\.org\/estatal/);
  });
});
