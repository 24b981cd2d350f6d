import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { Agent, ENGINE, apiToken, bearer, buildGroup, buildTestApp, buildUser, onCleanup, testConfig, textOf, MemoryMailer, type TestContext } from '../../test/helpers.js';
import { buildApp } from '../app.js';
import { Jobs } from '../platform/jobs/jobs.js';

let t: TestContext;
before(async () => {
  t = await buildTestApp();
});

const idOf = (location: string | undefined) => Number(/\/threads\/(\d+)/.exec(location ?? '')![1]);

describe('Dialogue Guides', () => {
  test('a lead opens a guide; members answer its questions; responses are grouped by perspective; the lead writes the summary', async () => {
    const lead = await buildUser(t.db, { name: 'Gail Guide', perspectives: ['school_mh'] });
    const parent = await buildUser(t.db, { name: 'Pat Parent', perspectives: ['family'] });
    const teacher = await buildUser(t.db, { name: 'Tess Teacher', perspectives: ['educator'] });
    const g = await buildGroup(t.db, { leadId: lead.id, memberIds: [parent.id, teacher.id] });
    const leadAgent = await new Agent(t.app).signIn(lead.email);
    const form = await leadAgent.get(`/groups/${g.slug}/threads/new`);
    assert.match(form.body, /name="kind" value="dialogue_guide"/, 'leads are offered the Dialogue Guide kind');

    // Questions are required for a guide.
    const missing = await leadAgent.post(`/groups/${g.slug}/threads`, { kind: 'dialogue_guide', title: 'Guide', body: 'Read the brief.', reaction_questions: '', application_questions: '' });
    assert.equal(missing.statusCode, 400);
    assert.match(missing.body, /Add at least one reaction question/);
    assert.equal(await t.db.selectFrom('threads').select('id').where('group_id', '=', g.id).execute().then((r) => r.length), 0);

    const res = await leadAgent.post(`/groups/${g.slug}/threads`, {
      kind: 'dialogue_guide',
      title: 'Reading the attendance brief together',
      body: 'Please read the brief, then react and say what you will do.',
      source_title: 'Attendance and belonging brief',
      source_url: 'https://example.org/brief',
      reaction_questions: '1. What stands out to you from where you sit?\n- What worries you?',
      application_questions: 'What will you try next month?',
    });
    assert.equal(res.statusCode, 303, res.body);
    const threadId = idOf(res.headers.location as string);
    const questions = await t.db.selectFrom('dialogue_questions').selectAll().where('thread_id', '=', threadId).orderBy('kind', 'desc').orderBy('position').execute();
    assert.deepEqual(
      questions.map((q) => [q.kind, q.position, q.prompt]),
      [
        ['reaction', 1, 'What stands out to you from where you sit?'],
        ['reaction', 2, 'What worries you?'],
        ['application', 1, 'What will you try next month?'],
      ],
    );

    const parentAgent = await new Agent(t.app).signIn(parent.email);
    const teacherAgent = await new Agent(t.app).signIn(teacher.email);
    assert.equal((await parentAgent.post(`/threads/${threadId}/replies`, { body: 'Families hear about absences too late.', question_id: String(questions[0]!.id) })).statusCode, 303);
    assert.equal((await teacherAgent.post(`/threads/${threadId}/replies`, { body: 'Attendance data arrives weekly, not daily.', question_id: String(questions[0]!.id) })).statusCode, 303);
    assert.equal((await teacherAgent.post(`/threads/${threadId}/replies`, { body: 'A same-day text to families.', question_id: String(questions[2]!.id) })).statusCode, 303);
    // A question from another thread is refused with a field message; nothing is written.
    const other = await buildGroup(t.db, { leadId: lead.id });
    const elsewhere = await leadAgent.post(`/groups/${other.slug}/threads`, { kind: 'dialogue_guide', title: 'Other', body: 'x', reaction_questions: 'Q?', application_questions: 'A?' });
    const otherQ = await t.db.selectFrom('dialogue_questions').select('id').where('thread_id', '=', idOf(elsewhere.headers.location as string)).executeTakeFirstOrThrow();
    const before = await t.db.selectFrom('posts').select('id').where('thread_id', '=', threadId).execute();
    const wrong = await teacherAgent.post(`/threads/${threadId}/replies`, { body: 'Misplaced', question_id: String(otherQ.id) });
    assert.equal(wrong.statusCode, 400);
    assert.equal((await t.db.selectFrom('posts').select('id').where('thread_id', '=', threadId).execute()).length, before.length);

    const page = await t.app.inject(`/threads/${threadId}`);
    assert.equal(page.statusCode, 200);
    const text = textOf(page.body);
    assert.match(text, /Attendance and belonging brief/);
    assert.match(text, /What stands out to you from where you sit\?\s+2 responses/);
    assert.match(page.body, /<dt>Family member<\/dt>\s*<dd><a class="usa-link" href="#post-\d+">Pat Parent<\/a>: Families hear about absences too late\.<\/dd>/);
    assert.match(page.body, /<dt>Educator[^<]*<\/dt>\s*<dd><a class="usa-link" href="#post-\d+">Tess Teacher<\/a>: Attendance data arrives weekly/);
    assert.match(text, /Not heard from yet: .*Youth/);
    const posts = await t.db.selectFrom('posts').select(['perspectives', 'author_id']).where('thread_id', '=', threadId).where('author_id', '=', parent.id).execute();
    assert.deepEqual(posts[0]!.perspectives, ['family'], "each response records its author's perspectives");

    // Only moderators write the summary.
    assert.equal((await parentAgent.post(`/threads/${threadId}/summary`, { common_ground: 'x', action_items: 'y' })).statusCode, 403);
    const empty = await leadAgent.post(`/threads/${threadId}/summary`, { common_ground: '', action_items: '' });
    assert.equal(empty.statusCode, 400);
    const saved = await leadAgent.post(`/threads/${threadId}/summary`, { common_ground: 'Everyone wants earlier contact.', action_items: 'Pilot same-day texts in two schools.', close: 'true' });
    assert.equal(saved.statusCode, 303);
    const after = textOf((await t.app.inject(`/threads/${threadId}`)).body);
    assert.match(after, /Common ground\s+Everyone wants earlier contact\./);
    assert.match(after, /Pilot same-day texts in two schools\./);
    assert.match(after, /This discussion is closed to new replies/);
  });

  test('members who do not lead cannot open a guide; the form does not offer it', async () => {
    const lead = await buildUser(t.db);
    const member = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: lead.id, memberIds: [member.id] });
    const agent = await new Agent(t.app).signIn(member.email);
    assert.doesNotMatch((await agent.get(`/groups/${g.slug}/threads/new`)).body, /dialogue_guide/);
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/groups/${g.slug}/threads`,
      headers: bearer(await apiToken(t.app, member.email)),
      payload: { kind: 'dialogue_guide', title: 'Mine', body: 'x', reaction_questions: 'Q', application_questions: 'A' },
    });
    assert.equal(res.statusCode, 403);
  });
});

describe('moving and splitting threads', () => {
  test('a facilitator moves a thread to another group; a member cannot', async () => {
    const fac = await buildUser(t.db, { role: 'facilitator' });
    const member = await buildUser(t.db);
    const a = await buildGroup(t.db, { leadId: member.id });
    const b = await buildGroup(t.db, { leadId: fac.id });
    const threadId = (await t.app.inject({ method: 'POST', url: `/api/v1/groups/${a.slug}/threads`, headers: bearer(await apiToken(t.app, member.email)), payload: { title: 'Misfiled', body: 'x' } })).json().id;
    const outsider = await buildUser(t.db);
    const o = await new Agent(t.app).signIn(outsider.email);
    assert.equal((await o.post(`/threads/${threadId}/move`, { target: b.slug })).statusCode, 403);
    assert.equal((await o.get(`/threads/${threadId}/move`)).statusCode, 403);
    const agent = await new Agent(t.app).signIn(fac.email);
    // The thread page links to the move page, which offers the other spaces.
    assert.match((await agent.get(`/threads/${threadId}`)).body, new RegExp(`href="/threads/${threadId}/move"`));
    const page = await agent.get(`/threads/${threadId}/move`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, new RegExp(`<option value="${b.slug}"`));
    assert.doesNotMatch(page.body, new RegExp(`<option value="${a.slug}"`), 'not the space it is in');
    const bad = await agent.post(`/threads/${threadId}/move`, { target: 'no-such-group' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /usa-error-message/);
    assert.equal((await agent.post(`/threads/${threadId}/move`, { target: b.slug })).statusCode, 303);
    const row = await t.db.selectFrom('threads').select('group_id').where('id', '=', threadId).executeTakeFirstOrThrow();
    assert.equal(row.group_id, b.id);
    const log = await t.db.selectFrom('audit_log').select('action').where('subject_id', '=', String(threadId)).execute();
    assert.ok(log.some((l) => l.action === 'thread.move'));
    // A lead of the source group cannot move a thread into a group they do not lead.
    const leadOnly = await buildUser(t.db);
    const c = await buildGroup(t.db, { leadId: leadOnly.id });
    const d = await buildGroup(t.db, { leadId: fac.id });
    const t2 = (await t.app.inject({ method: 'POST', url: `/api/v1/groups/${c.slug}/threads`, headers: bearer(await apiToken(t.app, leadOnly.email)), payload: { title: 'Stay', body: 'x' } })).json().id;
    const l = await new Agent(t.app).signIn(leadOnly.email);
    assert.equal((await l.post(`/threads/${t2}/move`, { target: d.slug })).statusCode, 403);
  });

  test('split moves the chosen replies into a new thread and recounts both', async () => {
    const lead = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: lead.id });
    const token = await apiToken(t.app, lead.email);
    const threadId = (await t.app.inject({ method: 'POST', url: `/api/v1/groups/${g.slug}/threads`, headers: bearer(token), payload: { title: 'Mixed topics', body: 'Topic one' } })).json().id;
    const ids: number[] = [];
    for (const body of ['About one', 'Off on topic two', 'More on topic two']) {
      ids.push((await t.app.inject({ method: 'POST', url: `/api/v1/threads/${threadId}/posts`, headers: bearer(token), payload: { body } })).json().id);
    }
    const agent = await new Agent(t.app).signIn(lead.email);
    assert.equal((await agent.get(`/threads/${threadId}/split`)).statusCode, 200);
    const none = await agent.post(`/threads/${threadId}/split`, { title: 'Topic two' });
    assert.equal(none.statusCode, 400);
    const res = await agent.post(`/threads/${threadId}/split`, { title: 'Topic two', post_ids: [String(ids[1]), String(ids[2])] });
    assert.equal(res.statusCode, 303);
    const newId = idOf(res.headers.location as string);
    const counts = await t.db.selectFrom('threads').select(['id', 'reply_count']).where('id', 'in', [threadId, newId]).orderBy('id').execute();
    assert.deepEqual(
      counts.map((c) => c.reply_count),
      [1, 1],
    );
    const opening = await t.db.selectFrom('posts').select('id').where('thread_id', '=', newId).where('is_opening', '=', true).executeTakeFirstOrThrow();
    assert.equal(opening.id, ids[1]);
    const member = await buildUser(t.db);
    const m = await new Agent(t.app).signIn(member.email);
    assert.equal((await m.get(`/threads/${threadId}/split`)).statusCode, 403);
  });
});

describe('links, limits and filters', () => {
  test('a thread shows the threads that link to it, except ones the reader may not see', async () => {
    const lead = await buildUser(t.db);
    const pub = await buildGroup(t.db, { leadId: lead.id });
    const priv = await buildGroup(t.db, { leadId: lead.id, visibility: 'private' });
    const token = await apiToken(t.app, lead.email);
    const target = (await t.app.inject({ method: 'POST', url: `/api/v1/groups/${pub.slug}/threads`, headers: bearer(token), payload: { title: 'The target', body: 'x' } })).json().id;
    const fromPublic = (await t.app.inject({ method: 'POST', url: `/api/v1/groups/${pub.slug}/threads`, headers: bearer(token), payload: { title: 'Public linker', body: `See [this](/threads/${target})` } })).json().id;
    await t.app.inject({ method: 'POST', url: `/api/v1/groups/${priv.slug}/threads`, headers: bearer(token), payload: { title: 'Secret linker', body: `See http://convene.test/threads/${target}` } });
    await t.jobs.drain();
    const anon = textOf((await t.app.inject(`/threads/${target}`)).body);
    assert.match(anon, /Linked from\s+Public linker/);
    assert.doesNotMatch(anon, /Secret linker/);
    const agent = await new Agent(t.app).signIn(lead.email);
    assert.match(textOf((await agent.get(`/threads/${target}`)).body), /Secret linker/);
    void fromPublic;
  });

  test('new members may not flood a post with links; established members may', async () => {
    const fresh = await buildUser(t.db);
    const token = await apiToken(t.app, fresh.email);
    const body = 'Links: https://a.example https://b.example https://c.example';
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/discussions', headers: bearer(token), payload: { title: 'Many links', body } });
    assert.equal(res.statusCode, 400);
    assert.match(res.json().error.fields.body, /at most 2 links/);
    // After a few days and a few posts the limit lifts.
    for (let i = 0; i < 3; i++) assert.equal((await t.app.inject({ method: 'POST', url: '/api/v1/discussions', headers: bearer(token), payload: { title: `Post ${i}`, body: 'hello' } })).statusCode, 201);
    await t.db.updateTable('users').set({ created_at: new Date(Date.now() - 5 * 86_400_000) }).where('id', '=', fresh.id).execute();
    const ok = await t.app.inject({ method: 'POST', url: '/api/v1/discussions', headers: bearer(token), payload: { title: 'Many links', body } });
    assert.equal(ok.statusCode, 201);
  });

  test('search filters by the author’s perspective', async () => {
    const fam = await buildUser(t.db, { perspectives: ['family'] });
    const edu = await buildUser(t.db, { perspectives: ['educator'] });
    for (const u of [fam, edu]) {
      await t.app.inject({ method: 'POST', url: '/api/v1/discussions', headers: bearer(await apiToken(t.app, u.email)), payload: { title: 'Homework routines', body: 'Evening homework routines at home' } });
    }
    const all = await t.app.inject('/api/v1/search?q=homework%20routines');
    assert.equal(all.json().hits.length, 2);
    const famOnly = await t.app.inject('/api/v1/search?q=homework%20routines&perspective=family');
    assert.equal(famOnly.json().hits.length, 1);
    assert.equal((await t.app.inject('/api/v1/search?q=homework&perspective=wizard')).statusCode, 400);
    const page = await t.app.inject('/search?q=homework&perspective=educator');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<option value="educator" selected/);
  });
});

