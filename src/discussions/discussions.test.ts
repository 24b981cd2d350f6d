import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, apiToken, bearer, buildGroup, buildTestApp, buildUser, textOf, type TestContext } from '../../test/helpers.js';
import { sql } from 'kysely';
import { renderMarkdown } from './markdown.js';

let t: TestContext;
before(async () => {
  t = await buildTestApp();
});

async function startThread(token: string, slug: string | null, title: string, body: string, extra: Record<string, unknown> = {}) {
  const url = slug ? `/api/v1/groups/${slug}/threads` : '/api/v1/discussions';
  const res = await t.app.inject({ method: 'POST', url, headers: bearer(token), payload: { title, body, ...extra } });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().id as number;
}

async function replyTo(token: string, threadId: number, body: string, extra: Record<string, unknown> = {}) {
  return t.app.inject({ method: 'POST', url: `/api/v1/threads/${threadId}/posts`, headers: bearer(token), payload: { body, ...extra } });
}

describe('threads and replies', () => {
  test('a member starts a thread from the form (a double submit makes one) and others reply, quoting', async () => {
    const lead = await buildUser(t.db, { name: 'Lea Lead' });
    const member = await buildUser(t.db, { name: 'Max Member' });
    const g = await buildGroup(t.db, { leadId: lead.id, memberIds: [member.id] });
    const agent = await new Agent(t.app).signIn(lead.email);
    const form = await agent.get(`/groups/${g.slug}/threads/new`);
    assert.equal(form.statusCode, 200);
    const idem = /name="_idem" value="([^"]+)"/.exec(form.body)![1]!;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;
    const fields = { title: 'Screening days that work', body: 'How do you **schedule** screening days?', language: 'en', _idem: idem };
    const [a, b] = await Promise.all([agent.post(`/groups/${g.slug}/threads`, fields, { csrf }), agent.post(`/groups/${g.slug}/threads`, fields, { csrf })]);
    assert.equal(a.statusCode, 303);
    assert.equal(a.headers.location, b.headers.location);
    const threads = await t.db.selectFrom('threads').select('id').where('group_id', '=', g.id).execute();
    assert.equal(threads.length, 1);
    const id = threads[0]!.id;

    const opening = await t.db.selectFrom('posts').select('id').where('thread_id', '=', id).where('is_opening', '=', true).executeTakeFirstOrThrow();
    const memberAgent = await new Agent(t.app).signIn(member.email);
    const r = await memberAgent.post(`/threads/${id}/replies`, { body: 'We pair them with *family nights*.', reply_to: String(opening.id), language: 'en' });
    assert.equal(r.statusCode, 303);
    assert.match(r.headers.location as string, new RegExp(`^/threads/${id}#post-\\d+$`));

    const page = await t.app.inject(`/threads/${id}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<strong>schedule<\/strong>/);
    assert.match(page.body, /<em>family nights<\/em>/);
    assert.match(page.body, new RegExp(`href="#post-${opening.id}">in reply to Lea Lead`));
    const row = await t.db.selectFrom('threads').select(['reply_count']).where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(row.reply_count, 1);
    const groupPage = await t.app.inject(`/groups/${g.slug}`);
    assert.match(groupPage.body, /Screening days that work/, 'the group page lists its latest discussions');
  });

  test('bad input: empty title, oversized body, NUL; nothing is written', async () => {
    const user = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: user.id });
    const token = await apiToken(t.app, user.email);
    const empty = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${g.slug}/threads`, headers: bearer(token), payload: { title: '   ', body: '' } });
    assert.equal(empty.statusCode, 400);
    assert.ok(empty.json().error.fields.title && empty.json().error.fields.body);
    const big = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${g.slug}/threads`, headers: bearer(token), payload: { title: 'Big', body: 'x'.repeat(60_000) } });
    assert.equal(big.statusCode, 400);
    const nul = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${g.slug}/threads`, headers: { ...bearer(token), 'content-type': 'application/json' }, payload: '{"title":"a\\u0000","body":"b"}' });
    assert.equal(nul.statusCode, 400);
    const agent = await new Agent(t.app).signIn(user.email);
    const form = await agent.post(`/groups/${g.slug}/threads`, { title: '', body: 'kept body' });
    assert.equal(form.statusCode, 400);
    assert.match(form.body, /id="field-title-error"/);
    assert.match(form.body, /kept body/);
    assert.equal((await t.db.selectFrom('threads').select('id').where('group_id', '=', g.id).execute()).length, 0);
  });

  test('who may post: members yes; non-members 403; anonymous 401; unverified 403', async () => {
    const lead = await buildUser(t.db);
    const outsider = await buildUser(t.db);
    const unverified = await buildUser(t.db, { verified: false });
    const g = await buildGroup(t.db, { leadId: lead.id, memberIds: [unverified.id] });
    const id = await startThread(await apiToken(t.app, lead.email), g.slug, 'Open to read', 'Anyone can read this.');
    assert.equal((await replyTo(await apiToken(t.app, outsider.email), id, 'let me in')).statusCode, 403);
    assert.equal((await t.app.inject({ method: 'POST', url: `/api/v1/threads/${id}/posts`, payload: { body: 'anon' } })).statusCode, 401);
    assert.equal((await replyTo(await apiToken(t.app, unverified.email), id, 'not yet')).statusCode, 403);
    const outsiderPost = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${g.slug}/threads`, headers: bearer(await apiToken(t.app, outsider.email)), payload: { title: 'x', body: 'y' } });
    assert.equal(outsiderPost.statusCode, 403);
    const anonPage = await t.app.inject(`/threads/${id}`);
    assert.equal(anonPage.statusCode, 200);
    assert.match(anonPage.body, /Sign in to reply/);
  });

  test('the community-wide space: any verified member starts threads; everyone reads them', async () => {
    const user = await buildUser(t.db);
    const token = await apiToken(t.app, user.email);
    const id = await startThread(token, null, 'Welcome thread for everyone', 'Say hello!');
    const list = await t.app.inject('/discussions');
    assert.match(list.body, /Welcome thread for everyone/);
    const api = await t.app.inject('/api/v1/discussions');
    assert.ok(api.json().threads.some((x: { id: number }) => x.id === id));
    const other = await buildUser(t.db);
    assert.equal((await replyTo(await apiToken(t.app, other.email), id, 'Hello back')).statusCode, 201);
  });
});

describe('student-privacy guard', () => {
  test('a post that seems to identify a student is held for the author to check, never silently blocked', async () => {
    const user = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: user.id });
    const token = await apiToken(t.app, user.email);
    const body = 'Jayden Morris in 7th grade was suspended twice this month.';
    const warned = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${g.slug}/threads`, headers: bearer(token), payload: { title: 'Advice needed', body } });
    assert.equal(warned.statusCode, 422);
    assert.equal(warned.json().error.code, 'privacy_warning');
    assert.match(warned.json().error.fields.acknowledge_privacy, /Jayden Morris/);
    assert.equal((await t.db.selectFrom('threads').select('id').where('group_id', '=', g.id).execute()).length, 0, 'nothing published yet');
    const ok = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${g.slug}/threads`, headers: bearer(token), payload: { title: 'Advice needed', body, acknowledge_privacy: true } });
    assert.equal(ok.statusCode, 201, 'the author decides');

    const agent = await new Agent(t.app).signIn(user.email);
    const form = await agent.post(`/threads/${ok.json().id}/replies`, { body: 'Maria Gonzalez has an IEP for autism.' });
    assert.equal(form.statusCode, 422);
    assert.match(form.body, /Could a student be identified\?/);
    assert.match(form.body, /name="acknowledge_privacy"/);
    assert.match(form.body, /Maria Gonzalez has an IEP for autism\./, 'the text is kept for editing');
    const deidentified = await agent.post(`/threads/${ok.json().id}/replies`, { body: 'A student I work with has an IEP for autism.' });
    assert.equal(deidentified.statusCode, 303);
  });
});

describe('private groups stay private', () => {
  test("a private group's threads are invisible on every channel to non-members", async () => {
    const lead = await buildUser(t.db);
    const outsider = await buildUser(t.db);
    const g = await buildGroup(t.db, { visibility: 'private', join_policy: 'invite', leadId: lead.id });
    const leadToken = await apiToken(t.app, lead.email);
    const id = await startThread(leadToken, g.slug, 'Confidential planning zebracorn', 'Budget notes about zebracorn.');
    const outsiderToken = await apiToken(t.app, outsider.email);
    const outsiderAgent = await new Agent(t.app).signIn(outsider.email);
    for (const res of [
      await t.app.inject(`/threads/${id}`),
      await outsiderAgent.get(`/threads/${id}`),
      await t.app.inject({ url: `/api/v1/threads/${id}`, headers: bearer(outsiderToken) }),
      await t.app.inject({ url: `/api/v1/groups/${g.slug}/threads`, headers: bearer(outsiderToken) }),
      await outsiderAgent.get(`/groups/${g.slug}/threads`),
      await replyTo(outsiderToken, id, 'sneaky'),
    ]) {
      assert.equal(res.statusCode, 404);
      assert.doesNotMatch(res.body, /zebracorn/);
    }
    const search = await t.app.inject({ url: '/api/v1/search?q=zebracorn', headers: bearer(outsiderToken) });
    assert.deepEqual(search.json().hits, []);
    assert.doesNotMatch((await outsiderAgent.get('/search?q=zebracorn')).body, /Confidential planning/);
    const own = await t.app.inject({ url: '/api/v1/search?q=zebracorn', headers: bearer(leadToken) });
    assert.equal(own.json().hits.length, 1, 'members find it');
    const postId = (await t.app.inject({ url: `/api/v1/threads/${id}`, headers: bearer(leadToken) })).json().posts[0].id;
    assert.equal((await t.app.inject({ method: 'PATCH', url: `/api/v1/posts/${postId}`, headers: bearer(outsiderToken), payload: { body: 'x' } })).statusCode, 404);
    assert.equal((await t.app.inject({ method: 'DELETE', url: `/api/v1/posts/${postId}`, headers: bearer(outsiderToken) })).statusCode, 404);
    assert.equal((await outsiderAgent.get(`/posts/${postId}/history`)).statusCode, 404);
  });
});

describe('editing, deleting, reactions, moderation', () => {
  test('authors edit with a history for themselves and moderators; others cannot; leads can', async () => {
    const lead = await buildUser(t.db, { name: 'Lead Editor' });
    const author = await buildUser(t.db);
    const other = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: lead.id, memberIds: [author.id, other.id] });
    const authorToken = await apiToken(t.app, author.email);
    const id = await startThread(authorToken, g.slug, 'Typo thread', 'Frist version');
    const postId = (await t.app.inject(`/api/v1/threads/${id}`)).json().posts[0].id;
    assert.equal((await t.app.inject({ method: 'PATCH', url: `/api/v1/posts/${postId}`, headers: bearer(authorToken), payload: { body: 'First version', title: 'Fixed thread' } })).statusCode, 204);
    assert.equal((await t.app.inject({ method: 'PATCH', url: `/api/v1/posts/${postId}`, headers: bearer(await apiToken(t.app, other.email)), payload: { body: 'vandal' } })).statusCode, 403);
    const leadAgent = await new Agent(t.app).signIn(lead.email);
    assert.equal((await leadAgent.post(`/posts/${postId}/edit`, { body: 'First version, tidied' })).statusCode, 303);
    const thread = (await t.app.inject(`/api/v1/threads/${id}`)).json();
    assert.equal(thread.title, 'Fixed thread');
    assert.equal(thread.posts[0].body, 'First version, tidied');
    assert.equal(thread.posts[0].version, 3);
    assert.equal((await t.app.inject(`/posts/${postId}/history`)).statusCode, 404, 'earlier versions are not for visitors');
    const history = await leadAgent.get(`/posts/${postId}/history`);
    assert.equal(history.statusCode, 200);
    assert.match(history.body, /Frist version/);
    assert.match(history.body, /Lead Editor/);
    const audit = await t.db.selectFrom('audit_log').select('action').where('actor_id', '=', lead.id).execute();
    assert.ok(audit.some((a) => a.action === 'post.edit'), "a moderator's edit is audited");
  });

  test('deleting a reply keeps its place; deleting the opening post removes the thread', async () => {
    const author = await buildUser(t.db);
    const replier = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: author.id, memberIds: [replier.id] });
    const authorToken = await apiToken(t.app, author.email);
    const id = await startThread(authorToken, g.slug, 'Delete me later', 'Opening words');
    const replierToken = await apiToken(t.app, replier.email);
    const r = (await replyTo(replierToken, id, 'A reply to remove')).json();
    assert.equal((await t.app.inject({ method: 'DELETE', url: `/api/v1/posts/${r.id}`, headers: bearer(replierToken) })).statusCode, 204);
    const page = await t.app.inject(`/threads/${id}`);
    assert.match(page.body, /This message was deleted\./);
    assert.doesNotMatch(page.body, /A reply to remove/);
    assert.equal((await t.db.selectFrom('threads').select('reply_count').where('id', '=', id).executeTakeFirstOrThrow()).reply_count, 0);
    assert.equal((await t.app.inject({ method: 'DELETE', url: `/api/v1/posts/${r.id}`, headers: bearer(replierToken) })).statusCode, 403, 'already deleted');
    const opening = (await t.app.inject(`/api/v1/threads/${id}`)).json().posts[0].id;
    assert.equal((await t.app.inject({ method: 'DELETE', url: `/api/v1/posts/${opening}`, headers: bearer(authorToken) })).statusCode, 204);
    assert.equal((await t.app.inject(`/threads/${id}`)).statusCode, 404);
  });

  test('"helpful" counts one mark per person and never one’s own post', async () => {
    const author = await buildUser(t.db);
    const fan = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: author.id });
    const id = await startThread(await apiToken(t.app, author.email), g.slug, 'Useful tip', 'Try this.');
    const postId = (await t.app.inject(`/api/v1/threads/${id}`)).json().posts[0].id;
    const fanAgent = await new Agent(t.app).signIn(fan.email);
    await fanAgent.post(`/posts/${postId}/helpful`, { on: 'true' });
    await fanAgent.post(`/posts/${postId}/helpful`, { on: 'true' });
    assert.equal((await t.app.inject(`/api/v1/threads/${id}`)).json().posts[0].helpful_count, 1);
    const authorAgent = await new Agent(t.app).signIn(author.email);
    assert.equal((await authorAgent.post(`/posts/${postId}/helpful`, { on: 'true' })).statusCode, 403);
    await fanAgent.post(`/posts/${postId}/helpful`, { on: 'false' });
    assert.equal((await t.app.inject(`/api/v1/threads/${id}`)).json().posts[0].helpful_count, 0);
  });

  test('leads pin, lock and close; locked takes replies from moderators only, closed from no one', async () => {
    const lead = await buildUser(t.db);
    const member = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: lead.id, memberIds: [member.id] });
    const leadToken = await apiToken(t.app, lead.email);
    const memberToken = await apiToken(t.app, member.email);
    const first = await startThread(leadToken, g.slug, 'Older thread', 'old');
    const second = await startThread(leadToken, g.slug, 'Newer thread', 'new');
    const memberAgent = await new Agent(t.app).signIn(member.email);
    assert.equal((await memberAgent.post(`/threads/${first}/moderate`, { pinned: 'true' })).statusCode, 403);
    const leadAgent = await new Agent(t.app).signIn(lead.email);
    assert.equal((await leadAgent.post(`/threads/${first}/moderate`, { pinned: 'true' })).statusCode, 303);
    const list = (await t.app.inject(`/api/v1/groups/${g.slug}/threads`)).json().threads.map((x: { id: number }) => x.id);
    assert.deepEqual(list.slice(0, 2), [first, second], 'pinned first');
    await leadAgent.post(`/threads/${second}/moderate`, { locked: 'true' });
    assert.equal((await replyTo(memberToken, second, 'member reply')).statusCode, 403);
    assert.equal((await replyTo(leadToken, second, 'lead reply')).statusCode, 201);
    await leadAgent.post(`/threads/${second}/moderate`, { closed: 'true' });
    assert.equal((await replyTo(leadToken, second, 'after close')).statusCode, 403);
    const counted = await t.db.selectFrom('threads').select('reply_count').where('id', '=', second).executeTakeFirstOrThrow();
    assert.equal(counted.reply_count, 1, 'refused replies leave the count as it was');
    assert.match((await t.app.inject(`/threads/${second}`)).body, /closed to new replies/);
  });

  test('posting is rate limited per person (429 with Retry-After)', async () => {
    const user = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: user.id });
    const token = await apiToken(t.app, user.email);
    const id = await startThread(token, g.slug, 'Busy thread', 'go');
    let last;
    for (let i = 0; i < 10; i++) last = await replyTo(token, id, `reply ${i}`);
    assert.equal(last!.statusCode, 429);
    assert.ok(Number(last!.headers['retry-after']) > 0);
  });
});

describe('reports and moderation', () => {
  test('the report page: a member reports with a reason (bad input gets a field message, a double submit one report); authors, visitors and outsiders cannot', async () => {
    const lead = await buildUser(t.db);
    const author = await buildUser(t.db, { name: 'Wren Writer' });
    const reporter = await buildUser(t.db);
    const outsider = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: lead.id, memberIds: [author.id, reporter.id], visibility: 'private' });
    const id = await startThread(await apiToken(t.app, lead.email), g.slug, 'Quiet room', 'Welcome.');
    const post = (await replyTo(await apiToken(t.app, author.email), id, 'A remark about zephyrquill.')).json().id as number;
    const agent = await new Agent(t.app).signIn(reporter.email);

    // The thread page links to the report page instead of carrying a form per post.
    const thread = await agent.get(`/threads/${id}`);
    assert.match(thread.body, new RegExp(`href="/posts/${post}/report"`));
    assert.doesNotMatch(thread.body, new RegExp(`action="/posts/${post}/flags"`));

    const page = await agent.get(`/posts/${post}/report`);
    assert.equal(page.statusCode, 200);
    assert.match(textOf(page.body), /Report a message/);
    assert.match(textOf(page.body), /By Wren Writer/);
    assert.match(page.body, /zephyrquill/, 'the message being reported is shown');
    assert.match(page.body, /type="radio" name="reason" value="student_privacy"[^>]*checked/);

    const bad = await agent.post(`/posts/${post}/flags`, { reason: 'boring', note: 'x'.repeat(1001) });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /id="error-summary"/);
    assert.match(bad.body, /id="field-reason-error"/);
    assert.match(bad.body, /id="field-note-error"/);
    assert.equal((await t.db.selectFrom('post_flags').select('id').where('post_id', '=', post).execute()).length, 0, 'nothing is written');

    const csrf = await agent.csrf(`/posts/${post}/report`);
    const [a, b] = await Promise.all([
      agent.post(`/posts/${post}/flags`, { reason: 'harassment', note: 'Please look.' }, { csrf }),
      agent.post(`/posts/${post}/flags`, { reason: 'harassment', note: 'Please look.' }, { csrf }),
    ]);
    assert.equal(a.statusCode, 303);
    assert.equal(b.statusCode, 303);
    assert.equal(a.headers.location, `/threads/${id}#post-${post}`);
    const flags = await t.db.selectFrom('post_flags').select(['reason', 'note', 'flagger_id']).where('post_id', '=', post).execute();
    assert.deepEqual(flags, [{ reason: 'harassment', note: 'Please look.', flagger_id: reporter.id }]);

    const asAuthor = await new Agent(t.app).signIn(author.email);
    assert.equal((await asAuthor.get(`/posts/${post}/report`)).statusCode, 403, 'nobody reports their own message');
    assert.doesNotMatch((await asAuthor.get(`/threads/${id}`)).body, new RegExp(`href="/posts/${post}/report"`));
    const visitor = await new Agent(t.app).get(`/posts/${post}/report`);
    assert.notEqual(visitor.statusCode, 200);
    assert.doesNotMatch(visitor.body, /zephyrquill/);
    const stranger = await new Agent(t.app).signIn(outsider.email);
    const hidden = await stranger.get(`/posts/${post}/report`);
    assert.equal(hidden.statusCode, 404, 'a private group’s message is not revealed');
    assert.doesNotMatch(hidden.body, /zephyrquill/);
    assert.equal((await stranger.post(`/posts/${post}/flags`, { reason: 'spam' })).statusCode, 404);

    // A message a moderator hid: a member reporting it does not see its text.
    await t.db.updateTable('posts').set({ hidden_at: new Date() }).where('id', '=', post).execute();
    const late = await buildUser(t.db);
    await t.db.insertInto('group_memberships').values({ group_id: g.id, user_id: late.id, role: 'member', status: 'active' }).execute();
    const concealed = await (await new Agent(t.app).signIn(late.email)).get(`/posts/${post}/report`);
    assert.equal(concealed.statusCode, 200);
    assert.doesNotMatch(concealed.body, /zephyrquill/);
    assert.match(textOf(concealed.body), /hidden by a moderator/);
  });

  test('members report; the lead sees it in the queue, hides it, and it disappears for members and from search', async () => {
    const lead = await buildUser(t.db);
    const author = await buildUser(t.db, { name: 'Rude Poster' });
    const reporter = await buildUser(t.db);
    const outsiderLead = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: lead.id, memberIds: [author.id, reporter.id] });
    await buildGroup(t.db, { leadId: outsiderLead.id });
    const authorToken = await apiToken(t.app, author.email);
    const id = await startThread(await apiToken(t.app, lead.email), g.slug, 'Calm topic', 'Be kind.');
    const bad = (await replyTo(authorToken, id, 'An unkind remark about quokkaflump.')).json().id;
    const reporterToken = await apiToken(t.app, reporter.email);
    const flag = await t.app.inject({ method: 'POST', url: `/api/v1/posts/${bad}/flags`, headers: bearer(reporterToken), payload: { reason: 'harassment', note: 'Not okay' } });
    assert.equal(flag.statusCode, 201);
    const again = await t.app.inject({ method: 'POST', url: `/api/v1/posts/${bad}/flags`, headers: bearer(reporterToken), payload: { reason: 'harassment' } });
    assert.equal(again.statusCode, 201, 'reporting twice is harmless');
    assert.equal((await t.db.selectFrom('post_flags').select('id').where('post_id', '=', bad).execute()).length, 1);
    const badReason = await t.app.inject({ method: 'POST', url: `/api/v1/posts/${bad}/flags`, headers: bearer(reporterToken), payload: { reason: 'boring' } });
    assert.equal(badReason.statusCode, 400);
    const own = await t.app.inject({ method: 'POST', url: `/api/v1/posts/${bad}/flags`, headers: bearer(authorToken), payload: { reason: 'spam' } });
    assert.equal(own.statusCode, 403);

    const memberAgent = await new Agent(t.app).signIn(reporter.email);
    assert.equal((await memberAgent.get('/moderation')).statusCode, 403);
    const otherLead = await new Agent(t.app).signIn(outsiderLead.email);
    assert.doesNotMatch((await otherLead.get('/moderation')).body, /quokkaflump/, "another group's lead does not see it");
    const leadAgent = await new Agent(t.app).signIn(lead.email);
    const queue = await leadAgent.get('/moderation');
    assert.equal(queue.statusCode, 200);
    assert.match(queue.body, /quokkaflump/);
    assert.match(queue.body, /Not okay/);
    assert.equal((await memberAgent.post(`/posts/${bad}/hide`)).statusCode, 403);
    assert.equal((await leadAgent.post(`/posts/${bad}/hide`, { next: '/moderation' })).statusCode, 303);

    const seen = await memberAgent.get(`/threads/${id}`);
    assert.doesNotMatch(seen.body, /quokkaflump/);
    assert.match(seen.body, /hidden by a moderator/);
    assert.match((await leadAgent.get(`/threads/${id}`)).body, /quokkaflump/, 'moderators still see it');
    assert.deepEqual((await t.app.inject({ url: '/api/v1/search?q=quokkaflump', headers: bearer(reporterToken) })).json().hits, []);
    assert.doesNotMatch((await leadAgent.get('/moderation')).body, /quokkaflump/, 'resolved reports leave the queue');
    const audit = await t.db.selectFrom('audit_log').select('action').where('actor_id', '=', lead.id).where('subject_id', '=', String(bad)).execute();
    assert.deepEqual(audit.map((a) => a.action), ['post.hide']);
    assert.equal((await leadAgent.post(`/posts/${bad}/restore`)).statusCode, 303);
    assert.match((await memberAgent.get(`/threads/${id}`)).body, /quokkaflump/);
  });

  test('redaction removes identifying text from the post and its history', async () => {
    const lead = await buildUser(t.db);
    const author = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: lead.id, memberIds: [author.id] });
    const authorToken = await apiToken(t.app, author.email);
    const id = await startThread(authorToken, g.slug, 'Case question', 'Jordan Pike is in 8th grade and was suspended.', { acknowledge_privacy: true });
    const postId = (await t.app.inject(`/api/v1/threads/${id}`)).json().posts[0].id;
    await t.app.inject({ method: 'PATCH', url: `/api/v1/posts/${postId}`, headers: bearer(authorToken), payload: { body: 'Jordan Pike is in 8th grade and was suspended twice.', acknowledge_privacy: true } });
    const leadAgent = await new Agent(t.app).signIn(lead.email);
    assert.equal((await leadAgent.get(`/posts/${postId}/redact`)).statusCode, 200);
    const res = await leadAgent.post(`/posts/${postId}/redact`, { body: 'A student in middle school was suspended twice.' });
    assert.equal(res.statusCode, 303);
    const history = await t.app.inject(`/posts/${postId}/history`);
    assert.doesNotMatch(history.body, /Jordan Pike/);
    assert.doesNotMatch((await t.app.inject(`/threads/${id}`)).body, /Jordan Pike/);
    const authorAgent = await new Agent(t.app).signIn(author.email);
    assert.equal((await authorAgent.get(`/posts/${postId}/redact`)).statusCode, 403, 'authors cannot redact');
  });
});

