import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { ENGINE, apiToken, bearer, buildGroup, buildTestApp, buildUser, onCleanup, type TestContext } from '../../../test/helpers.js';
import { connect } from '../db/db.js';
import { Jobs } from './jobs.js';
import { registerJobs } from '../../jobs.js';

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
