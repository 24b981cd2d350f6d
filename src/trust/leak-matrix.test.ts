import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, apiToken, bearer, buildGroup, buildOrganization, buildTestApp, buildUser, type TestContext } from '../../test/helpers.js';
import { PNG_1PX, multipart } from '../../test/fixtures.js';

/**
 * The leak matrix: content in a private group, and fields of a hidden or
 * private profile, must reach no one outside through any channel — pages,
 * the JSON API, search, Atom and iCalendar feeds, emails, notifications,
 * exports and share links. Every secret carries one marker; a response to
 * an outsider or a visitor must never contain it. The insider's view of the
 * same channels is checked too, so the test can fail.
 */
let t: TestContext;
const MARK = `qzxv${Math.random().toString(36).slice(2, 8)}`;
const WORD = 'quokkaplanning';
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

interface World {
  group: { id: number; slug: string };
  threadId: number;
  postId: number;
  resourceSlug: string;
  resourceId: number;
  fileId: number;
  eventId: number;
  linkCode: string;
  agendaSlug: string;
  hiddenId: number;
  privateBioId: number;
  outsider: { id: number; email: string };
  insider: { id: number; email: string };
  outsiderLead: { id: number; email: string };
  decisionId: number;
  groupStoryId: number;
  pendingStoryId: number;
  publicStoryId: number;
  followupId: number;
}
let w: World;