describe('Atom feeds', () => {
  test("public groups and the community space have feeds; other groups' feeds do not exist", async () => {
    const lead = await buildUser(t.db, { name: 'Feed Writer' });
    const pub = await buildGroup(t.db, { leadId: lead.id });
    const members = await buildGroup(t.db, { visibility: 'members', leadId: lead.id });
    const priv = await buildGroup(t.db, { visibility: 'private', join_policy: 'invite', leadId: lead.id });
    const token = await apiToken(t.app, lead.email);
    await startThread(token, pub.slug, 'Fresh & <new> topic', 'Body with **bold**.');
    await startThread(token, members.slug, 'Members feed secret', 'hidden');
    await startThread(token, priv.slug, 'Private feed secret', 'hidden');
    await startThread(token, null, 'Community feed topic', 'everyone');
    const res = await t.app.inject(`/groups/${pub.slug}/feed.atom`);
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /application\/atom\+xml/);
    assert.match(res.body, /<feed xmlns="http:\/\/www\.w3\.org\/2005\/Atom"/);
    assert.match(res.body, /<title type="html"><!\[CDATA\[Fresh & <new> topic\]\]><\/title>|<title[^>]*>Fresh &amp; &lt;new&gt; topic<\/title>/);
    assert.match(res.body, /Feed Writer/);
    for (const g of [members, priv]) {
      const r = await t.app.inject({ url: `/groups/${g.slug}/feed.atom`, headers: bearer(token) });
      assert.equal(r.statusCode, 404);
      assert.doesNotMatch(r.body, /feed secret/);
    }
    const hiddenId = await startThread(token, pub.slug, 'Hidden opening', 'moderated-away-text');
    const hiddenPost = (await t.app.inject(`/api/v1/threads/${hiddenId}`)).json().posts[0].id;
    await t.db.updateTable('posts').set({ hidden_at: new Date() }).where('id', '=', hiddenPost).execute();
    assert.doesNotMatch((await t.app.inject(`/groups/${pub.slug}/feed.atom`)).body, /moderated-away-text/, 'hidden text stays out of feeds');
    const community = await t.app.inject('/discussions/feed.atom');
    assert.match(community.body, /Community feed topic/);
    assert.doesNotMatch(community.body, /feed secret/);
  });
});

