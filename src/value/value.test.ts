import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Agent, apiToken, bearer, buildGroup, buildOrganization, buildTestApp, buildUser, textOf, type TestContext } from '../../test/helpers.js';
import { QUEUES } from '../platform/jobs/jobs.js';
import { followupStopToken } from './followups.js';
import { parseLinks } from './stories.js';

let t: TestContext;
before(async () => {
  t = await buildTestApp();
  await t.db.insertInto('community').values({ id: 1, name: 'Test community', reach_goal: 1000 }).onConflict((oc) => oc.column('id').doNothing()).execute();
});

const inDays = (n: number) => new Date(Date.now() + n * 86_400_000);

/** A resource and a partner's tracked link to it (following the link signed in is what makes a question due). */
async function publicResource(createdBy: number, over: { visibility?: 'public' | 'members' | 'group'; group_id?: number | null } = {}) {
  const slug = `r-${randomUUID().slice(0, 8)}`;
  const r = await t.db.insertInto('resources').values({ slug, title: `Guide ${slug}`, kind: 'guide', visibility: over.visibility ?? 'public', group_id: over.group_id ?? null, created_by: createdBy }).returning('id').executeTakeFirstOrThrow();
  const org = await buildOrganization(t.db);
  const link = await t.db.insertInto('share_links').values({ resource_id: r.id, code: slug.slice(2, 10), channel: 'newsletter', organization_id: org.id, created_by: createdBy }).returning('code').executeTakeFirstOrThrow();
  return { id: r.id, slug, code: link.code };
}

/** Runs the hourly sweep through the job queue, as the schedule would. */
async function sweepNow() {
  await t.jobs.send(t.db, QUEUES.followupSweep, {});
  const r = await t.jobs.drain();
  assert.equal(r.failed, 0, r.errors.map((e) => e.message).join('; '));
}

