import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { ENGINE, apiToken, bearer, buildGroup, buildTestApp, buildUser, onCleanup, type TestContext } from '../../../test/helpers.js';
import { connect } from '../db/db.js';
import { Jobs } from './jobs.js';
import { registerJobs } from '../../jobs.js';
import { sendDigest } from '../../notifications/notify.js';
import { emailFollowup, followupSweep } from '../../value/followups.js';
import { sendEventMail } from '../../events/jobs.js';
import { bookmarkReminder } from '../../discussions/bookmarks.js';

/*
 * A job handler that holds a transaction must do all its reading through that transaction.
 * Reading through the pool instead needs a second connection while the first is held: with a
 * small pool (three per core by default when PostgreSQL is on the same machine) and several
 * queues busy at once, every connection could be held by a handler waiting for another, and
 * all of them would wait until the pool gives up. Here the jobs run on a pool of ONE connection:
 * a handler that asks for a second waits out the pool's timeout and fails.
 */

let t: TestContext;
before(async () => {
  t = await buildTestApp();
});

test('the mail jobs (a reply by email, mailing-list mode) finish on a pool of one connection', async () => {
  const ana = await buildUser(t.db, { name: 'Ana Onepool' });
  const ben = await buildUser(t.db, { name: 'Ben Onepool' });
  const cy = await buildUser(t.db, { name: 'Cy Onepool' });
  const g = await buildGroup(t.db, { leadId: ana.id, memberIds: [ben.id, cy.id] });
  await t.db.updateTable('users').set({ email_notifications: 'immediate' }).where('id', '=', ana.id).execute();
  const anaToken = await apiToken(t.app, ana.email);
  const benToken = await apiToken(t.app, ben.email);
  const cyToken = await apiToken(t.app, cy.email);
  const list = await t.app.inject({ method: 'PUT', url: '/api/v1/me/mailing-list', headers: bearer(cyToken), payload: { groups: [g.slug] } });
  assert.equal(list.statusCode, 200, list.body);
  const started = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${g.slug}/threads`, headers: bearer(anaToken), payload: { title: 'One connection', body: 'Opening words.' } });
  assert.equal(started.statusCode, 201, started.body);
  const replied = await t.app.inject({ method: 'POST', url: `/api/v1/threads/${started.json().id}/posts`, headers: bearer(benToken), payload: { body: 'A reply for Ana.' } });
  assert.equal(replied.statusCode, 201, replied.body);

  const one = connect(t.url, ENGINE, { max: 1 });
  onCleanup(() => one.close());
  const jobs = new Jobs(one.db);
  registerJobs({ db: one.db, jobs, mailer: t.mailer, config: t.config });
  const sentBefore = t.mailer.sent.length;
  const r = await jobs.drain();
  assert.equal(r.failed, 0, r.errors.map((e) => e.stack).join('\n'));
  const queues = (await sql<{ name: string }>`SELECT name FROM pgboss.job WHERE state = 'completed'`.execute(t.db)).rows;
  for (const q of ['post-published', 'notification-email', 'list-email']) assert.ok(queues.some((j) => j.name === q), `a ${q} job ran`);
  const sent = t.mailer.sent.slice(sentBefore);
  assert.ok(sent.some((m) => m.to === ana.email), 'Ana is emailed the reply');
  assert.ok(sent.some((m) => m.to === cy.email), 'Cy gets the posts as a mailing list');
});

test('the scheduled mail (a digest, a question about use, a convening confirmation, a bookmark reminder) finishes on a pool of one connection', async () => {
  const fac = await buildUser(t.db, { name: 'Fay Onepool', role: 'facilitator' });
  const dee = await buildUser(t.db, { name: 'Dee Onepool' });
  const g = await buildGroup(t.db, { leadId: fac.id, memberIds: [dee.id] });
  const facToken = await apiToken(t.app, fac.email);
  const deeToken = await apiToken(t.app, dee.email);
  // Dee reads her notifications as a daily digest.
  await t.db.updateTable('users').set({ email_notifications: 'daily' }).where('id', '=', dee.id).execute();
  const started = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${g.slug}/threads`, headers: bearer(deeToken), payload: { title: 'Scheduled on one connection', body: 'Opening words.' } });
  assert.equal(started.statusCode, 201, started.body);
  const replied = await t.app.inject({ method: 'POST', url: `/api/v1/threads/${started.json().id}/posts`, headers: bearer(facToken), payload: { body: 'A reply for Dee.' } });
  assert.equal(replied.statusCode, 201, replied.body);
  const replyId = Number(replied.json().id);
  await t.jobs.drain();
  // A bookmark on the reply whose reminder is due, and a question about a public resource that has come due.
  const remindAt = new Date(Date.now() - 60_000);
  await t.db.insertInto('bookmarks').values({ user_id: dee.id, post_id: replyId, note: 'Bring it to the team', remind_at: remindAt }).execute();
  const resource = await t.db.insertInto('resources').values({ slug: `one-pool-${dee.id}`, title: 'One pool guide', kind: 'guide', visibility: 'public', created_by: fac.id }).returning('id').executeTakeFirstOrThrow();
  await t.db.insertInto('use_followups').values({ user_id: dee.id, resource_id: resource.id, trigger: 'link', due_at: new Date(Date.now() - 86_400_000) }).execute();
  // A convening Dee registers for.
  const ev = await t.app.inject({
    method: 'POST',
    url: '/api/v1/events',
    headers: bearer(facToken),
    payload: { title: 'One pool call', kind: 'group_call', scope: 'community', start_date: new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10), start_time: '15:00', end_time: '16:00', time_zone: 'America/New_York' },
  });
  assert.equal(ev.statusCode, 201, ev.body);
  const registered = await t.app.inject({ method: 'POST', url: `/api/v1/events/${ev.json().id}/registrations`, headers: bearer(deeToken), payload: { response: 'going' } });
  assert.ok(registered.statusCode < 300, registered.body);

  const one = connect(t.url, ENGINE, { max: 1 });
  onCleanup(() => one.close());
  const deps = { db: one.db, jobs: new Jobs(one.db), mailer: t.mailer, config: t.config };
  const sentBefore = t.mailer.sent.length;
  assert.equal(await bookmarkReminder(deps, { userId: dee.id, postId: replyId, remindAt: remindAt.toISOString() }), 'sent');
  assert.equal(await sendDigest(deps, dee.id), 'sent');
  assert.equal(await followupSweep(deps), 1);
  const followup = await t.db.selectFrom('use_followups').select('id').where('user_id', '=', dee.id).executeTakeFirstOrThrow();
  assert.equal(await emailFollowup(deps, followup.id), 'sent');
  assert.equal(await sendEventMail(deps, { eventId: ev.json().id, userId: dee.id, kind: 'registered', stamp: 'one-pool' }), 'sent');
  const subjects = t.mailer.sent.slice(sentBefore).filter((m) => m.to === dee.email).map((m) => m.subject);
  assert.equal(subjects.length, 3, subjects.join(' | '));
  assert.ok(subjects.some((s) => /daily summary: 2 notifications/.test(s)), 'the digest holds the reply and the reminder');
  assert.ok(subjects.some((s) => /One pool guide/.test(s)), 'the question about use');
  assert.ok(subjects.some((s) => /One pool call/.test(s)), 'the confirmation');
});