describe('search', () => {
  test('web-search syntax, ranking, snippets, group filter and pagination', async () => {
    const user = await buildUser(t.db, { name: 'Search Author' });
    const ga = await buildGroup(t.db, { name: 'Alpha Group', leadId: user.id });
    const gb = await buildGroup(t.db, { name: 'Beta Group', leadId: user.id });
    const token = await apiToken(t.app, user.email);
    await startThread(token, ga.slug, 'Restorative circles in middle school', 'We tried restorative circles with seventh graders and attendance improved.');
    await startThread(token, gb.slug, 'Attendance and suspensions', 'Suspensions dropped when we used peer mediation.');
    const phrase = (await t.app.inject('/api/v1/search?q=%22restorative%20circles%22')).json().hits;
    assert.equal(phrase.length, 1);
    assert.match(phrase[0].snippet, /⟦restor/i);
    const either = (await t.app.inject('/api/v1/search?q=circles%20OR%20mediation')).json().hits;
    assert.equal(either.length, 2);
    const without = (await t.app.inject('/api/v1/search?q=attendance%20-suspensions')).json().hits;
    assert.deepEqual(without.map((h: { title: string }) => h.title), ['Restorative circles in middle school']);
    const inGroup = (await t.app.inject(`/api/v1/search?q=attendance&group=${gb.slug}`)).json().hits;
    assert.deepEqual(inGroup.map((h: { group: { slug: string } }) => h.group.slug), [gb.slug]);
    const page = await t.app.inject('/search?q=attendance');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<mark>/);
    assert.match(textOf(page.body), /Alpha Group/);
    const spanish = await startThread(token, ga.slug, 'Familias y escuelas', 'Las familias participan en las reuniones escolares.', { language: 'es' });
    const es = (await t.app.inject('/api/v1/search?q=familia')).json().hits;
    assert.ok(es.some((h: { thread_id: number }) => h.thread_id === spanish), 'Spanish stemming finds familias');
    const injection = await t.app.inject("/api/v1/search?q=%27%3B%20DROP%20TABLE%20posts%3B%20--%20%22%22%20OR%20-");
    assert.equal(injection.statusCode, 200);
    const badDate = await t.app.inject('/api/v1/search?q=x&from=yesterday');
    assert.equal(badDate.statusCode, 400);
  });

  test("the search form offers the person's own groups and the one searched in; a group's page searches that group", async () => {
    const lead = await buildUser(t.db);
    const member = await buildUser(t.db);
    const mine = await buildGroup(t.db, { name: 'My Own Circle', leadId: lead.id, memberIds: [member.id] });
    const other = await buildGroup(t.db, { name: 'Somebody Else Circle', leadId: lead.id });
    const secret = await buildGroup(t.db, { name: 'Closed Door Circle', visibility: 'private', join_policy: 'invite', leadId: lead.id });
    const token = await apiToken(t.app, lead.email);
    await startThread(token, other.slug, 'Lunchtime mentoring', 'Mentoring at lunchtime worked for our sixth graders.');
    await startThread(token, mine.slug, 'Mentoring after school', 'Mentoring after school needs transport.');
    const options = (html: string) => [...(html.match(/<select[^>]*id="search-group"[\s\S]*?<\/select>/)?.[0] ?? '').matchAll(/<option value(?:="([^"]*)")?( selected)?/g)].map((m) => `${m[1] ?? ''}${m[2] ? '*' : ''}`);
    const agent = await new Agent(t.app).signIn(member.email);
    const plain = await agent.get('/search?q=mentoring');
    assert.equal(plain.statusCode, 200);
    assert.deepEqual(options(plain.body), ['', mine.slug], 'everywhere, and the member\'s own group only');
    assert.match(textOf(plain.body), /To search in another group, use the search box on its discussions page/);
    const inOther = await agent.get(`/search?q=mentoring&group=${other.slug}`);
    assert.deepEqual(options(inOther.body), ['', mine.slug, `${other.slug}*`].sort(), 'the group searched in is offered, chosen');
    assert.match(textOf(inOther.body), /Lunchtime mentoring/);
    assert.doesNotMatch(textOf(inOther.body), /Mentoring after school/);
    // A group the person may not read is never offered, even when asked for.
    const inSecret = await agent.get(`/search?q=mentoring&group=${secret.slug}`);
    assert.equal(inSecret.statusCode, 200);
    assert.doesNotMatch(inSecret.body, /Closed Door Circle/);
    assert.deepEqual(options((await t.app.inject('/search?q=mentoring')).body), [''], 'a visitor has no groups of their own');
    assert.deepEqual(options((await t.app.inject('/search?q=mentoring&group=' + other.slug)).body), ['', `${other.slug}*`]);

    // The group's discussions page has a search box of its own, limited to the group.
    const space = await agent.get(`/groups/${other.slug}/threads`);
    const form = space.body.match(/<form[^>]*role="search"[^>]*aria-label="Search this group"[\s\S]*?<\/form>/)?.[0];
    assert.ok(form, 'a group search form');
    assert.match(form, new RegExp(`<input type="hidden" name="group" value="${other.slug}"/>`));
    assert.match(form, /<label class="usa-sr-only" for="group-search">Search this group<\/label>/);
    const es = await t.app.inject({ url: `/groups/${other.slug}/threads`, headers: { 'accept-language': 'es' } });
    assert.match(es.body, /aria-label="Buscar en este grupo"/);
    assert.doesNotMatch((await agent.get('/discussions')).body, /Search this group/, 'the community space has none');
  });

  test('the newest posts are searched in their own table and older ones in posts, each once; edits, deletions and trims keep the table in step', async () => {
    const user = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: user.id });
    const token = await apiToken(t.app, user.email);
    const postsIn = async (thread: number) => (await t.db.selectFrom('posts').select('id').where('thread_id', '=', thread).orderBy('id').execute()).map((p) => p.id);
    const kept = async (ids: number[]) => (await t.db.selectFrom('recent_post_search').select('post_id').where('post_id', 'in', ids).execute()).map((r) => r.post_id).sort((a, b) => a - b);
    const found = async (q: string) => ((await t.app.inject({ url: `/api/v1/search?q=${encodeURIComponent(q)}`, headers: bearer(token) })).json().hits as { post_id: number }[]).map((h) => h.post_id).sort((a, b) => a - b);
    const floor = async () => Number((await sql<{ f: string }>`SELECT recent_post_search_floor() AS f`.execute(t.db)).rows[0]!.f);

    const oldThread = await startThread(token, g.slug, 'Quillwort budgets', 'Quillwort planning for the budget year.');
    const [oldPost] = await postsIn(oldThread);
    assert.deepEqual(await kept([oldPost!]), [oldPost], 'a new post is kept in the table as it is written');
    // Many posts later (the id sequence moved past the window): the old post falls below the floor.
    await sql`SELECT setval('posts_id_seq', ${oldPost! + 250_000})`.execute(t.db);
    const newThread = await startThread(token, g.slug, 'Quillwort again', 'Quillwort planning, the sequel.');
    const [newPost] = await postsIn(newThread);
    assert.ok((await floor()) > oldPost! && (await floor()) < newPost!, 'the floor lies between them');
    assert.deepEqual(await kept([oldPost!, newPost!]), [oldPost, newPost], 'not trimmed yet');
    assert.deepEqual(await found('quillwort planning'), [oldPost, newPost], 'the new one from the table, the old one from posts, each once');

    // A post written at a thousandth id trims what has fallen well below the floor; search still finds it in posts.
    await sql`SELECT setval('posts_id_seq', ${Math.ceil((newPost! + 1) / 1000) * 1000 - 1})`.execute(t.db);
    const reply = await replyTo(token, newThread, 'A reply about nothing in particular.');
    assert.equal(reply.statusCode, 201, reply.body);
    assert.equal((await postsIn(newThread)).at(-1)! % 1000, 0);
    assert.deepEqual(await kept([oldPost!, newPost!]), [newPost], 'the old post was trimmed');
    assert.deepEqual(await found('quillwort planning'), [oldPost, newPost]);

    // An edit changes what the kept vector matches.
    const edit = await t.app.inject({ method: 'PATCH', url: `/api/v1/posts/${newPost}`, headers: bearer(token), payload: { body: 'Marigold budgets instead.' } });
    assert.equal(edit.statusCode, 204, edit.body);
    assert.deepEqual(await found('marigold'), [newPost]);
    assert.deepEqual(await found('quillwort planning'), [oldPost], 'the old words no longer find the edited post');
    // Hits come best first, not newest first: a thread whose title matches leads, older or not.
    const titled = await startThread(token, g.slug, 'Heliotrope planning', 'Heliotrope notes.');
    const mentioned = await startThread(token, g.slug, 'Other things', 'One mention of heliotrope, among much else that is not about it at all.');
    const order = ((await t.app.inject({ url: '/api/v1/search?q=heliotrope', headers: bearer(token) })).json().hits as { thread_id: number }[]).map((h) => h.thread_id);
    assert.deepEqual(order, [titled, mentioned]);
    // A deleted post is found nowhere.
    const del = await t.app.inject({ method: 'DELETE', url: `/api/v1/posts/${newPost}`, headers: bearer(token) });
    assert.ok(del.statusCode < 300, del.body);
    assert.deepEqual(await found('marigold'), []);
  });
});

