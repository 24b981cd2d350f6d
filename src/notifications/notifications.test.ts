import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import type { ParsedMail } from 'mailparser';
import { Agent, ENGINE, apiToken, bearer, buildGroup, buildTestApp, buildUser, onCleanup, testConfig, textOf, type TestContext, startSmtpCapture } from '../../test/helpers.js';
import { buildApp } from '../app.js';
import { Jobs } from '../platform/jobs/jobs.js';
import { createMailer } from '../platform/mail/mailer.js';
import { loadSessionActor } from '../platform/auth/actor.js';
import { createSession } from '../platform/auth/sessions.js';
import { hashToken } from '../platform/auth/secrets.js';
import { unreadCount, unreadCountSubquery } from './queries.js';
import { digestSweep, emailNotification, sendDigest, unsubscribeToken } from './notify.js';

let t: TestContext;
before(async () => {
  t = await buildTestApp();
});

async function startThread(token: string, slug: string | null, title: string, body: string) {
  const url = slug ? `/api/v1/groups/${slug}/threads` : '/api/v1/discussions';
  const res = await t.app.inject({ method: 'POST', url, headers: bearer(token), payload: { title, body } });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().id as number;
}
async function reply(token: string, threadId: number, body: string, extra: Record<string, unknown> = {}) {
  const res = await t.app.inject({ method: 'POST', url: `/api/v1/threads/${threadId}/posts`, headers: bearer(token), payload: { body, ...extra } });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().id as number;
}
const handleOf = async (id: number) => (await t.db.selectFrom('users').select('handle').where('id', '=', id).executeTakeFirstOrThrow()).handle;
const notificationsOf = (userId: number) => t.db.selectFrom('notifications').selectAll().where('user_id', '=', userId).orderBy('id').execute();
async function drain() {
  const r = await t.jobs.drain();
  assert.equal(r.failed, 0, r.errors.map((e) => e.stack).join('\n'));
  return r;
}