describe('asking about actual use', () => {
  test('a signed-in tracked-link visit is asked about once, after the delay, in the app and by email; the answer files a use report', async () => {
    const fac = await buildUser(t.db, { role: 'facilitator' });
    const member = await buildUser(t.db, { name: 'Uma User', perspectives: ['educator'], state_code: 'OR' });
    const r = await publicResource(fac.id);
    const agent = await new Agent(t.app).signIn(member.email);
    // Visitors are not asked (nobody to ask); the signed-in visit is noted, once however often.
    assert.equal((await t.app.inject(`/r/${r.code}`)).statusCode, 302);
    assert.equal((await agent.get(`/r/${r.code}`)).statusCode, 302);
    assert.equal((await agent.get(`/r/${r.code}`)).statusCode, 302);
    const rows = await t.db.selectFrom('use_followups').selectAll().where('resource_id', '=', r.id).execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.user_id, member.id);
    assert.equal(rows[0]!.trigger, 'link');
    // The facilitators' delay (30 days by default).
    const days = (rows[0]!.due_at.getTime() - Date.now()) / 86_400_000;
    assert.ok(days > 29.9 && days < 30.1, String(days));

    // Before it is due, the sweep asks nothing.
    t.mailer.sent.length = 0;
    await sweepNow();
    assert.equal((await t.db.selectFrom('use_followups').select('asked_at').where('id', '=', rows[0]!.id).executeTakeFirstOrThrow()).asked_at, null);
    assert.equal(t.mailer.lastTo(member.email), undefined);

    // Once due: asked, emailed once, shown on the home page and the list.
    await t.db.updateTable('use_followups').set({ due_at: inDays(-1) }).where('id', '=', rows[0]!.id).execute();
    await sweepNow();
    await sweepNow();
    const mails = t.mailer.sent.filter((m) => m.to === member.email);
    assert.equal(mails.length, 1, 'one email, however often the sweep runs');
    assert.match(mails[0]!.subject, /Did you use “Guide/);
    assert.ok(mails[0]!.headers?.['List-Unsubscribe'], 'one-click stop');
    const answerUrl = t.mailer.linkIn(mails[0], `${t.config.baseUrl}/follow-ups/`)!;
    assert.ok(answerUrl);
    assert.match(textOf((await agent.get('/')).body), /Tell us how it went One question about something you used/);
    assert.match(textOf((await agent.get('/follow-ups')).body), /You opened a shared link to “Guide/);

    // Bad input: "used" needs how and how useful; a field message, nothing written.
    const path = new URL(answerUrl).pathname;
    const bad = await agent.post(path, { answer: 'used', how_used: '' });
    assert.equal(bad.statusCode, 400);
    assert.match(textOf(bad.body), /Say briefly how you used it/);
    assert.equal((await t.db.selectFrom('use_reports').select('id').where('resource_id', '=', r.id).execute()).length, 0);
    const nonsense = await agent.post(path, { answer: 'maybe' });
    assert.equal(nonsense.statusCode, 400);

    // Someone else cannot see or answer it.
    const other = await new Agent(t.app).signIn((await buildUser(t.db)).email);
    assert.equal((await other.get(path)).statusCode, 404);
    assert.equal((await other.post(path, { answer: 'not_used' })).statusCode, 404);
    assert.equal((await t.app.inject(path)).statusCode, 303, 'visitors are sent to sign in');

    // The answer: a double submit files one report.
    const form = await agent.get(path);
    const idem = /name="_idem" value="([^"]+)"/.exec(form.body)![1]!;
    const fields = { answer: 'used', how_used: 'Shared it at our staff meeting.', usefulness: '4', _idem: idem };
    const [a, b] = await Promise.all([agent.post(path, fields), agent.post(path, fields)]);
    assert.equal(a.statusCode, 303, a.body.slice(0, 300));
    assert.equal(b.statusCode, 303);
    const reports = await t.db.selectFrom('use_reports').selectAll().where('resource_id', '=', r.id).execute();
    assert.equal(reports.length, 1);
    assert.equal(reports[0]!.source, 'followup');
    assert.equal(reports[0]!.perspective, 'educator');
    assert.equal(reports[0]!.state_code, 'OR');
    assert.equal(reports[0]!.usefulness, 4);
    const f = await t.db.selectFrom('use_followups').selectAll().where('id', '=', rows[0]!.id).executeTakeFirstOrThrow();
    assert.equal(f.outcome, 'used');
    assert.equal(f.use_report_id, reports[0]!.id);
    // A second, different answer is refused; the question is gone from the list.
    assert.equal((await agent.post(path, { answer: 'not_used' })).statusCode, 409);
    assert.doesNotMatch(textOf((await agent.get('/follow-ups')).body), /Guide/);

    // The reach dashboard shows the path to use with the response rate.
    const facAgent = await new Agent(t.app).signIn(fac.email);
    const dash = textOf((await facAgent.get('/reach')).body);
    assert.match(dash, /Asked whether they used it \d+/);
    assert.match(dash, /Said they used it \d+ \d+% of those who answered; response rate \d+%/);
  });

  test('no one is asked about what they reported unprompted, turned off, or can no longer see; the email link stops the questions', async () => {
    const fac = await buildUser(t.db, { role: 'facilitator' });
    const member = await buildUser(t.db);
    const agent = await new Agent(t.app).signIn(member.email);
    const reported = await publicResource(fac.id);
    const gone = await publicResource(fac.id);
    const later = await publicResource(fac.id);
    for (const r of [reported, gone, later]) await agent.get(`/r/${r.code}`);
    // Said how they used it without being asked: never asked.
    const use = await agent.post(`/resources/${reported.slug}/use`, { how_used: 'Used it with families.', quality: '5', relevance: '5', usefulness: '5' });
    assert.equal(use.statusCode, 303, use.body.slice(0, 300));
    assert.equal((await t.db.selectFrom('use_followups').select('outcome').where('resource_id', '=', reported.id).executeTakeFirstOrThrow()).outcome, 'skipped');
    // Deleted before it was due: not asked.
    await t.db.updateTable('resources').set({ deleted_at: new Date() }).where('id', '=', gone.id).execute();
    await t.db.updateTable('use_followups').set({ due_at: inDays(-1) }).where('user_id', '=', member.id).execute();
    t.mailer.sent.length = 0;
    await sweepNow();
    const asked = await t.db.selectFrom('use_followups').select(['resource_id', 'asked_at', 'outcome']).where('user_id', '=', member.id).execute();
    assert.equal(asked.find((x) => x.resource_id === gone.id)!.outcome, 'skipped');
    assert.ok(asked.find((x) => x.resource_id === later.id)!.asked_at);
    assert.equal(t.mailer.sent.filter((m) => m.to === member.email).length, 1);

    // The email's one-click stop: a bad token is refused, a good one (no session, no CSRF) turns them off.
    assert.equal((await t.app.inject({ method: 'POST', url: '/follow-ups/stop/1.AAAAAAAAAAAAAAAAAAAAAA' })).statusCode, 404);
    const stop = await t.app.inject({ method: 'POST', url: `/follow-ups/stop/${followupStopToken(t.config.sessionSecret, member.id)}` });
    assert.equal(stop.statusCode, 200);
    assert.equal((await t.db.selectFrom('users').select('followups_off').where('id', '=', member.id).executeTakeFirstOrThrow()).followups_off, true);
    // Turned off: a new download is noted, but never asked and never emailed.
    const another = await publicResource(fac.id);
    await agent.get(`/r/${another.code}`);
    await t.db.updateTable('use_followups').set({ due_at: inDays(-1) }).where('resource_id', '=', another.id).execute();
    t.mailer.sent.length = 0;
    await sweepNow();
    assert.equal((await t.db.selectFrom('use_followups').select('outcome').where('resource_id', '=', another.id).executeTakeFirstOrThrow()).outcome, 'skipped');
    assert.equal(t.mailer.sent.filter((m) => m.to === member.email).length, 0);
    // And on again from the page.
    const on = await agent.post('/follow-ups/settings', { off: 'false' });
    assert.equal(on.statusCode, 303);
    assert.equal((await t.db.selectFrom('users').select('followups_off').where('id', '=', member.id).executeTakeFirstOrThrow()).followups_off, false);
    // Dismissing closes a question without counting as an answer.
    const open = await t.db.selectFrom('use_followups').select('id').where('resource_id', '=', later.id).executeTakeFirstOrThrow();
    assert.equal((await agent.post(`/follow-ups/${open.id}/dismiss`)).statusCode, 303);
    assert.equal((await t.db.selectFrom('use_followups').select('outcome').where('id', '=', open.id).executeTakeFirstOrThrow()).outcome, 'dismissed');
  });

  test('attending a convening is asked about too, through the API; the answer is a use report about the convening', async () => {
    const lead = await buildUser(t.db);
    const member = await buildUser(t.db);
    const group = await buildGroup(t.db, { leadId: lead.id, memberIds: [member.id] });
    const ev = await t.db
      .insertInto('events')
      .values({ uid: randomUUID(), group_id: group.id, kind: 'group_call', title: 'Monthly call', starts_at: inDays(-2), ends_at: inDays(-1.9), time_zone: 'America/New_York', created_by: lead.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.db.insertInto('event_registrations').values({ event_id: ev.id, user_id: member.id, response: 'going', status: 'confirmed' }).execute();
    const leadAgent = await new Agent(t.app).signIn(lead.email);
    const att = await leadAgent.post(`/events/${ev.id}/attendance`, { attended: String(member.id) });
    assert.equal(att.statusCode, 303, att.body.slice(0, 300));
    await t.db.updateTable('use_followups').set({ due_at: inDays(-1) }).where('event_id', '=', ev.id).execute();
    await sweepNow();
    const token = await apiToken(t.app, member.email);
    const list = await t.app.inject({ url: '/api/v1/me/follow-ups', headers: bearer(token) });
    assert.equal(list.statusCode, 200);
    const item = list.json().follow_ups.find((x: { event: { id: number } | null }) => x.event?.id === ev.id);
    assert.ok(item, list.body);
    assert.equal(item.trigger, 'attended');
    assert.ok(list.json().pagination);
    const bad = await t.app.inject({ method: 'POST', url: `/api/v1/follow-ups/${item.id}/answer`, headers: bearer(token), payload: { answer: 'used' } });
    assert.equal(bad.statusCode, 400);
    assert.ok(bad.json().error.fields.how_used);
    const ok = await t.app.inject({ method: 'POST', url: `/api/v1/follow-ups/${item.id}/answer`, headers: bearer(token), payload: { answer: 'used', how_used: 'Tried the check-in routine.', usefulness: 5 } });
    assert.equal(ok.statusCode, 200, ok.body);
    const report = await t.db.selectFrom('use_reports').selectAll().where('id', '=', ok.json().use_report_id).executeTakeFirstOrThrow();
    assert.equal(report.event_id, ev.id);
    assert.equal(report.resource_id, null);
    assert.equal((await t.app.inject({ method: 'POST', url: `/api/v1/follow-ups/${item.id}/answer`, headers: bearer(token), payload: { answer: 'not_used' } })).statusCode, 409);
    assert.equal((await t.app.inject({ url: '/api/v1/me/follow-ups' })).statusCode, 401);
  });

  test('facilitators choose the delay', async () => {
    const fac = await buildUser(t.db, { role: 'facilitator' });
    const agent = await new Agent(t.app).signIn(fac.email);
    const bad = await agent.post('/admin/community', { name: 'Test community', reach_goal: '1000', followup_delay_days: '0' });
    assert.equal(bad.statusCode, 400);
    assert.equal((await agent.post('/admin/community', { name: 'Test community', reach_goal: '1000', followup_delay_days: '10' })).statusCode, 303);
    t.app.community.invalidate();
    const member = await buildUser(t.db);
    const r = await publicResource(fac.id);
    await (await new Agent(t.app).signIn(member.email)).get(`/r/${r.code}`);
    const f = await t.db.selectFrom('use_followups').select('due_at').where('resource_id', '=', r.id).executeTakeFirstOrThrow();
    const days = (f.due_at.getTime() - Date.now()) / 86_400_000;
    assert.ok(days > 9.9 && days < 10.1, String(days));
    await agent.post('/admin/community', { name: 'Test community', reach_goal: '1000', followup_delay_days: '30' });
  });
});