before(async () => {
  // The production cache setting: shared results and kept markup must never carry an insider's view to anyone else.
  t = await buildTestApp({ pageCacheSeconds: 10 });
  const lead = await buildUser(t.db, { name: 'Lena Lead' });
  const insider = await buildUser(t.db, { name: 'Ida Insider' });
  const outsider = await buildUser(t.db, { name: 'Oscar Outsider' });
  const outsiderLead = await buildUser(t.db, { name: 'Olga OtherLead' });
  const facilitator = await buildUser(t.db, { role: 'facilitator' });
  const group = await buildGroup(t.db, { name: `Private circle ${MARK}`, visibility: 'private', join_policy: 'invite', leadId: lead.id, memberIds: [insider.id] });
  await buildGroup(t.db, { name: 'Open group', leadId: outsiderLead.id, memberIds: [outsider.id] });
  const leadToken = await apiToken(t.app, lead.email);
  const outsiderHandle = (await t.db.selectFrom('users').select('handle').where('id', '=', outsider.id).executeTakeFirstOrThrow()).handle;

  // A thread with a reply that mentions the outsider (who must not be told).
  const th = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${group.slug}/threads`, headers: bearer(leadToken), payload: { title: `Thread ${MARK}`, body: `Our ${WORD} notes ${MARK}`, language: 'en' } });
  assert.equal(th.statusCode, 201, th.body);
  const threadId = th.json().id as number;
  const reply = await t.app.inject({ method: 'POST', url: `/api/v1/threads/${threadId}/posts`, headers: bearer(leadToken), payload: { body: `Reply ${MARK} for @${outsiderHandle}` } });
  assert.equal(reply.statusCode, 201, reply.body);
  const postId = reply.json().id as number;

  // A resource for the group only, with a file, and a share link to it.
  const leadAgent = await new Agent(t.app).signIn(lead.email);
  const form = multipart(
    { _csrf: await leadAgent.csrf('/resources/new'), title: 'Planning chart for the circle', kind: 'infographic', summary: `About ${WORD} ${MARK}`, audiences: ['educator'], visibility: 'group', group: group.slug, alt_text: `Chart ${MARK}`, _idem: `leak-${MARK}` },
    [{ field: 'file', filename: `plan-${MARK}.png`, contentType: 'image/png', data: PNG_1PX }],
  );
  const res = await leadAgent.raw({ method: 'POST', url: '/resources', payload: form.payload, headers: form.headers });
  assert.equal(res.statusCode, 303, res.body.slice(0, 400));
  const resourceSlug = String(res.headers.location).replace('/resources/', '');
  const resource = await t.db.selectFrom('resources').select('id').where('slug', '=', resourceSlug).executeTakeFirstOrThrow();
  const file = await t.db.selectFrom('resource_files').select('id').where('resource_id', '=', resource.id).executeTakeFirstOrThrow();
  const org = await buildOrganization(t.db);
  const link = await t.app.inject({ method: 'POST', url: `/api/v1/resources/${resource.id}/links`, headers: bearer(await apiToken(t.app, facilitator.email)), payload: { partner: `org:${org.id}` } });
  assert.ok([200, 201].includes(link.statusCode), link.body);

  // An event for the group, with a registration and an accommodation request.
  const ev = await t.app.inject({
    method: 'POST',
    url: '/api/v1/events',
    headers: bearer(leadToken),
    payload: { title: `Event ${MARK}`, description: `Agenda ${MARK}`, kind: 'group_call', scope: `group:${group.id}`, start_date: inDays(7), start_time: '15:00', end_time: '16:00', time_zone: 'America/New_York', online_url: `https://meet.example/${MARK}` },
  });
  assert.equal(ev.statusCode, 201, ev.body);
  const eventId = ev.json().id as number;
  const reg = await t.app.inject({ method: 'POST', url: `/api/v1/events/${eventId}/registrations`, headers: bearer(await apiToken(t.app, insider.email)), payload: { response: 'going', accommodations: ['other'], accommodation_notes: `Needs ${MARK}` } });
  assert.equal(reg.statusCode, 200, reg.body);

  // An agenda item that links the private thread and resource (counted, never named).
  const item = await t.db.insertInto('agenda_items').values({ slug: 'shared-priority', title: 'A shared priority', description: 'Public text.' }).returning('id').executeTakeFirstOrThrow();
  await t.db.insertInto('agenda_links').values([{ item_id: item.id, thread_id: threadId, resource_id: null }, { item_id: item.id, thread_id: null, resource_id: resource.id }]).execute();

  // A hidden profile, and one whose bio is private.
  const hidden = await buildUser(t.db, { name: `Hidden ${MARK}`, hidden: true });
  await t.db.updateTable('users').set({ bio: `Hidden bio ${WORD} ${MARK}` }).where('id', '=', hidden.id).execute();
  const privateBio = await buildUser(t.db, { name: 'Priya Private' });
  await t.db.updateTable('users').set({ bio: `Private bio ${WORD} ${MARK}`, visibility: JSON.stringify({ bio: 'private' }) }).where('id', '=', privateBio.id).execute();

  // Evidence of value: a proposal in the private thread with a reason given; a story told inside the
  // group, one waiting for review, and a public approved story whose link to the private thread must
  // not name it; the insider's use follow-up about the group's file.
  const dec = await t.app.inject({
    method: 'POST',
    url: `/api/v1/threads/${threadId}/decisions`,
    headers: bearer(leadToken),
    payload: { kind: 'proposal', title: `Proposal ${MARK}`, details: `Details ${MARK}`, closes_at: new Date(Date.now() + 7 * 86_400_000).toISOString() },
  });
  assert.equal(dec.statusCode, 201, dec.body);
  const insiderToken = await apiToken(t.app, insider.email);
  const vote = await t.app.inject({ method: 'PUT', url: `/api/v1/decisions/${dec.json().id}/vote`, headers: bearer(insiderToken), payload: { stance: 'agree', reason: `Because ${MARK}` } });
  assert.equal(vote.statusCode, 200, vote.body);
  const story = async (token: string, payload: Record<string, unknown>) => {
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/stories', headers: bearer(token), payload: { cycles: ['applied'], body: `What changed ${MARK}`, ...payload } });
    assert.equal(r.statusCode, 201, r.body);
    return r.json().id as number;
  };
  const groupStoryId = await story(insiderToken, { title: `Group story ${MARK}`, group: group.slug, audience: 'group' });
  const pendingStoryId = await story(insiderToken, { title: `Pending story ${MARK}`, group: group.slug, audience: 'public' });
  const publicStoryId = await story(insiderToken, { title: 'A public story', body: 'We tried the planning chart and it helped.', audience: 'public', links: `/threads/${threadId}` });
  await t.db.updateTable('value_stories').set({ status: 'approved', reviewed_by: facilitator.id, reviewed_at: new Date() }).where('id', '=', publicStoryId).execute();
  const insiderAgent = await new Agent(t.app).signIn(insider.email);
  assert.equal((await insiderAgent.get(`/resources/${resourceSlug}/files/${file.id}`)).statusCode, 200);
  const followup = await t.db.updateTable('use_followups').set({ asked_at: new Date() }).where('user_id', '=', insider.id).returning('id').executeTakeFirstOrThrow();

  // Members' translations of the group's reply and resource (carrying the mark), and a request for one.
  await t.db.insertInto('member_translations').values({ post_id: postId, language: 'es', body: `Respuesta ${WORD} ${MARK}`, translated_by: lead.id, created_at: new Date(), updated_at: new Date() }).execute();
  await t.db.updateTable('threads').set({ translation_count: 1 }).where('id', '=', threadId).execute();
  await t.db.insertInto('member_translations').values({ resource_id: resource.id, language: 'es', title: `Cuadro ${MARK}`, body: `Sobre ${WORD} ${MARK}`, translated_by: lead.id, created_at: new Date(), updated_at: new Date() }).execute();
  await t.db.insertInto('translation_requests').values({ post_id: postId, language: 'es', requested_by: lead.id, created_at: new Date() }).execute();

  // Activity for analytics, and notifications for everyone concerned.
  await t.jobs.drain();
  const { rollupEngagement } = await import('../analytics/engagement.js');
  await rollupEngagement(t.db, { all: true });

  w = {
    group,
    threadId,
    postId,
    resourceSlug,
    resourceId: resource.id,
    fileId: file.id,
    eventId,
    linkCode: link.json().code,
    agendaSlug: 'shared-priority',
    hiddenId: hidden.id,
    privateBioId: privateBio.id,
    outsider,
    insider,
    outsiderLead,
    decisionId: dec.json().id,
    groupStoryId,
    pendingStoryId,
    publicStoryId,
    followupId: followup.id,
  };
});