describe('in-app notifications', () => {
  test('replies and @mentions notify the right people once; the page, the API and opening the thread agree', async () => {
    const ana = await buildUser(t.db, { name: 'Ana Author' });
    const ben = await buildUser(t.db, { name: 'Ben Replier' });
    const cy = await buildUser(t.db, { name: 'Cy Mentioned' });
    const g = await buildGroup(t.db, { leadId: ana.id, memberIds: [ben.id, cy.id] });
    const anaToken = await apiToken(t.app, ana.email);
    const benToken = await apiToken(t.app, ben.email);
    const threadId = await startThread(anaToken, g.slug, 'Family nights', 'How do you run them?');
    const opening = await t.db.selectFrom('posts').select('id').where('thread_id', '=', threadId).executeTakeFirstOrThrow();
    const cyHandle = await handleOf(cy.id);
    const postId = await reply(benToken, threadId, `We invite @${cyHandle} every month.`, { reply_to: opening.id });
    await drain();
    await drain(); // a second run finds nothing new to do

    const forAna = await notificationsOf(ana.id);
    assert.deepEqual(forAna.map((n) => [n.kind, n.post_id]), [['reply', postId]]);
    const forCy = await notificationsOf(cy.id);
    assert.deepEqual(forCy.map((n) => [n.kind, n.post_id]), [['mention', postId]]);
    assert.equal((await notificationsOf(ben.id)).length, 0, 'nobody is notified of their own post');

    // The mention renders as a link that leads to the profile.
    const page = await t.app.inject(`/threads/${threadId}`);
    assert.match(page.body, new RegExp(`<a href="/u/${cyHandle}" class="mention"[^>]*>@${cyHandle}</a>`));
    const u = await t.app.inject(`/u/${cyHandle}`);
    assert.equal(u.statusCode, 302);
    assert.equal(u.headers.location, `/people/${cy.id}`);

    // API: unread count and the list.
    const cyToken = await apiToken(t.app, cy.email);
    const api = await t.app.inject({ url: '/api/v1/notifications', headers: bearer(cyToken) });
    assert.equal(api.statusCode, 200);
    assert.equal(api.json().unread, 1);
    assert.equal(api.json().notifications[0].kind, 'mention');
    assert.equal(api.json().notifications[0].thread.id, threadId);

    // The page lists it; the header shows the count; opening the thread reads it.
    const cyAgent = await new Agent(t.app).signIn(cy.email);
    const list = await cyAgent.get('/notifications');
    assert.equal(list.statusCode, 200);
    assert.match(textOf(list.body), /Ben Replier mentioned you in\s+Family nights/);
    assert.match(list.body, /Notifications \(1 unread\)/);
    // The header on that very page no longer counts it (the count came with the session, before the read).
    const opened = await cyAgent.get(`/threads/${threadId}`);
    assert.equal(opened.statusCode, 200);
    assert.doesNotMatch(opened.body, /unread\)/);
    const after = await t.app.inject({ url: '/api/v1/notifications', headers: bearer(cyToken) });
    assert.equal(after.json().unread, 0);
    assert.equal(after.json().notifications[0].read, true);
  });

  test("the header's count, loaded with the session, counts exactly what the notification list shows", async () => {
    const member = await buildUser(t.db);
    const facilitator = await buildUser(t.db, { role: 'facilitator' });
    const author = await buildUser(t.db);
    const open = await buildGroup(t.db, { leadId: author.id, memberIds: [member.id] });
    const secret = await buildGroup(t.db, { leadId: author.id, visibility: 'private' });
    const now = new Date();
    const thread = async (groupId: number | null, deleted = false) =>
      (await t.db.insertInto('threads').values({ group_id: groupId, author_id: author.id, title: 'Counted?', created_at: now, last_activity_at: now, deleted_at: deleted ? now : null }).returning('id').executeTakeFirstOrThrow()).id;
    const post = async (threadId: number, over: { hidden_at?: Date; deleted_at?: Date } = {}) =>
      (await t.db.insertInto('posts').values({ thread_id: threadId, author_id: author.id, body: 'A post.', created_at: now, ...over }).returning('id').executeTakeFirstOrThrow()).id;
    const [tOpen, tSecret, tGone, tSpace] = [await thread(open.id), await thread(secret.id), await thread(open.id, true), await thread(null)];
    const [shown, hidden, deleted, inSecret, inGone, inSpace] = [await post(tOpen), await post(tOpen, { hidden_at: now }), await post(tOpen, { deleted_at: now }), await post(tSecret), await post(tGone), await post(tSpace)];
    for (const user of [member, facilitator]) {
      const rows: { kind: 'reply' | 'moderation' | 'watched_post' | 'new_thread' | 'mention'; thread_id: number; post_id: number; read_at?: Date }[] = [
        { kind: 'reply', thread_id: tOpen, post_id: shown }, // counted
        { kind: 'reply', thread_id: tOpen, post_id: hidden }, // a hidden post: not counted
        { kind: 'moderation', thread_id: tOpen, post_id: hidden }, // the notice of its hiding: counted
        { kind: 'reply', thread_id: tOpen, post_id: deleted }, // a deleted post: not counted
        { kind: 'reply', thread_id: tSecret, post_id: inSecret }, // a private group: the facilitator only
        { kind: 'watched_post', thread_id: tGone, post_id: inGone }, // a deleted thread: the facilitator only
        { kind: 'new_thread', thread_id: tSpace, post_id: inSpace }, // the community space: counted
        { kind: 'mention', thread_id: tSpace, post_id: inSpace, read_at: now }, // already read: not counted
      ];
      await t.db.insertInto('notifications').values(rows.map((r) => ({ ...r, user_id: user.id, data: JSON.stringify({}), created_at: now }))).execute();
    }
    for (const [user, expected] of [[member, 3], [facilitator, 5]] as const) {
      const found = await loadSessionActor(t.db, hashToken(await createSession(t.db, user.id)), unreadCountSubquery());
      assert.ok(found && found.actor.kind === 'user');
      assert.equal(found.actor.unreadNotifications, expected);
      assert.equal(await unreadCount(t.db, found.actor), expected, 'the notification list counts the same');
    }
  });

  test('the notification API is in the OpenAPI document', async () => {
    const doc = (await t.app.inject('/api/openapi.json')).json();
    for (const path of ['/api/v1/notifications', '/api/v1/notifications/read', '/api/v1/groups/{slug}/watch', '/api/v1/threads/{id}/watch']) assert.ok(doc.paths[path], path);
  });

  test('mark all read (form and API); signed-out visitors are sent to sign in; bad ids are refused', async () => {
    const a = await buildUser(t.db);
    const b = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: a.id, memberIds: [b.id] });
    const threadId = await startThread(await apiToken(t.app, a.email), g.slug, 'Read me', 'Opening');
    const bToken = await apiToken(t.app, b.email);
    await reply(bToken, threadId, `Hi @${await handleOf(a.id)}`);
    await reply(bToken, threadId, 'Another message');
    await drain();
    const aToken = await apiToken(t.app, a.email);
    assert.ok((await t.app.inject({ url: '/api/v1/notifications', headers: bearer(aToken) })).json().unread >= 1);
    const agent = await new Agent(t.app).signIn(a.email);
    const res = await agent.post('/notifications/read');
    assert.equal(res.statusCode, 303);
    assert.equal((await t.app.inject({ url: '/api/v1/notifications', headers: bearer(aToken) })).json().unread, 0);
    const bad = await agent.post('/notifications/read', { id: 'nope' });
    assert.equal(bad.statusCode, 400);
    const api = await t.app.inject({ method: 'POST', url: '/api/v1/notifications/read', headers: bearer(aToken), payload: { ids: [-1] } });
    assert.equal(api.statusCode, 400);
    assert.equal((await t.app.inject('/notifications')).statusCode, 303);
    assert.equal((await t.app.inject('/api/v1/notifications')).statusCode, 401);
  });

  test('a private group: outsiders are never notified, and a member who leaves stops seeing its notifications', async () => {
    const lead = await buildUser(t.db);
    const member = await buildUser(t.db);
    const outsider = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: lead.id, memberIds: [member.id], visibility: 'private' });
    const leadToken = await apiToken(t.app, lead.email);
    const threadId = await startThread(leadToken, g.slug, 'Private planning', 'Only for us');
    await reply(leadToken, threadId, `Looping in @${await handleOf(outsider.id)} and @${await handleOf(member.id)}`);
    await drain();
    assert.equal((await notificationsOf(outsider.id)).length, 0, 'mentioning an outsider tells them nothing');
    assert.equal((await notificationsOf(member.id)).length, 1);
    // The outsider cannot watch it, open its live feed or its posts either.
    const outsiderAgent = await new Agent(t.app).signIn(outsider.email);
    assert.equal((await outsiderAgent.post(`/threads/${threadId}/watch`, { level: 'watching' })).statusCode, 404);
    assert.equal((await outsiderAgent.post(`/groups/${g.slug}/watch`, { level: 'watching' })).statusCode, 404);
    assert.equal((await outsiderAgent.get(`/threads/${threadId}/live`)).statusCode, 404);
    assert.equal((await outsiderAgent.get(`/threads/${threadId}/posts?after=0`)).statusCode, 404);

    await t.db.deleteFrom('group_memberships').where('group_id', '=', g.id).where('user_id', '=', member.id).execute();
    const memberToken = await apiToken(t.app, member.email);
    const api = await t.app.inject({ url: '/api/v1/notifications', headers: bearer(memberToken) });
    assert.equal(api.json().unread, 0);
    assert.equal(api.json().notifications.length, 0);
    const page = await (await new Agent(t.app).signIn(member.email)).get('/notifications');
    assert.doesNotMatch(page.body, /Private planning/);
  });

  test('watch levels: watching hears every post, tracking hears new threads, muting silences even mentions', async () => {
    const lead = await buildUser(t.db);
    const watcher = await buildUser(t.db);
    const tracker = await buildUser(t.db);
    const muter = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: lead.id, memberIds: [watcher.id, tracker.id, muter.id] });
    for (const [u, level] of [
      [watcher, 'watching'],
      [tracker, 'tracking'],
      [muter, 'muted'],
    ] as const) {
      const agent = await new Agent(t.app).signIn(u.email);
      const res = await agent.post(`/groups/${g.slug}/watch`, { level });
      assert.equal(res.statusCode, 303);
    }
    const leadToken = await apiToken(t.app, lead.email);
    const threadId = await startThread(leadToken, g.slug, 'Levels', `Hello @${await handleOf(muter.id)}`);
    await reply(leadToken, threadId, 'A follow-up');
    await drain();
    const kinds = async (id: number) => (await notificationsOf(id)).map((n) => n.kind).sort();
    assert.deepEqual(await kinds(watcher.id), ['new_thread', 'watched_post']);
    assert.deepEqual((await notificationsOf(tracker.id)).map((n) => n.kind), ['new_thread']);
    assert.deepEqual(await notificationsOf(muter.id), []);

    // A thread-level choice wins over the group's: the tracker now watches this thread.
    const trackerToken = await apiToken(t.app, tracker.email);
    const put = await t.app.inject({ method: 'PUT', url: `/api/v1/threads/${threadId}/watch`, headers: bearer(trackerToken), payload: { level: 'watching' } });
    assert.equal(put.statusCode, 200);
    await reply(leadToken, threadId, 'Third message');
    await drain();
    assert.deepEqual(await kinds(tracker.id), ['new_thread', 'watched_post']);
    // And the other way: the group watcher sets this thread to normal and hears no more replies.
    await t.app.inject({ method: 'PUT', url: `/api/v1/threads/${threadId}/watch`, headers: bearer(await apiToken(t.app, watcher.email)), payload: { level: 'normal' } });
    await reply(leadToken, threadId, 'Fourth message');
    await drain();
    assert.equal((await notificationsOf(watcher.id)).filter((n) => n.kind === 'watched_post').length, 2);

    // Bad levels are refused with field messages.
    const agent = await new Agent(t.app).signIn(tracker.email);
    const bad = await agent.post(`/groups/${g.slug}/watch`, { level: 'loud' });
    assert.equal(bad.statusCode, 400);
    const badApi = await t.app.inject({ method: 'PUT', url: `/api/v1/groups/${g.slug}/watch`, headers: bearer(trackerToken), payload: { level: 'loud' } });
    assert.equal(badApi.statusCode, 400);
    assert.ok(badApi.json().error.fields.level);
    // The group page shows the chosen level.
    const page = await agent.get(`/groups/${g.slug}`);
    assert.match(page.body, /<option value="tracking" selected/);
  });

  test('moderation outcomes reach the author', async () => {
    const fac = await buildUser(t.db, { role: 'facilitator' });
    const author = await buildUser(t.db);
    const threadId = await startThread(await apiToken(t.app, author.email), null, 'Community thread', 'Something to hide');
    const post = await t.db.selectFrom('posts').select('id').where('thread_id', '=', threadId).executeTakeFirstOrThrow();
    const agent = await new Agent(t.app).signIn(fac.email);
    assert.equal((await agent.post(`/posts/${post.id}/hide`)).statusCode, 303);
    assert.equal((await agent.post(`/posts/${post.id}/restore`)).statusCode, 303);
    await drain();
    const ns = await notificationsOf(author.id);
    assert.deepEqual(
      ns.map((n) => [n.kind, (n.data as { action: string }).action]),
      [
        ['moderation', 'hide'],
        ['moderation', 'restore'],
      ],
    );
    const list = await (await new Agent(t.app).signIn(author.email)).get('/notifications');
    assert.match(textOf(list.body), /A moderator hid your message in/);
  });

  test('@handle links: unknown handles and hidden people are not found; handles can be changed, not taken twice', async () => {
    assert.equal((await t.app.inject('/u/nobody_here')).statusCode, 404);
    const youth = await buildUser(t.db, { is_youth: true });
    assert.equal((await t.app.inject(`/u/${await handleOf(youth.id)}`)).statusCode, 404, 'youth are never shown to anonymous visitors');
    const a = await buildUser(t.db);
    const b = await buildUser(t.db);
    const agent = await new Agent(t.app).signIn(a.email);
    const settings = await agent.get('/settings');
    const name = /name="name"[^>]*value="([^"]+)"/.exec(settings.body)?.[1] ?? 'A';
    const taken = await agent.post('/settings/profile', { name, handle: await handleOf(b.id) });
    assert.equal(taken.statusCode, 400);
    assert.match(taken.body, /already uses that handle/);
    const bad = await agent.post('/settings/profile', { name, handle: 'no spaces!' });
    assert.equal(bad.statusCode, 400);
    const ok = await agent.post('/settings/profile', { name, handle: 'Ana_New' });
    assert.equal(ok.statusCode, 303);
    assert.equal(await handleOf(a.id), 'ana_new');
  });
});