describe('stories of value', () => {
  test('inside the group at once; beyond it only after review, to the audience the author chose', async () => {
    const author = await buildUser(t.db, { name: 'Sam Storyteller' });
    const peer = await buildUser(t.db);
    const stranger = await buildUser(t.db);
    const fac = await buildUser(t.db, { role: 'facilitator' });
    const group = await buildGroup(t.db, { name: 'Family partners', memberIds: [author.id, peer.id] });
    const agent = await new Agent(t.app).signIn(author.email);
    const form = await agent.get(`/stories/new?group=${group.slug}`);
    assert.equal(form.statusCode, 200);
    const idem = /name="_idem" value="([^"]+)"/.exec(form.body)![1]!;
    // Bad input: no cycle chosen; a field message, nothing written.
    const bad = await agent.post('/stories', { title: 'A change', body: 'Text', group: group.slug, audience: 'group' });
    assert.equal(bad.statusCode, 400);
    assert.match(textOf(bad.body), /Choose at least one kind of value/);
    const fields = { title: 'Check-ins at lunch', body: 'After the call, our school tried **daily check-ins**.', group: group.slug, audience: 'members', cycles: ['applied', 'realized'], perspectives: ['family', 'educator'], _idem: idem };
    const [a, b] = await Promise.all([agent.post('/stories', fields), agent.post('/stories', fields)]);
    assert.equal(a.statusCode, 303, a.body.slice(0, 300));
    assert.equal(a.headers.location, b.headers.location);
    const id = Number(String(a.headers.location).split('/').pop());
    assert.equal((await t.db.selectFrom('value_stories').select('id').where('title', '=', 'Check-ins at lunch').execute()).length, 1);

    const peerAgent = await new Agent(t.app).signIn(peer.email);
    const strangerAgent = await new Agent(t.app).signIn(stranger.email);
    assert.match((await peerAgent.get(`/stories/${id}`)).body, /<strong>daily check-ins<\/strong>/, 'the group reads it at once');
    assert.equal((await strangerAgent.get(`/stories/${id}`)).statusCode, 404, 'beyond the group only after review');
    assert.doesNotMatch((await strangerAgent.get('/stories')).body, /Check-ins at lunch/);
    assert.equal((await t.app.inject(`/api/v1/stories/${id}`)).statusCode, 404);

    // Review: facilitators only; returning needs a note.
    assert.equal((await peerAgent.get('/stories/review')).statusCode, 403);
    assert.equal((await peerAgent.post(`/stories/${id}/review`, { decision: 'approved' })).statusCode, 403);
    const facAgent = await new Agent(t.app).signIn(fac.email);
    assert.match((await facAgent.get('/stories/review')).body, /Check-ins at lunch/);
    const noNote = await facAgent.post(`/stories/${id}/review`, { decision: 'returned' });
    assert.equal(noNote.statusCode, 400);
    assert.equal((await facAgent.post(`/stories/${id}/review`, { decision: 'approved' })).statusCode, 303);
    await t.jobs.drain();
    assert.match(t.mailer.lastTo(author.email)?.subject ?? '', /Your story “Check-ins at lunch” is shared/, 'the author is told');
    assert.equal((await strangerAgent.get(`/stories/${id}`)).statusCode, 200, 'members now');
    assert.equal((await t.app.inject(`/stories/${id}`)).statusCode, 404, 'not visitors: the author chose members');
    const byCycle = textOf((await strangerAgent.get('/stories?cycle=realized')).body);
    assert.match(byCycle, /Check-ins at lunch/);
    assert.doesNotMatch(textOf((await strangerAgent.get('/stories?cycle=reframing')).body), /Check-ins at lunch/);
    assert.match(textOf((await strangerAgent.get(`/groups/${group.slug}/stories`)).body), /Check-ins at lunch/);

    // The author widens the audience: reviewed again before it reaches visitors.
    const edit = await agent.post(`/stories/${id}`, { ...fields, audience: 'public', _idem: '' });
    assert.equal(edit.statusCode, 303, edit.body.slice(0, 300));
    assert.equal((await t.db.selectFrom('value_stories').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status, 'pending');
    assert.equal((await t.app.inject(`/stories/${id}`)).statusCode, 404);
    assert.equal((await strangerAgent.get(`/stories/${id}`)).statusCode, 404);
    await facAgent.post(`/stories/${id}/review`, { decision: 'approved' });
    assert.equal((await t.app.inject(`/stories/${id}`)).statusCode, 200);
    const api = await t.app.inject(`/api/v1/stories?scope=group:${group.slug}`);
    assert.equal(api.statusCode, 200);
    assert.deepEqual(api.json().stories.map((s: { id: number }) => s.id), [id]);
    assert.deepEqual(api.json().stories[0].cycles, ['applied', 'realized']);
    // Only the author (and facilitators) edit or delete it.
    assert.equal((await peerAgent.get(`/stories/${id}/edit`)).statusCode, 403);
    assert.equal((await peerAgent.post(`/stories/${id}/delete`)).statusCode, 403);
  });

  test('links must be things the author can see; readers see only links they may open; the agenda item shows its stories', async () => {
    const author = await buildUser(t.db);
    const insider = await buildUser(t.db);
    const fac = await buildUser(t.db, { role: 'facilitator' });
    const secret = await buildGroup(t.db, { visibility: 'private', join_policy: 'invite', memberIds: [insider.id] });
    const hidden = await t.db.insertInto('threads').values({ group_id: secret.id, author_id: insider.id, title: 'Secret planning', created_at: new Date(), last_activity_at: new Date() }).returning('id').executeTakeFirstOrThrow();
    const open = await t.db.insertInto('threads').values({ group_id: null, author_id: author.id, title: 'Open planning', created_at: new Date(), last_activity_at: new Date() }).returning('id').executeTakeFirstOrThrow();
    const item = await t.db.insertInto('agenda_items').values({ slug: `item-${randomUUID().slice(0, 6)}`, title: 'Shared item', description: 'Text' }).returning(['id', 'slug']).executeTakeFirstOrThrow();
    const token = await apiToken(t.app, author.email);
    const post = (links: string) => t.app.inject({ method: 'POST', url: '/api/v1/stories', headers: bearer(token), payload: { title: 'Linked', body: 'It helped.', cycles: ['potential'], audience: 'public', links } });
    const refused = await post(`/threads/${hidden.id}`);
    assert.equal(refused.statusCode, 400);
    assert.match(refused.json().error.fields.links, new RegExp(String(hidden.id)));
    assert.equal((await post('https://elsewhere.example/page')).statusCode, 400);
    const ok = await post(`/threads/${open.id}\n${t.config.baseUrl}/agenda/${item.slug}`);
    assert.equal(ok.statusCode, 201, ok.body);
    const id = ok.json().id;
    // The insider's story links the secret thread; approved for the public, the link stays theirs.
    const insiderStory = await t.app.inject({ method: 'POST', url: '/api/v1/stories', headers: bearer(await apiToken(t.app, insider.email)), payload: { title: 'From the circle', body: 'We met.', cycles: ['immediate'], audience: 'public', links: `/threads/${hidden.id}` } });
    assert.equal(insiderStory.statusCode, 201);
    await t.db.updateTable('value_stories').set({ status: 'approved', reviewed_by: fac.id }).where('id', 'in', [id, insiderStory.json().id]).execute();
    assert.doesNotMatch((await t.app.inject(`/stories/${insiderStory.json().id}`)).body, /Secret planning/);
    assert.match((await (await new Agent(t.app).signIn(insider.email)).get(`/stories/${insiderStory.json().id}`)).body, /Secret planning/);
    const detail = await t.app.inject(`/api/v1/stories/${id}`);
    assert.deepEqual(detail.json().links.map((l: { kind: string }) => l.kind).sort(), ['agenda_item', 'thread']);
    assert.match(textOf((await t.app.inject(`/agenda/${item.slug}`)).body), /Stories of value Linked/);
  });
});