describe('Markdown safety', () => {
  const corpus = [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '[click](javascript:alert(1))',
    '[click](JaVaScRiPt:alert(1))',
    '[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
    '![x](javascript:alert(1))',
    '<a href="javascript:alert(1)">x</a>',
    '<svg onload=alert(1)>',
    '<iframe src="https://evil.example"></iframe>',
    '<style>body{display:none}</style>',
    '[x](https://example.org "title\\" onmouseover=\\"alert(1)")',
    '<details open ontoggle=alert(1)>',
    '`<script>alert(1)</script>`',
    '```html\n<script>alert(1)</script>\n```',
    '<<script>script>alert(1)<</script>/script>',
    '<form action="https://evil.example"><input name=x></form>',
    '[x](vbscript:msgbox(1))',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
  ];

  test('no payload survives as live markup', () => {
    for (const src of corpus) {
      const html = renderMarkdown(src);
      assert.doesNotMatch(html, /<(script|img|svg|iframe|style|details|form|math|object|embed)\b/i, src);
      // Attribute values are quoted and escaped; look for handler attributes outside them.
      assert.doesNotMatch(html.replace(/"[^"]*"/g, '""'), /<[a-z][^>]*\son[a-z]+\s*=/i, src);
      assert.doesNotMatch(html, /<a\s[^>]*href\s*=\s*"(javascript|data|vbscript):/i, src);
    }
  });

  test('pathological nesting renders quickly and safely', () => {
    for (const src of ['> '.repeat(20_000) + 'x', '['.repeat(20_000), '*'.repeat(40_000), '- '.repeat(10_000) + 'x', '<'.repeat(40_000)]) {
      const t0 = performance.now();
      renderMarkdown(src);
      assert.ok(performance.now() - t0 < 3000, `rendering ${src.slice(0, 10)}… took too long`);
    }
  });

  test('titles and bodies with script are escaped on the thread page', async () => {
    // A facilitator, so new members' link limits do not stop the corpus.
    const user = await buildUser(t.db, { role: 'facilitator' });
    const g = await buildGroup(t.db, { leadId: user.id });
    const id = await startThread(await apiToken(t.app, user.email), g.slug, '<script>alert("t")</script>', corpus.join('\n\n'));
    const page = await t.app.inject(`/threads/${id}`);
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(page.body, /<script>alert/);
    assert.match(page.body, /<h1 class="convene-title">&lt;script>alert\(&quot;t&quot;\)&lt;\/script><\/h1>/);
  });
});