/** Every channel, as a URL (GET). */
const channels = () => [
  // pages
  `/groups/${w.group.slug}`,
  `/groups/${w.group.slug}/threads`,
  '/groups',
  `/threads/${w.threadId}`,
  `/posts/${w.postId}/history`,
  `/posts/${w.postId}/translate`,
  `/resources/${w.resourceSlug}/translate`,
  '/translations',
  '/translations/needed',
  `/api/v1/posts/${w.postId}/translation`,
  `/api/v1/resources/${w.resourceSlug}/translation`,
  '/api/v1/translation-requests',
  '/discussions',
  `/resources/${w.resourceSlug}`,
  `/resources/${w.resourceSlug}/files/${w.fileId}`,
  '/resources',
  `/events/${w.eventId}`,
  '/events',
  '/events?view=month',
  `/agenda/${w.agendaSlug}`,
  `/people/${w.hiddenId}`,
  `/people/${w.privateBioId}`,
  `/people?q=${WORD}`,
  '/people',
  '/',
  // search
  `/search?q=${WORD}`,
  `/api/v1/search?q=${WORD}`,
  // API
  `/api/v1/groups/${w.group.slug}`,
  `/api/v1/groups/${w.group.slug}/members`,
  `/api/v1/groups/${w.group.slug}/threads`,
  '/api/v1/groups',
  `/api/v1/threads/${w.threadId}`,
  '/api/v1/discussions',
  `/api/v1/resources/${w.resourceId}`,
  `/api/v1/resources?q=${WORD}`,
  `/api/v1/events/${w.eventId}`,
  `/api/v1/events/${w.eventId}/registrations`,
  '/api/v1/events',
  `/api/v1/agenda/${w.agendaSlug}`,
  '/api/v1/agenda',
  `/api/v1/people/${w.hiddenId}`,
  `/api/v1/people/${w.privateBioId}`,
  `/api/v1/people?q=${WORD}`,
  `/api/v1/analytics/engagement?group=${w.group.slug}`,
  '/api/v1/analytics/engagement',
  '/api/v1/notifications',
  // feeds
  '/discussions/feed.atom',
  `/groups/${w.group.slug}/feed.atom`,
  '/resources/feed.atom',
  '/events/calendar.ics',
  `/groups/${w.group.slug}/calendar.ics`,
  `/events/${w.eventId}/event.ics`,
  // exports
  `/events/${w.eventId}/registrations.csv`,
  '/analytics',
  `/analytics?group=${w.group.slug}`,
  '/analytics/engagement.csv',
  `/analytics/engagement.csv?group=${w.group.slug}`,
  '/reach/ledger.csv',
  '/reach/report.csv',
  // share links
  `/r/${w.linkCode}`,
  // notifications page
  '/notifications',
  // evidence of value: decisions, stories, follow-ups, the funder report
  `/decisions/${w.decisionId}`,
  '/decisions',
  `/api/v1/decisions/${w.decisionId}`,
  '/stories',
  `/groups/${w.group.slug}/stories`,
  `/stories/${w.groupStoryId}`,
  `/stories/${w.pendingStoryId}`,
  `/stories/${w.publicStoryId}`,
  `/stories/review`,
  '/api/v1/stories',
  `/api/v1/stories/${w.groupStoryId}`,
  `/api/v1/stories/${w.publicStoryId}`,
  `/follow-ups/${w.followupId}`,
  '/follow-ups',
  '/api/v1/me/follow-ups',
  '/reach/report',
];