describe('deciding together', () => {
  test('a lead opens a proposal; members vote once each and may change it; results by perspective with who has not weighed in; the outcome reaches the agenda', async () => {
    const lead = await buildUser(t.db, { name: 'Lee Lead', perspectives: ['administrator'] });
    const fam = await buildUser(t.db, { name: 'Fay Family', perspectives: ['family'] });
    const edu = await buildUser(t.db, { name: 'Ed Educator', perspectives: ['educator'] });
    const youth = await buildUser(t.db, { name: 'Yuri Youth', perspectives: ['youth'], is_youth: true });
    const quiet = await buildUser(t.db, { name: 'Quinn Quiet', perspectives: ['school_mh'] });
    const outsider = await buildUser(t.db);
    const group = await buildGroup(t.db, { leadId: lead.id, memberIds: [fam.id, edu.id, youth.id, quiet.id] });
    const th = await t.db.insertInto('threads').values({ group_id: group.id, author_id: lead.id, title: 'Where next', created_at: new Date(), last_activity_at: new Date() }).returning('id').executeTakeFirstOrThrow();
    const item = await t.db.insertInto('agenda_items').values({ slug: `next-${randomUUID().slice(0, 6)}`, title: 'Family engagement', description: 'Text' }).returning(['id', 'slug']).executeTakeFirstOrThrow();

    // Only leads and facilitators open one.
    const famAgent = await new Agent(t.app).signIn(fam.email);
    assert.equal((await famAgent.get(`/threads/${th.id}/decisions/new`)).statusCode, 403);
    const leadAgent = await new Agent(t.app).signIn(lead.email);
    const form = await leadAgent.get(`/threads/${th.id}/decisions/new`);
    assert.equal(form.statusCode, 200);
    const idem = /name="_idem" value="([^"]+)"/.exec(form.body)![1]!;
    const past = await leadAgent.post(`/threads/${th.id}/decisions`, { kind: 'proposal', title: 'Adopt it', closes_at: '2020-01-01T10:00' });
    assert.equal(past.statusCode, 400);
    assert.match(textOf(past.body), /closing time in the future/);
    const local = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 16);
    const fields = { kind: 'proposal', title: 'Adopt the family guide', details: 'As drafted.', closes_at: local, _idem: idem };
    const [a, b] = await Promise.all([leadAgent.post(`/threads/${th.id}/decisions`, fields), leadAgent.post(`/threads/${th.id}/decisions`, fields)]);
    assert.equal(a.statusCode, 303, a.body.slice(0, 300));
    assert.equal(a.headers.location, b.headers.location);
    const id = Number(String(a.headers.location).split('/').pop());
    assert.equal((await t.db.selectFrom('threads').select('decision_count').where('id', '=', th.id).executeTakeFirstOrThrow()).decision_count, 1);
    assert.match(textOf((await famAgent.get(`/threads/${th.id}`)).body), /Decisions in this discussion Proposal Adopt the family guide/);
    // The group is told (once each, whatever the queue does twice), the opener and outsiders are not.
    await t.db.updateTable('users').set({ email_notifications: 'immediate' }).where('id', '=', fam.id).execute();
    t.mailer.sent.length = 0;
    await t.jobs.send(t.db, QUEUES.decisionOpened, { id });
    await t.jobs.drain();
    const told = await t.db.selectFrom('notifications').select(['user_id', 'kind']).where('kind', '=', 'decision').where('thread_id', '=', th.id).execute();
    assert.deepEqual(told.map((n) => n.user_id).sort((x, y) => x - y), [fam.id, edu.id, youth.id, quiet.id].sort((x, y) => x - y));
    const mail = t.mailer.lastTo(fam.email);
    assert.ok(mail, 'emailed to those who take email right away');
    assert.match(mail!.text, /Lee Lead asks for your view in “Where next”\.\s+Adopt the family guide/);
    assert.equal(t.mailer.linkIn(mail, `${t.config.baseUrl}/decisions/`), `${t.config.baseUrl}/decisions/${id}`);

    // Votes: a block needs a reason; a stance is required; outsiders of a public group read but do not vote.
    assert.equal((await famAgent.post(`/decisions/${id}/vote`, { stance: 'block' })).statusCode, 400);
    assert.equal((await famAgent.post(`/decisions/${id}/vote`, {})).statusCode, 400);
    assert.equal((await famAgent.post(`/decisions/${id}/vote`, { stance: 'disagree', reason: 'Needs Spanish first.' })).statusCode, 303);
    assert.equal((await famAgent.post(`/decisions/${id}/vote`, { stance: 'agree', reason: 'The Spanish version is coming.' })).statusCode, 303);
    const eduToken = await apiToken(t.app, edu.email);
    const put = await t.app.inject({ method: 'PUT', url: `/api/v1/decisions/${id}/vote`, headers: bearer(eduToken), payload: { stance: 'abstain' } });
    assert.equal(put.statusCode, 200, put.body);
    assert.equal((await (await new Agent(t.app).signIn(youth.email)).post(`/decisions/${id}/vote`, { stance: 'agree' })).statusCode, 303);
    const outsiderAgent = await new Agent(t.app).signIn(outsider.email);
    assert.equal((await outsiderAgent.get(`/decisions/${id}`)).statusCode, 200);
    assert.equal((await outsiderAgent.post(`/decisions/${id}/vote`, { stance: 'agree' })).statusCode, 403);
    assert.equal((await t.db.selectFrom('decision_votes').select('user_id').where('decision_id', '=', id).execute()).length, 3, 'one vote each, changed in place');

    const json = put.json();
    const results = (await t.app.inject({ url: `/api/v1/decisions/${id}`, headers: bearer(eduToken) })).json().results;
    assert.deepEqual(Object.fromEntries(results.choices.map((c: { key: string; votes: number }) => [c.key, c.votes])), { agree: 2, abstain: 1, disagree: 0, block: 0 });
    const family = results.by_perspective.find((p: { perspective: string }) => p.perspective === 'family');
    assert.deepEqual(family, { perspective: 'family', voters: 1, choices: { agree: 1 } });
    assert.deepEqual(results.not_weighed_in.map((p: { perspective: string }) => p.perspective).sort(), ['administrator', 'school_mh']);
    assert.equal(results.not_weighed_in_total, 2);
    assert.equal(json.my_vote.stance, 'abstain');
    // Names: members see who voted and why; a visitor sees no youth member's name.
    const page = textOf((await famAgent.get(`/decisions/${id}`)).body);
    assert.match(page, /Fay Family \(Family member\)\s*: Agree The Spanish version is coming\./);
    assert.match(page, /Yuri Youth/);
    assert.match(page, /Who hasn’t weighed in 2 people who may vote have not\./);
    const visitorPage = await t.app.inject(`/decisions/${id}`);
    assert.equal(visitorPage.statusCode, 200);
    assert.doesNotMatch(visitorPage.body, /Yuri Youth/);
    assert.match(visitorPage.body, /Fay Family/);
    assert.match(visitorPage.body, new RegExp(`href="/login\\?next=%2Fdecisions%2F${id}"`), 'a visitor is offered to sign in to vote');

    // Closing: the lead records the outcome on the agenda item; no more votes.
    assert.equal((await famAgent.post(`/decisions/${id}/close`, { outcome: 'Adopted.' })).statusCode, 403);
    assert.equal((await leadAgent.post(`/decisions/${id}/close`, { outcome: '' })).statusCode, 400);
    const close = await leadAgent.post(`/decisions/${id}/close`, { outcome: 'Adopted, with the Spanish version to follow.', agenda_item: item.slug });
    assert.equal(close.statusCode, 303, close.body.slice(0, 300));
    assert.equal((await famAgent.post(`/decisions/${id}/vote`, { stance: 'disagree' })).statusCode, 403);
    assert.equal((await t.app.inject({ method: 'PUT', url: `/api/v1/decisions/${id}/vote`, headers: bearer(eduToken), payload: { stance: 'agree' } })).statusCode, 403);
    assert.equal((await leadAgent.post(`/decisions/${id}/close`, { outcome: 'Again' })).statusCode, 403);
    const agenda = textOf((await t.app.inject(`/agenda/${item.slug}`)).body);
    assert.match(agenda, /Adopt the family guide Adopted, with the Spanish version to follow\./);
    assert.match((await t.app.inject(`/agenda/${item.slug}`)).body, new RegExp(`href="/decisions/${id}"`));
  });

  test('polls: single or multiple choice through the API; anonymous ones never name voters and fold small perspectives', async () => {
    const fac = await buildUser(t.db, { role: 'facilitator' });
    const voters = await Promise.all(['family', 'family', 'family', 'educator'].map((p) => buildUser(t.db, { perspectives: [p] })));
    const th = await t.db.insertInto('threads').values({ group_id: null, author_id: fac.id, title: 'Community poll', created_at: new Date(), last_activity_at: new Date() }).returning('id').executeTakeFirstOrThrow();
    const facToken = await apiToken(t.app, fac.email);
    const open = (payload: Record<string, unknown>) => t.app.inject({ method: 'POST', url: `/api/v1/threads/${th.id}/decisions`, headers: bearer(facToken), payload: { kind: 'poll', title: 'Which day?', closes_at: inDays(3).toISOString(), ...payload } });
    assert.equal((await open({ options: 'Only one' })).statusCode, 400);
    assert.equal((await open({ options: 'Tuesday\nThursday', closes_at: '2027-01-01T10:00' })).statusCode, 400, 'the API needs an offset');
    const memberToken = await apiToken(t.app, voters[0]!.email);
    assert.equal((await t.app.inject({ method: 'POST', url: `/api/v1/threads/${th.id}/decisions`, headers: bearer(memberToken), payload: { kind: 'poll', title: 'Mine', options: 'A\nB', closes_at: inDays(3).toISOString() } })).statusCode, 403);
    const single = await open({ options: 'Tuesday\nThursday', anonymous: true });
    assert.equal(single.statusCode, 201, single.body);
    const d = (await t.app.inject({ url: `/api/v1/decisions/${single.json().id}`, headers: bearer(facToken) })).json();
    const [tue, thu] = d.options.map((o: { id: number }) => o.id);
    const vote = (email: string, options: number[], reason = '') => apiToken(t.app, email).then((tok) => t.app.inject({ method: 'PUT', url: `/api/v1/decisions/${d.id}/vote`, headers: bearer(tok), payload: { options, reason } }));
    assert.equal((await vote(voters[0]!.email, [tue, thu])).statusCode, 400, 'one choice only');
    assert.equal((await vote(voters[0]!.email, [999999])).statusCode, 400, 'an option of this poll');
    for (const v of voters.slice(0, 3)) assert.equal((await vote(v.email, [tue], 'Tuesdays suit families')).statusCode, 200);
    assert.equal((await vote(voters[3]!.email, [thu], 'Thursdays after school')).statusCode, 200);
    const r = (await t.app.inject(`/api/v1/decisions/${d.id}`)).json().results;
    assert.deepEqual(r.votes, [], 'anonymous: no names');
    assert.equal(r.reasons.length, 4);
    assert.deepEqual(r.by_perspective.map((p: { perspective: string }) => p.perspective), ['family'], 'one educator is not shown apart');
    const page = textOf((await t.app.inject(`/decisions/${d.id}`)).body);
    assert.match(page, /1 perspective with fewer than 3 voters is not shown separately/);
    assert.doesNotMatch(page, /Who voted/);
    // Several choices when the poll allows them.
    const multi = await open({ title: 'Which topics?', options: 'Attendance\nWellness\nFamilies', multiple: true });
    const md = (await t.app.inject({ url: `/api/v1/decisions/${multi.json().id}`, headers: bearer(facToken) })).json();
    const two = await t.app.inject({ method: 'PUT', url: `/api/v1/decisions/${md.id}/vote`, headers: bearer(memberToken), payload: { options: md.options.slice(0, 2).map((o: { id: number }) => o.id) } });
    assert.equal(two.statusCode, 200, two.body);
    assert.deepEqual(two.json().results.choices.map((c: { votes: number }) => c.votes), [1, 1, 0]);
    assert.equal((await t.app.inject({ url: '/decisions' })).statusCode, 200);
    assert.match(textOf((await t.app.inject({ url: '/decisions' })).body), /Which topics\?/);
  });

  test('a private group’s decision does not exist for outsiders', async () => {
    const lead = await buildUser(t.db);
    const outsider = await buildUser(t.db);
    const group = await buildGroup(t.db, { visibility: 'private', join_policy: 'invite', leadId: lead.id });
    const th = await t.db.insertInto('threads').values({ group_id: group.id, author_id: lead.id, title: 'Inside', created_at: new Date(), last_activity_at: new Date() }).returning('id').executeTakeFirstOrThrow();
    const created = await t.app.inject({ method: 'POST', url: `/api/v1/threads/${th.id}/decisions`, headers: bearer(await apiToken(t.app, lead.email)), payload: { kind: 'proposal', title: 'Inside decision', closes_at: inDays(2).toISOString() } });
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json().id;
    const agent = await new Agent(t.app).signIn(outsider.email);
    assert.equal((await agent.get(`/decisions/${id}`)).statusCode, 404);
    assert.equal((await agent.post(`/decisions/${id}/vote`, { stance: 'agree' })).statusCode, 404);
    assert.equal((await t.app.inject(`/api/v1/decisions/${id}`)).statusCode, 404);
    assert.doesNotMatch((await agent.get('/decisions')).body, /Inside decision/);
  });
});

test('story links are parsed from addresses, paths and full URLs; anything else is named back', () => {
  const r = parseLinks('/threads/12\nhttps://x.example/resources/a-guide, /events/3 /agenda/item-one /threads/abc mailto:a@b.c');
  assert.deepEqual(r.found, [
    { kind: 'thread', key: '12' },
    { kind: 'resource', key: 'a-guide' },
    { kind: 'event', key: '3' },
    { kind: 'agenda_item', key: 'item-one' },
  ]);
  assert.deepEqual(r.bad, ['/threads/abc', 'mailto:a@b.c']);
});
