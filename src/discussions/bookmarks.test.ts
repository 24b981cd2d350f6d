import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import { sql } from 'kysely';
import { Agent, apiToken, bearer, buildGroup, buildTestApp, buildUser, textOf, type TestContext } from '../../test/helpers.js';
import { bookmarkReminder, presetTime } from './bookmarks.js';

let t: TestContext;
before(async () => {
  t = await buildTestApp();
});

/** A thread in a new group with a reply; returns both posts. */
async function thread(visibility: 'public' | 'private' = 'public', memberIds: number[] = []) {
  const author = await buildUser(t.db, { name: 'Bea Author' });
  const g = await buildGroup(t.db, { leadId: author.id, visibility, memberIds });
  const token = await apiToken(t.app, author.email);
  const made = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${g.slug}/threads`, headers: bearer(token), payload: { title: 'Morning meetings that work', body: 'Ten minutes, every day, same questions.' } });
  assert.equal(made.statusCode, 201, made.body);
  const id = made.json().id as number;
  const reply = await t.app.inject({ method: 'POST', url: `/api/v1/threads/${id}/posts`, headers: bearer(token), payload: { body: 'We added a family check-in on Fridays.' } });
  const opening = await t.db.selectFrom('posts').select('id').where('thread_id', '=', id).where('is_opening', '=', true).executeTakeFirstOrThrow();
  return { author, group: g, threadId: id, opening: opening.id, reply: reply.json().id as number };
}

const bookmarksOf = (userId: number) => t.db.selectFrom('bookmarks').selectAll().where('user_id', '=', userId).orderBy('post_id').execute();

describe('bookmarks', () => {
  test('one click keeps a post (a double submit keeps one) and opens the form; the thread shows it as bookmarked to that reader only', async () => {
    const { threadId, reply } = await thread();
    const reader = await buildUser(t.db);
    const agent = await new Agent(t.app).signIn(reader.email);
    const [a, b] = await Promise.all([agent.post(`/posts/${reply}/bookmark`), agent.post(`/posts/${reply}/bookmark`)]);
    assert.equal(a.statusCode, 303);
    assert.equal(b.statusCode, 303);
    assert.equal(a.headers.location, `/posts/${reply}/bookmark`);
    assert.equal((await bookmarksOf(reader.id)).length, 1);
    const form = await agent.get(`/posts/${reply}/bookmark`);
    assert.equal(form.statusCode, 200);
    assert.match(textOf(form.body), /Your bookmark[\s\S]*We added a family check-in on Fridays[\s\S]*Remind me[\s\S]*Remove bookmark/);

    const page = (await agent.get(`/threads/${threadId}`)).body;
    assert.match(page, new RegExp(`<a class="usa-link convene-bookmark convene-bookmark--on" href="/posts/${reply}/bookmark">Bookmarked</a>`));
    const other = await new Agent(t.app).signIn((await buildUser(t.db)).email);
    const otherPage = (await other.get(`/threads/${threadId}`)).body;
    assert.doesNotMatch(otherPage, /convene-bookmark--on/, "one reader's bookmark is not shown to another");
    assert.match(otherPage, new RegExp(`action="/posts/${reply}/bookmark"`));
    assert.doesNotMatch((await t.app.inject(`/threads/${threadId}`)).body, /\/bookmark"/, 'visitors get no bookmark button');
  });

  test('a note and a reminder "tomorrow morning" in the reader’s own time zone; when due, one notification and one email carrying the note', async () => {
    const { threadId, reply } = await thread();
    const reader = await buildUser(t.db, { name: 'Rey Reader' });
    await t.db.updateTable('users').set({ time_zone: 'America/Chicago' }).where('id', '=', reader.id).execute();
    const agent = await new Agent(t.app).signIn(reader.email);
    const saved = await agent.post(`/posts/${reply}/bookmark`, { note: 'Try this with the 6th grade team', remind: 'tomorrow', remind_at: '' });
    assert.equal(saved.statusCode, 303, saved.body);
    assert.equal(saved.headers.location, `/threads/${threadId}#post-${reply}`);
    const [row] = await bookmarksOf(reader.id);
    assert.equal(row!.note, 'Try this with the 6th grade team');
    const local = DateTime.fromJSDate(row!.remind_at!, { zone: 'America/Chicago' });
    assert.equal(local.toFormat('HH:mm'), '09:00');
    assert.equal(local.startOf('day').diff(DateTime.now().setZone('America/Chicago').startOf('day'), 'days').days, 1);
    const job = (await sql<{ start_after: Date }>`SELECT start_after FROM pgboss.job WHERE name = 'bookmark-reminder' AND data ->> 'postId' = ${String(reply)}`.execute(t.db)).rows;
    assert.equal(job.length, 1, 'the reminder is queued for its time');
    assert.equal(new Date(job[0]!.start_after).getTime(), row!.remind_at!.getTime());

    // The list shows it with its reminder.
    const list = textOf((await agent.get('/bookmarks')).body);
    assert.match(list, /Morning meetings that work[\s\S]*Reply by Bea Author[\s\S]*Your note: Try this with the 6th grade team[\s\S]*Reminder:/);

    t.mailer.sent.length = 0;
    const data = { userId: reader.id, postId: reply, remindAt: row!.remind_at!.toISOString() };
    assert.equal(await bookmarkReminder({ db: t.db, jobs: t.jobs }, data), 'sent');
    assert.equal(await bookmarkReminder({ db: t.db, jobs: t.jobs }, data), 'skipped', 'sent once');
    const notes = await t.db.selectFrom('notifications').select(['kind', 'post_id']).where('user_id', '=', reader.id).execute();
    assert.deepEqual(notes, [{ kind: 'reminder', post_id: reply }]);
    await t.jobs.drain();
    const mail = t.mailer.lastTo(reader.email);
    assert.ok(mail, 'the reminder is emailed to someone who wants mail right away');
    assert.match(mail.text ?? '', /You asked to be reminded of a message in “Morning meetings that work”/);
    assert.match(mail.text ?? '', /Your note: Try this with the 6th grade team/);
    assert.match(textOf((await agent.get('/notifications')).body), /Reminder: a message you bookmarked in/);
  });

  test('a reminder that was changed or removed, or a post the reader can no longer read, sends nothing', async () => {
    const member = await buildUser(t.db);
    const { reply, group } = await thread('private', [member.id]);
    const token = await apiToken(t.app, member.email);
    const first = new Date(Date.now() + 3_600_000).toISOString();
    assert.equal((await t.app.inject({ method: 'PUT', url: `/api/v1/posts/${reply}/bookmark`, headers: bearer(token), payload: { remind_at: first } })).statusCode, 204);
    const second = new Date(Date.now() + 7_200_000).toISOString();
    await t.app.inject({ method: 'PUT', url: `/api/v1/posts/${reply}/bookmark`, headers: bearer(token), payload: { remind_at: second, note: 'later' } });
    assert.equal(await bookmarkReminder({ db: t.db, jobs: t.jobs }, { userId: member.id, postId: reply, remindAt: first }), 'skipped', 'the old time no longer holds');
    await t.db.deleteFrom('group_memberships').where('group_id', '=', group.id).where('user_id', '=', member.id).execute();
    assert.equal(await bookmarkReminder({ db: t.db, jobs: t.jobs }, { userId: member.id, postId: reply, remindAt: second }), 'skipped', 'no access, no reminder');
    assert.equal((await t.db.selectFrom('notifications').select('id').where('user_id', '=', member.id).where('kind', '=', 'reminder').execute()).length, 0);
    // Out of the group, the bookmark is not listed (and its post not shown), but it can still be removed.
    const listed = await t.app.inject({ url: '/api/v1/bookmarks', headers: bearer(token) });
    assert.deepEqual(listed.json().bookmarks, []);
    assert.equal((await t.app.inject({ method: 'DELETE', url: `/api/v1/posts/${reply}/bookmark`, headers: bearer(token) })).statusCode, 204);
    assert.equal((await bookmarksOf(member.id)).length, 0);
  });

  test('bad input gets field messages and writes nothing: no date, a past date, a date too far, a note too long or with a line break', async () => {
    const { reply } = await thread();
    const reader = await buildUser(t.db);
    const agent = await new Agent(t.app).signIn(reader.email);
    const cases: [Record<string, string>, RegExp][] = [
      [{ remind: 'custom', remind_at: '' }, /Enter the date and time of the reminder/],
      [{ remind: 'custom', remind_at: '2020-01-01T09:00' }, /Choose a time that has not passed yet/],
      [{ remind: 'custom', remind_at: '2099-01-01T09:00' }, /Choose a time within the next two years/],
      [{ remind: 'custom', remind_at: '2027-02-30T09:00' }, /Enter a real date and time/],
      [{ remind: 'sometime', note: '' }, /Choose one of the options/],
      [{ remind: '', note: 'x'.repeat(501) }, /Use 500 characters or fewer/],
      [{ remind: '', note: 'two\nlines' }, /Use one line of visible text/],
    ];
    for (const [fields, message] of cases) {
      const res = await agent.post(`/posts/${reply}/bookmark`, fields);
      assert.equal(res.statusCode, 400, JSON.stringify(fields));
      assert.match(textOf(res.body), /There is a problem|Please check/);
      assert.match(textOf(res.body), message);
    }
    assert.equal((await bookmarksOf(reader.id)).length, 0);
    const token = await apiToken(t.app, reader.email);
    const api = await t.app.inject({ method: 'PUT', url: `/api/v1/posts/${reply}/bookmark`, headers: bearer(token), payload: { remind_at: '2001-01-01T00:00:00Z' } });
    assert.equal(api.statusCode, 400);
    assert.ok(api.json().error.fields.remind_at);
    assert.equal((await bookmarksOf(reader.id)).length, 0);
  });

  test('private posts: outsiders get not found on the form, the button and the API; visitors are asked to sign in', async () => {
    const member = await buildUser(t.db);
    const { reply } = await thread('private', [member.id]);
    const outsider = await new Agent(t.app).signIn((await buildUser(t.db)).email);
    assert.equal((await outsider.get(`/posts/${reply}/bookmark`)).statusCode, 404);
    assert.equal((await outsider.post(`/posts/${reply}/bookmark`)).statusCode, 404);
    const outsiderToken = await apiToken(t.app, (await buildUser(t.db)).email);
    assert.equal((await t.app.inject({ method: 'PUT', url: `/api/v1/posts/${reply}/bookmark`, headers: bearer(outsiderToken), payload: {} })).statusCode, 404);
    assert.equal((await t.app.inject({ method: 'DELETE', url: `/api/v1/posts/${reply}/bookmark`, headers: bearer(outsiderToken) })).statusCode, 404);
    const visitor = await t.app.inject('/bookmarks');
    assert.equal(visitor.statusCode, 303);
    assert.match(visitor.headers.location as string, /^\/login\?next=%2Fbookmarks/);
    assert.equal((await t.app.inject('/api/v1/bookmarks')).statusCode, 401);
    // A hidden post cannot be bookmarked by its readers either.
    await t.db.updateTable('posts').set({ hidden_at: new Date() }).where('id', '=', reply).execute();
    const memberAgent = await new Agent(t.app).signIn(member.email);
    assert.equal((await memberAgent.post(`/posts/${reply}/bookmark`)).statusCode, 404);
  });

  test('the list puts reminders still to come first (soonest first), then the newest; the API gives the same', async () => {
    const { opening, reply } = await thread();
    const more = await thread();
    const reader = await buildUser(t.db);
    const token = await apiToken(t.app, reader.email);
    const put = (post: number, payload: Record<string, unknown>) => t.app.inject({ method: 'PUT', url: `/api/v1/posts/${post}/bookmark`, headers: bearer(token), payload });
    await put(opening, {});
    await put(more.opening, { remind_at: new Date(Date.now() + 5 * 86_400_000).toISOString() });
    await put(reply, { note: 'soon', remind_at: new Date(Date.now() + 86_400_000).toISOString() });
    await put(more.reply, {});
    const listed = (await t.app.inject({ url: '/api/v1/bookmarks', headers: bearer(token) })).json().bookmarks as { post_id: number; note: string; reminded: boolean }[];
    assert.deepEqual(
      listed.map((b) => b.post_id),
      [reply, more.opening, more.reply, opening],
    );
    assert.equal(listed[0]!.note, 'soon');
    // Leaving the note out keeps it; null clears the reminder.
    await put(reply, { remind_at: null });
    const [row] = (await bookmarksOf(reader.id)).filter((b) => b.post_id === reply);
    assert.equal(row!.note, 'soon');
    assert.equal(row!.remind_at, null);
  });

  test('presets fall at nine in the morning local time, across a daylight-saving change', () => {
    // 2027-03-13 20:00 in Chicago (CST); next week's 9:00 is after the change to CDT.
    const now = DateTime.fromISO('2027-03-13T20:00', { zone: 'America/Chicago' }).toJSDate();
    const next = DateTime.fromJSDate(presetTime('next_week', 'America/Chicago', now), { zone: 'America/Chicago' });
    assert.equal(next.toFormat('yyyy-MM-dd HH:mm ZZZZ'), '2027-03-20 09:00 CDT');
    const tomorrow = DateTime.fromJSDate(presetTime('tomorrow', 'America/Chicago', now), { zone: 'America/Chicago' });
    assert.equal(tomorrow.toFormat('yyyy-MM-dd HH:mm'), '2027-03-14 09:00');
  });
});