async function sweep(who: 'anonymous' | 'outsider' | 'outsiderLead') {
  const headers: Record<string, string> = {};
  let agent: Agent | undefined;
  if (who !== 'anonymous') {
    const u = who === 'outsider' ? w.outsider : w.outsiderLead;
    headers.authorization = `Bearer ${await apiToken(t.app, u.email)}`;
    agent = await new Agent(t.app).signIn(u.email);
  }
  const leaks: string[] = [];
  for (const url of channels()) {
    // The JSON API as a token holder; pages as a browser with a session.
    const res = url.startsWith('/api/') || !agent ? await t.app.inject({ url, headers }) : await agent.get(url);
    if (res.statusCode >= 500) leaks.push(`${url}: ${res.statusCode}`);
    if (res.body.includes(MARK)) leaks.push(`${url} (${res.statusCode})`);
    // A redirect must not lead to the content either (share links).
    if (res.statusCode >= 300 && res.statusCode < 400 && res.headers.location && !String(res.headers.location).startsWith('/login')) {
      const next = agent ? await agent.get(String(res.headers.location)) : await t.app.inject({ url: String(res.headers.location), headers });
      if (next.body.includes(MARK)) leaks.push(`${url} → ${res.headers.location}`);
    }
  }
  return leaks;
}

describe('the leak matrix', () => {
  test('the insider sees the secrets (so the checks below can fail), and every shared cache holds them first', async () => {
    const agent = await new Agent(t.app).signIn(w.insider.email);
    const token = bearer(await apiToken(t.app, w.insider.email));
    // Every channel as the insider first: whatever the caches keep, they keep with the secrets in it.
    for (const url of channels()) {
      if (url.startsWith('/api/')) await t.app.inject({ url, headers: token });
      else await agent.get(url);
    }
    for (const url of [`/threads/${w.threadId}`, `/resources/${w.resourceSlug}`, `/events/${w.eventId}`, `/search?q=${WORD}`, `/decisions/${w.decisionId}`, `/stories/${w.groupStoryId}`, `/stories/${w.pendingStoryId}`, `/stories/${w.publicStoryId}`]) {
      assert.ok((await agent.get(url)).body.includes(MARK), `insider sees ${url}`);
    }
    for (const url of [`/api/v1/threads/${w.threadId}`, `/api/v1/resources/${w.resourceId}`, `/api/v1/events/${w.eventId}`]) {
      assert.ok((await t.app.inject({ url, headers: token })).body.includes(MARK), `insider sees ${url}`);
    }
  });

  for (const who of ['anonymous', 'outsider', 'outsiderLead'] as const) {
    test(`${who}: no channel returns anything from the private group or the hidden fields`, async () => {
      assert.deepEqual(await sweep(who), []);
    });
  }

  test('a use follow-up is its own person’s: the insider is asked about the group’s file, no one else sees the question', async () => {
    const insider = await new Agent(t.app).signIn(w.insider.email);
    assert.match((await insider.get(`/follow-ups/${w.followupId}`)).body, /Planning chart for the circle/);
    for (const u of [w.outsider, w.outsiderLead]) {
      const agent = await new Agent(t.app).signIn(u.email);
      const page = await agent.get(`/follow-ups/${w.followupId}`);
      assert.equal(page.statusCode, 404);
      assert.doesNotMatch(page.body, /Planning chart/);
      assert.doesNotMatch((await agent.get('/follow-ups')).body, /Planning chart/);
      assert.equal((await agent.post(`/follow-ups/${w.followupId}`, { answer: 'not_used' })).statusCode, 404);
    }
    // A public story's link to the private thread is not shown to those who cannot read the thread.
    assert.doesNotMatch((await t.app.inject(`/stories/${w.publicStoryId}`)).body, new RegExp(`/threads/${w.threadId}"`));
    assert.match((await insider.get(`/stories/${w.publicStoryId}`)).body, new RegExp(`/threads/${w.threadId}"`));
  });

  test('the outsider mentioned in the private thread got no notification and no email', async () => {
    const n = await t.db.selectFrom('notifications').select('id').where('user_id', '=', w.outsider.id).execute();
    assert.equal(n.length, 0);
    assert.equal(t.mailer.lastTo(w.outsider.email), undefined);
    for (const m of t.mailer.sent) {
      if ([w.outsider.email, w.outsiderLead.email].includes(m.to)) assert.ok(!m.text.includes(MARK) && !m.html.includes(MARK));
    }
  });

  test('the private calendar feed of an outsider carries none of the group’s events', async () => {
    const agent = await new Agent(t.app).signIn(w.outsider.email);
    const res = await agent.post('/settings/calendar/feed');
    assert.equal(res.statusCode, 303);
    const page = await agent.get('/settings/calendar');
    const feed = page.body.match(/\/calendar\/[A-Za-z0-9_-]+\.ics/)?.[0];
    assert.ok(feed, 'the settings page shows the private feed address');
    const ics = await t.app.inject(feed!);
    assert.equal(ics.statusCode, 200);
    assert.ok(!ics.body.includes(MARK));
  });
});