describe('live updates', () => {
  test('an open thread hears about a reply posted through another app process, then fetches it', async () => {
    const lead = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: lead.id });
    const token = await apiToken(t.app, lead.email);
    const threadId = (await t.app.inject({ method: 'POST', url: `/api/v1/groups/${g.slug}/threads`, headers: bearer(token), payload: { title: 'Live', body: 'x' } })).json().id;
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (t.app.server.address() as { port: number }).port;
    // A second "process": another app on the same database, as behind a load balancer.
    const otherJobs = new Jobs(t.db);
    const other = await buildApp({ config: testConfig(), db: t.db, jobs: otherJobs, databaseUrl: t.url, engine: ENGINE, mailer: new MemoryMailer(), logger: false });
    onCleanup(() => other.close());

    const events: string[] = [];
    const req = http.get({ host: '127.0.0.1', port, path: `/threads/${threadId}/live`, headers: { accept: 'text/event-stream' } });
    const response = await new Promise<http.IncomingMessage>((resolve) => req.on('response', resolve));
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /text\/event-stream/);
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => events.push(chunk));
    // Wait until the stream has subscribed.
    for (let i = 0; i < 50 && t.app.live.subscriberCount === 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(t.app.live.subscriberCount, 1);

    const posted = await other.inject({ method: 'POST', url: `/api/v1/threads/${threadId}/posts`, headers: bearer(token), payload: { body: 'Arrives live' } });
    assert.equal(posted.statusCode, 201);
    const postId = posted.json().id as number;
    for (let i = 0; i < 100 && !events.join('').includes(`"post_id":${postId}`); i++) await new Promise((r) => setTimeout(r, 50));
    assert.match(events.join(''), new RegExp(`event: post\\ndata: \\{"post_id":${postId}\\}`));
    req.destroy();
    for (let i = 0; i < 50 && t.app.live.subscriberCount > 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(t.app.live.subscriberCount, 0, 'closing the page unsubscribes');

    // The page then fetches only the new posts, as HTML.
    const opening = await t.db.selectFrom('posts').select('id').where('thread_id', '=', threadId).where('is_opening', '=', true).executeTakeFirstOrThrow();
    const fragment = await t.app.inject(`/threads/${threadId}/posts?after=${opening.id}`);
    assert.equal(fragment.statusCode, 200);
    assert.match(fragment.body, new RegExp(`<li class="convene-post" id="post-${postId}"`));
    assert.match(fragment.body, /Arrives live/);
    assert.doesNotMatch(fragment.body, new RegExp(`id="post-${opening.id}"`));
    assert.equal((await t.app.inject(`/threads/${threadId}/posts`)).statusCode, 400, 'after is required');
    assert.equal((await t.app.inject(`/threads/999999/live`)).statusCode, 404);
  });
});
