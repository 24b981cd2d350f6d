import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Agent, apiToken, bearer, buildGroup, buildTestApp, buildUser, type TestContext } from '../../test/helpers.js';
import { makePdf, multipart } from '../../test/fixtures.js';

/**
 * The holes an outside review found in the safety promise (issue 22): each
 * test fails without its fix.
 */
let t: TestContext;
before(async () => {
  t = await buildTestApp();
});

const IDENTIFYING = 'Jaylen in 3rd period at Lincoln Elementary has an IEP and keeps getting sent out.';
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

describe('the privacy guard on every text that reaches people', () => {
  test('threads, replies and edits warn with what was found; acknowledging publishes', async () => {
    const author = await buildUser(t.db);
    const g = await buildGroup(t.db, { memberIds: [author.id] });
    const token = await apiToken(t.app, author.email);
    const warned = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${g.slug}/threads`, headers: bearer(token), payload: { title: 'Advice', body: IDENTIFYING } });
    assert.equal(warned.statusCode, 422);
    assert.match(warned.json().error.fields.acknowledge_privacy, /first name “Jaylen”.*school “Lincoln Elementary”/);
    const th = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${g.slug}/threads`, headers: bearer(token), payload: { title: 'Advice', body: 'How do we support a student who keeps getting sent out?' } });
    assert.equal(th.statusCode, 201);
    const reply = await t.app.inject({ method: 'POST', url: `/api/v1/threads/${th.json().id}/posts`, headers: bearer(token), payload: { body: 'Mi hija Valentina, de sexto grado, tiene depresión y la escuela no responde.' } });
    assert.equal(reply.statusCode, 422);
    const es = await t.app.inject({ method: 'POST', url: `/api/v1/threads/${th.json().id}/posts`, headers: { ...bearer(token), 'accept-language': 'es' }, payload: { body: 'Mi hija Valentina, de sexto grado, tiene depresión y la escuela no responde.' } });
    assert.equal(es.statusCode, 422);
  });

  test('resource and event descriptions are checked too', async () => {
    const lead = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: lead.id });
    const token = await apiToken(t.app, lead.email);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/resources', headers: bearer(token), payload: { title: 'Case notes', kind: 'guide', external_url: 'https://example.org/x', description: IDENTIFYING } });
    assert.equal(res.statusCode, 422, res.body);
    assert.equal(res.json().error.code, 'privacy_warning');
    const ok = await t.app.inject({ method: 'POST', url: '/api/v1/resources', headers: bearer(token), payload: { title: 'Case notes', kind: 'guide', external_url: 'https://example.org/x', description: IDENTIFYING, acknowledge_privacy: true } });
    assert.equal(ok.statusCode, 201, ok.body);
    const ev = { title: 'Planning call', kind: 'group_call', scope: `group:${g.id}`, start_date: inDays(5), start_time: '15:00', end_time: '16:00', time_zone: 'America/New_York', description: IDENTIFYING };
    const e1 = await t.app.inject({ method: 'POST', url: '/api/v1/events', headers: bearer(token), payload: ev });
    assert.equal(e1.statusCode, 422, e1.body);
    const e2 = await t.app.inject({ method: 'POST', url: '/api/v1/events', headers: bearer(token), payload: { ...ev, description: 'We plan the spring family night.' } });
    assert.equal(e2.statusCode, 201, e2.body);
  });
});