describe('youth: one contact rule for every notification', () => {
  test('a stranger reaches a youth member by no kind of notification; someone sharing a group does', async () => {
    const youth = await buildUser(t.db, { is_youth: true });
    const stranger = await buildUser(t.db);
    const peer = await buildUser(t.db);
    // A public community-wide thread the youth member watches, and a group they watch.
    const starter = await apiToken(t.app, peer.email);
    // The peer shares a group with the youth member; the stranger shares none.
    await buildGroup(t.db, { memberIds: [youth.id, peer.id] });
    const open = await buildGroup(t.db, { memberIds: [youth.id] });
    const th = await t.app.inject({ method: 'POST', url: '/api/v1/discussions', headers: bearer(starter), payload: { title: 'Open question', body: 'What helps at lunch time?' } });
    assert.equal(th.statusCode, 201, th.body);
    const threadId = th.json().id as number;
    const yt = await apiToken(t.app, youth.email);
    const youthPost = await t.app.inject({ method: 'POST', url: `/api/v1/threads/${threadId}/posts`, headers: bearer(yt), payload: { body: 'Quiet tables help me.' } });
    assert.equal(youthPost.statusCode, 201);
    await t.db.insertInto('thread_watches').values({ user_id: youth.id, thread_id: threadId, level: 'watching' }).onConflict((oc) => oc.columns(['user_id', 'thread_id']).doUpdateSet({ level: 'watching' })).execute();
    await t.db.insertInto('group_watches').values({ user_id: youth.id, group_id: open.id, level: 'watching' }).onConflict((oc) => oc.columns(['user_id', 'group_id']).doUpdateSet({ level: 'watching' })).execute();
    await t.db.updateTable('users').set({ email_notifications: 'immediate' }).where('id', '=', youth.id).execute();
    const st = await apiToken(t.app, stranger.email);
    const handle = (await t.db.selectFrom('users').select('handle').where('id', '=', youth.id).executeTakeFirstOrThrow()).handle;
    // One post that is a reply in a watched thread, a direct reply to the youth member and a mention.
    await t.app.inject({ method: 'POST', url: `/api/v1/threads/${threadId}/posts`, headers: bearer(st), payload: { body: `Stranger here, @${handle}`, reply_to: youthPost.json().id } });
    await t.jobs.drain();
    const got = await t.db.selectFrom('notifications').select(['kind', 'actor_id']).where('user_id', '=', youth.id).execute();
    assert.deepEqual(got.filter((n) => n.actor_id === stranger.id), [], 'nothing from the stranger');
    assert.equal(t.mailer.sent.filter((m) => m.to === youth.email).length, 0, 'no email either');
    // Someone sharing a group gets through (so the test can fail).
    await t.app.inject({ method: 'POST', url: `/api/v1/threads/${threadId}/posts`, headers: bearer(starter), payload: { body: 'Good idea, thank you.' } });
    await t.jobs.drain();
    const after = await t.db.selectFrom('notifications').select(['kind', 'actor_id']).where('user_id', '=', youth.id).execute();
    assert.ok(after.some((n) => n.actor_id === peer.id && n.kind === 'watched_post'), JSON.stringify(after));
  });
});