describe('email', () => {
  test('immediate email: reloaded at send time, sent once, skipped when read, muted or no longer allowed', async () => {
    const a = await buildUser(t.db, { name: 'Alma' });
    const b = await buildUser(t.db, { name: 'Bo' });
    const g = await buildGroup(t.db, { leadId: a.id, memberIds: [b.id] });
    const threadId = await startThread(await apiToken(t.app, a.email), g.slug, 'Mail me', 'Opening');
    t.mailer.sent.length = 0;
    await reply(await apiToken(t.app, b.email), threadId, 'A reply for Alma', { reply_to: (await t.db.selectFrom('posts').select('id').where('thread_id', '=', threadId).executeTakeFirstOrThrow()).id });
    await drain();
    const mails = t.mailer.sent.filter((m) => m.to === a.email);
    assert.equal(mails.length, 1);
    assert.match(mails[0]!.subject, /Mail me/);
    assert.match(mails[0]!.text, /Bo replied to you/);
    assert.match(mails[0]!.text, new RegExp(`/threads/${threadId}#post-\\d+`));
    assert.ok(mails[0]!.headers?.['List-Unsubscribe']?.startsWith('<http://convene.test/unsubscribe/'));
    assert.equal(mails[0]!.headers?.['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click');
    const n = (await notificationsOf(a.id))[0]!;
    assert.ok(n.emailed_at);
    assert.equal(await emailNotification({ db: t.db, jobs: t.jobs, mailer: t.mailer, config: t.config }, n.id), 'skipped', 'never twice');

    // Turned off before the job ran: nothing is sent.
    await t.db.updateTable('users').set({ email_notifications: 'off' }).where('id', '=', a.id).execute();
    t.mailer.sent.length = 0;
    await reply(await apiToken(t.app, b.email), threadId, `Again @${await handleOf(a.id)}`);
    await t.db.updateTable('users').set({ email_notifications: 'immediate' }).where('id', '=', a.id).execute();
    await t.db.updateTable('users').set({ email_notifications: 'off' }).where('id', '=', a.id).execute();
    await drain();
    assert.equal(t.mailer.sent.filter((m) => m.to === a.email).length, 0);
  });

  test('daily digest: one message listing what is unread, then nothing until the next day', async () => {
    const a = await buildUser(t.db, { name: 'Dana Digest' });
    const b = await buildUser(t.db);
    await t.db.updateTable('users').set({ email_notifications: 'daily' }).where('id', '=', a.id).execute();
    const g = await buildGroup(t.db, { leadId: a.id, memberIds: [b.id] });
    const threadId = await startThread(await apiToken(t.app, a.email), g.slug, 'Digest topic', 'Opening');
    const bToken = await apiToken(t.app, b.email);
    await reply(bToken, threadId, `First @${await handleOf(a.id)}`);
    await reply(bToken, threadId, `Second @${await handleOf(a.id)}`);
    t.mailer.sent.length = 0;
    await drain();
    assert.equal(t.mailer.sent.filter((m) => m.to === a.email).length, 0, 'digest readers get no immediate mail');
    const deps = { db: t.db, jobs: t.jobs, mailer: t.mailer, config: t.config };
    assert.ok((await digestSweep(deps)) >= 1);
    await drain();
    const digests = t.mailer.sent.filter((m) => m.to === a.email);
    assert.equal(digests.length, 1);
    assert.match(digests[0]!.subject, /daily summary: 2 notifications/);
    assert.match(digests[0]!.text, /Digest topic/);
    assert.ok(digests[0]!.headers?.['List-Unsubscribe']);
    // Sweeping again the same day finds nothing due.
    assert.equal(await digestSweep(deps), 0);
    assert.equal(await sendDigest(deps, a.id), 'skipped');
  });

  test('one-click unsubscribe works without a session or CSRF token; bad tokens are not found', async () => {
    const a = await buildUser(t.db);
    const token = unsubscribeToken(t.config.sessionSecret, a.id);
    const page = await t.app.inject(`/unsubscribe/${token}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Stop the emails/);
    const res = await t.app.inject({ method: 'POST', url: `/unsubscribe/${token}`, payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(res.statusCode, 200);
    const row = await t.db.selectFrom('users').select('email_notifications').where('id', '=', a.id).executeTakeFirstOrThrow();
    assert.equal(row.email_notifications, 'off');
    assert.equal((await t.app.inject({ method: 'POST', url: `/unsubscribe/${a.id}.AAAAAAAAAAAAAAAAAAAAAA` })).statusCode, 404);
    assert.equal((await t.app.inject(`/unsubscribe/garbage`)).statusCode, 404);
  });

  test('settings: choose a frequency; bad values get a field message', async () => {
    const a = await buildUser(t.db);
    const agent = await new Agent(t.app).signIn(a.email);
    assert.equal((await agent.get('/settings/notifications')).statusCode, 200);
    assert.equal((await agent.post('/settings/notifications', { email_notifications: 'weekly' })).statusCode, 303);
    assert.equal((await t.db.selectFrom('users').select('email_notifications').where('id', '=', a.id).executeTakeFirstOrThrow()).email_notifications, 'weekly');
    const bad = await agent.post('/settings/notifications', { email_notifications: 'hourly' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /usa-error-message/);
    assert.equal((await t.app.inject('/settings/notifications')).statusCode, 303);
  });
});

describe('email through a real SMTP server and the job worker', () => {
  let received: ParsedMail[] = [];
  let port = 0;
  before(async () => {
    ({ port, received } = await startSmtpCapture());
  });

  test('a worker delivers a mention with a plain-text part, threading headers and a working unsubscribe', async () => {
    const config = testConfig({ smtpUrl: `smtp://127.0.0.1:${port}` });
    const mailer = createMailer({ smtpUrl: config.smtpUrl, dataDir: config.dataDir, from: 'Convene <no-reply@convene.test>' });
    const jobs = new Jobs(t.db, { work: true, pollingIntervalSeconds: 0.5 });
    const app = await buildApp({ config, db: t.db, jobs, engine: ENGINE, mailer, logger: false });
    onCleanup(async () => {
      await jobs.stop();
      await app.close();
      mailer.close();
      rmSync(config.dataDir, { recursive: true, force: true });
    });
    const a = await buildUser(t.db, { name: 'Smtp Reader' });
    const b = await buildUser(t.db, { name: 'Smtp Writer' });
    const threadId = await startThread(await apiToken(t.app, b.email), null, 'Over the wire', 'Opening');
    await jobs.start();
    const res = await app.inject({ method: 'POST', url: `/api/v1/threads/${threadId}/posts`, headers: bearer(await apiToken(app, b.email)), payload: { body: `Hello @${await handleOf(a.id)}, *welcome*` } });
    assert.equal(res.statusCode, 201);
    const deadline = Date.now() + 30_000;
    let mail: ParsedMail | undefined;
    while (!mail && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      mail = received.find((m) => (m.to as { text: string }).text.includes(a.email));
    }
    assert.ok(mail, 'the worker delivered the notification');
    assert.match(mail.text!, /Smtp Writer mentioned you in “Over the wire”/);
    assert.match(mail.text!, /> Hello @/);
    assert.ok(mail.html && /<em>welcome<\/em>/.test(mail.html));
    assert.match(mail.messageId!, /^<notification-\d+@convene\.test>$/);
    assert.match(String(mail.references), new RegExp(`thread-${threadId}@convene\\.test`));
    const raw = mail.headerLines.find((l) => l.key === 'list-unsubscribe')?.line ?? '';
    assert.ok(mail.headerLines.some((l) => l.key === 'list-unsubscribe-post' && /List-Unsubscribe=One-Click/.test(l.line)));
    const unsub = /<(http:\/\/convene\.test(\/unsubscribe\/[^>]+))>/.exec(raw);
    assert.ok(unsub, 'List-Unsubscribe header present');
    const post = await app.inject({ method: 'POST', url: unsub[2]!, payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(post.statusCode, 200);
    assert.equal((await t.db.selectFrom('users').select('email_notifications').where('id', '=', a.id).executeTakeFirstOrThrow()).email_notifications, 'off');
  });
});