describe('edits really remove', () => {
  async function editedPost(first: string, second: string, opts: { acknowledge?: boolean } = {}) {
    const author = await buildUser(t.db);
    const member = await buildUser(t.db);
    const moderator = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: moderator.id, memberIds: [author.id, member.id] });
    const token = await apiToken(t.app, author.email);
    const th = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${g.slug}/threads`, headers: bearer(token), payload: { title: 'Question', body: 'Opening text.' } });
    const threadId = th.json().id as number;
    const reply = await t.app.inject({ method: 'POST', url: `/api/v1/threads/${threadId}/posts`, headers: bearer(token), payload: { body: first, acknowledge_privacy: opts.acknowledge ?? false } });
    assert.equal(reply.statusCode, 201, reply.body);
    const postId = reply.json().id as number;
    const edit = await t.app.inject({ method: 'PATCH', url: `/api/v1/posts/${postId}`, headers: bearer(token), payload: { body: second } });
    assert.equal(edit.statusCode, 204, edit.body);
    return { author, member, moderator, postId, threadId, token };
  }

  test('earlier versions only for the author and the moderators; the "edited" link only for them', async () => {
    const p = await editedPost('We tried check-in/check-out with a group of 12.', 'We tried check-in/check-out with a group of 14.');
    assert.equal((await t.app.inject(`/posts/${p.postId}/history`)).statusCode, 404, 'signed out');
    const member = await new Agent(t.app).signIn(p.member.email);
    assert.equal((await member.get(`/posts/${p.postId}/history`)).statusCode, 404, 'another member');
    assert.doesNotMatch((await member.get(`/threads/${p.threadId}`)).body, new RegExp(`/posts/${p.postId}/history`));
    const author = await new Agent(t.app).signIn(p.author.email);
    const mine = await author.get(`/posts/${p.postId}/history`);
    assert.equal(mine.statusCode, 200);
    assert.match(mine.body, /group of 12/);
    const mod = await new Agent(t.app).signIn(p.moderator.email);
    assert.match((await mod.get(`/posts/${p.postId}/history`)).body, /group of 12/);
  });

  test('the author erases earlier versions; others cannot', async () => {
    const p = await editedPost('First draft with a typo.', 'First draft without the typo.');
    const other = await apiToken(t.app, p.member.email);
    assert.equal((await t.app.inject({ method: 'DELETE', url: `/api/v1/posts/${p.postId}/revisions`, headers: bearer(other) })).statusCode, 403);
    assert.equal(Number((await t.db.selectFrom('post_revisions').select((e) => e.fn.countAll().as('n')).where('post_id', '=', p.postId).executeTakeFirstOrThrow()).n), 1);
    const author = await new Agent(t.app).signIn(p.author.email);
    const res = await author.post(`/posts/${p.postId}/history/erase`, {}, { csrf: await author.csrf(`/posts/${p.postId}/history`) });
    assert.equal(res.statusCode, 303);
    assert.equal(Number((await t.db.selectFrom('post_revisions').select((e) => e.fn.countAll().as('n')).where('post_id', '=', p.postId).executeTakeFirstOrThrow()).n), 0);
    assert.doesNotMatch((await author.get(`/posts/${p.postId}/history`)).body, /with a typo/);
  });

  test('an edit that de-identifies erases every earlier version, everywhere', async () => {
    const p = await editedPost(IDENTIFYING, 'A student in one of my classes keeps getting sent out; what has worked for you?', { acknowledge: true });
    assert.equal(Number((await t.db.selectFrom('post_revisions').select((e) => e.fn.countAll().as('n')).where('post_id', '=', p.postId).executeTakeFirstOrThrow()).n), 0);
    const author = await new Agent(t.app).signIn(p.author.email);
    assert.doesNotMatch((await author.get(`/posts/${p.postId}/history`)).body, /Jaylen/);
    assert.doesNotMatch((await author.get(`/threads/${p.threadId}`)).body, /Jaylen/);
    const search = await t.app.inject({ url: '/api/v1/search?q=Jaylen', headers: bearer(p.token) });
    assert.equal(search.statusCode, 200);
    assert.doesNotMatch(search.body, /Jaylen/);
    // Mail not yet sent carries the text as it is now.
    await t.jobs.drain();
    for (const m of t.mailer.sent) assert.doesNotMatch(`${m.text ?? ''}${m.html ?? ''}`, /Jaylen/);
  });
});

describe('injection and redirects', () => {
  test('a line break cannot enter a title or a name; calendar text is escaped', async () => {
    const lead = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: lead.id });
    const token = await apiToken(t.app, lead.email);
    const base = { kind: 'group_call', scope: `group:${g.id}`, start_date: inDays(5), start_time: '15:00', end_time: '16:00', time_zone: 'America/New_York' };
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/events', headers: bearer(token), payload: { ...base, title: 'Family call\r\nBEGIN:VEVENT\r\nSUMMARY:Injected' } });
    assert.equal(bad.statusCode, 400);
    assert.ok(bad.json().error.fields.title);
    // A name already stored with a line break (from before this rule) is escaped on output.
    await t.db.updateTable('practice_groups').set({ name: 'Circle\r\nBEGIN:VEVENT\r\nSUMMARY:Injected' }).where('id', '=', g.id).execute();
    const ok = await t.app.inject({ method: 'POST', url: '/api/v1/events', headers: bearer(token), payload: { ...base, title: 'Family call', description: 'Line one\r\nBEGIN:VEVENT' } });
    assert.equal(ok.statusCode, 201, ok.body);
    const ics = await t.app.inject(`/groups/${g.slug}/calendar.ics`);
    assert.equal(ics.statusCode, 200);
    const lines = ics.body.split(/\r\n/);
    assert.equal(lines.filter((l) => l === 'BEGIN:VEVENT').length, 1, ics.body);
    assert.ok(!lines.some((l) => l.startsWith('SUMMARY:Injected')));
  });

  test('only same-origin paths are followed after a language switch or sign-in', async () => {
    for (const next of ['/%09/evil.example/phish', '/%09%5Cevil.example', '%2F%2Fevil.example', '/%5C%5Cevil.example', 'https://evil.example', '/%0D%0ASet-Cookie:%20x=1', '/%E2%80%A8x', '/caf%C3%A9']) {
      const res = await t.app.inject(`/language/es?next=${next}`);
      assert.equal(res.statusCode, 303, `${next}: ${res.statusCode}`);
      const loc = String(res.headers.location);
      assert.ok(loc.startsWith('/') && !loc.startsWith('//') && !/[\t\\\r\n]/.test(loc), `${next} → ${loc}`);
      assert.equal(new URL(loc, 'http://convene.test').host, 'convene.test', `${next} → ${loc}`);
    }
    const user = await buildUser(t.db);
    const agent = new Agent(t.app);
    const res = await agent.post('/login', { email: user.email, password: user.password, next: '/\t/evil.example/phish' });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/');
  });

  test('malformed multipart answers 400 in the usual shape', async () => {
    const user = await buildUser(t.db);
    const token = await apiToken(t.app, user.email);
    const noBoundary = await t.app.inject({ method: 'POST', url: '/api/v1/resources', headers: { ...bearer(token), 'content-type': 'multipart/form-data' }, payload: 'x' });
    assert.equal(noBoundary.statusCode, 400, noBoundary.body);
    assert.equal(noBoundary.json().error.code, 'bad_request');
    const cut = await t.app.inject({
      method: 'POST',
      url: '/api/v1/resources',
      headers: { ...bearer(token), 'content-type': 'multipart/form-data; boundary=XYZ' },
      payload: '--XYZ\r\nContent-Disposition: form-data; name="title"\r\n\r\nHalf a',
    });
    assert.equal(cut.statusCode, 400, cut.body);
    assert.equal(cut.json().error.code, 'bad_request');
  });
});

describe('smaller holes', () => {
  test('another Authorization scheme is ignored by pages; the API says what it wants', async () => {
    const basic = { authorization: `Basic ${Buffer.from('proxy:secret').toString('base64')}` };
    const page = await t.app.inject({ url: '/groups', headers: basic });
    assert.equal(page.statusCode, 200);
    const login = await t.app.inject({ url: '/login', headers: basic });
    assert.equal(login.statusCode, 200);
    const api = await t.app.inject({ url: '/api/v1/notifications', headers: basic });
    assert.equal(api.statusCode, 401);
    assert.match(api.json().error.fields.authorization, /Bearer/);
    const wrong = await t.app.inject({ url: '/api/v1/groups', headers: { authorization: 'Bearer not-a-token' } });
    assert.equal(wrong.statusCode, 401);
  });

  test('a lone surrogate in JSON is refused; nothing is stored', async () => {
    const user = await buildUser(t.db);
    const g = await buildGroup(t.db, { memberIds: [user.id] });
    const token = await apiToken(t.app, user.email);
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${g.slug}/threads`, headers: { ...bearer(token), 'content-type': 'application/json' }, payload: '{"title":"Broken \\ud800 text","body":"Body"}' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'invalid_encoding');
    const pair = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${g.slug}/threads`, headers: { ...bearer(token), 'content-type': 'application/json' }, payload: '{"title":"A whole pair \\ud83d\\ude00","body":"Body"}' });
    assert.equal(pair.statusCode, 201, 'a proper surrogate pair is text');
  });

  test('names made only of invisible characters, and bidirectional overrides in names, are refused', async () => {
    const user = await buildUser(t.db);
    const agent = await new Agent(t.app).signIn(user.email);
    for (const name of ['\u200b\u200b\u200b', '\u200d\ufeff', 'Ann\u202egnip']) {
      const res = await agent.post('/settings/profile', { name });
      assert.equal(res.statusCode, 400, JSON.stringify(name));
    }
    const after = await t.db.selectFrom('users').select('name').where('id', '=', user.id).executeTakeFirstOrThrow();
    assert.equal(after.name, user.name);
  });

  test('people’s names are isolated from the text around them', async () => {
    const author = await buildUser(t.db);
    await t.db.updateTable('users').set({ name: 'Eve\u202e gnitsop' }).where('id', '=', author.id).execute();
    const g = await buildGroup(t.db, { memberIds: [author.id] });
    const th = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${g.slug}/threads`, headers: bearer(await apiToken(t.app, author.email)), payload: { title: 'Hello', body: 'Body text' } });
    const page = await t.app.inject(`/threads/${th.json().id}`);
    assert.match(page.body, /<bdi>Eve\u202e gnitsop<\/bdi>/);
  });

  test('links in notification emails are absolute', async () => {
    const author = await buildUser(t.db);
    const reader = await buildUser(t.db, { name: 'Rosa Delgado' });
    const g = await buildGroup(t.db, { memberIds: [author.id, reader.id] });
    await t.db.updateTable('users').set({ email_notifications: 'immediate' }).where('id', '=', reader.id).execute();
    const handle = (await t.db.selectFrom('users').select('handle').where('id', '=', reader.id).executeTakeFirstOrThrow()).handle;
    const th = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${g.slug}/threads`, headers: bearer(await apiToken(t.app, author.email)), payload: { title: 'Question', body: `What do you think, @${handle}? See [the thread list](/discussions).` } });
    assert.equal(th.statusCode, 201, th.body);
    await t.jobs.drain();
    const mail = t.mailer.lastTo(reader.email);
    assert.ok(mail, 'the mention was emailed');
    const hrefs = [...mail!.html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!);
    assert.ok(hrefs.length > 2);
    for (const h of hrefs) assert.match(h, /^(https?:|mailto:)/, h);
    assert.ok(hrefs.some((h) => h.endsWith(`/u/${handle}`)));
  });
});

describe('commands check their own permission', () => {
  test('registering for a private group’s convening, called directly (as a job or import would), is not found for an outsider', async () => {
    const { register } = await import('../events/commands.js');
    const { loadActor } = await import('../platform/auth/actor.js');
    const lead = await buildUser(t.db);
    const outsider = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: lead.id, visibility: 'private', join_policy: 'invite' });
    const ev = await t.app.inject({ method: 'POST', url: '/api/v1/events', headers: bearer(await apiToken(t.app, lead.email)), payload: { title: 'Circle call', kind: 'group_call', scope: `group:${g.id}`, start_date: inDays(5), start_time: '15:00', end_time: '16:00', time_zone: 'America/New_York' } });
    assert.equal(ev.statusCode, 201, ev.body);
    await assert.rejects(register(t.db, t.jobs, await loadActor(t.db, outsider.id, 'session'), ev.json().id, { response: 'going' }), (err: { code?: string }) => err.code === 'not_found');
    const none = await t.db.selectFrom('event_registrations').select('user_id').where('user_id', '=', outsider.id).execute();
    assert.deepEqual(none, []);
  });
});

describe('uploaded files', () => {
  const filesIn = (dir: string): string[] => {
    if (!existsSync(dir)) return [];
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => e.name);
  };

  test('a double submit stores one file, a refused one none, and nothing is left half-written', async () => {
    const user = await buildUser(t.db);
    const agent = await new Agent(t.app).signIn(user.email);
    const uploads = path.join(t.config.dataDir, 'uploads');
    const before = filesIn(uploads).length;
    const csrf = await agent.csrf('/resources/new');
    const send = (fields: Record<string, string>) => {
      const form = multipart({ _csrf: csrf, kind: 'guide', _idem: 'same-key-twice', ...fields }, [{ field: 'file', filename: 'notes.pdf', contentType: 'application/pdf', data: makePdf('Notes from the spring convening') }]);
      return agent.raw({ method: 'POST', url: '/resources', payload: form.payload, headers: form.headers });
    };
    assert.equal((await send({ title: 'Spring notes' })).statusCode, 303);
    assert.equal((await send({ title: 'Spring notes' })).statusCode, 303, 'the replayed submit answers like the first');
    assert.equal(filesIn(uploads).length, before + 1, 'one file for one record');
    // Refused (the privacy guard): nothing stays on disk.
    const refused = await send({ title: 'Case notes', description: 'Jaylen in 3rd period at Lincoln Elementary has an IEP and keeps getting sent out.', _idem: 'another-key' });
    assert.equal(refused.statusCode, 422);
    const names = filesIn(uploads);
    assert.equal(names.length, before + 1);
    assert.ok(!names.some((n) => n.endsWith('.partial')));
  });
});
