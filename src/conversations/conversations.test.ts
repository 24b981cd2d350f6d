import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, apiToken, bearer, buildGroup, buildTestApp, buildUser, textOf, type TestContext } from '../../test/helpers.js';
import { parseHandles } from './conversations.js';

let t: TestContext;
before(async () => {
  t = await buildTestApp();
});

const handleOf = async (id: number) => (await t.db.selectFrom('users').select('handle').where('id', '=', id).executeTakeFirstOrThrow()).handle;
const start = (token: string, payload: Record<string, unknown>, key?: string) =>
  t.app.inject({ method: 'POST', url: '/api/v1/conversations', headers: { ...bearer(token), ...(key ? { 'idempotency-key': key } : {}) }, payload });

describe('private conversations', () => {
  test('two to ten people write privately; a double submit starts one; others cannot see it; the profile offers it; members are emailed', async () => {
    const ana = await buildUser(t.db, { name: 'Ana Sender' });
    const ben = await buildUser(t.db, { name: 'Ben Reader' });
    const cy = await buildUser(t.db, { name: 'Cy Third' });
    const outsider = await buildUser(t.db);
    const agent = await new Agent(t.app).signIn(ana.email);
    const profile = await agent.get(`/people/${ben.id}`);
    assert.match(profile.body, new RegExp(`href="/conversations/new\\?to=${await handleOf(ben.id)}"`));
    const form = await agent.get(`/conversations/new?to=${await handleOf(ben.id)}`);
    assert.match(form.body, new RegExp(`value="@${await handleOf(ben.id)}"`));
    const idem = /name="_idem" value="([^"]+)"/.exec(form.body)![1]!;
    const fields = { to: `@${await handleOf(ben.id)}, ${await handleOf(cy.id)}`, subject: 'Planning our session', body: 'Can we meet **Tuesday**?', _idem: idem };
    t.mailer.sent.length = 0;
    const [a, b] = await Promise.all([agent.post('/conversations', fields), agent.post('/conversations', fields)]);
    assert.equal(a.statusCode, 303, a.body.slice(0, 200));
    assert.equal(a.headers.location, b.headers.location);
    const rows = await t.db.selectFrom('conversations').select('id').where('subject', '=', 'Planning our session').execute();
    assert.equal(rows.length, 1, 'one conversation for a double submit');
    const id = rows[0]!.id;

    const benAgent = await new Agent(t.app).signIn(ben.email);
    const list = textOf((await benAgent.get('/conversations')).body);
    assert.match(list, /New Planning our session With Ana Sender, Cy Third/);
    const page = await benAgent.get(`/conversations/${id}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<strong>Tuesday<\/strong>/);
    assert.doesNotMatch(textOf((await benAgent.get('/conversations')).body), /New Planning/, 'read once opened');
    const reply = await benAgent.post(`/conversations/${id}/messages`, { body: 'Tuesday works.' });
    assert.equal(reply.statusCode, 303);

    const outsiderAgent = await new Agent(t.app).signIn(outsider.email);
    assert.equal((await outsiderAgent.get(`/conversations/${id}`)).statusCode, 404);
    assert.equal((await outsiderAgent.post(`/conversations/${id}/messages`, { body: 'Let me in' })).statusCode, 404);
    assert.equal((await t.app.inject({ url: `/api/v1/conversations/${id}`, headers: bearer(await apiToken(t.app, outsider.email)) })).statusCode, 404);
    const visitor = await t.app.inject('/conversations');
    assert.equal(visitor.statusCode, 303);
    assert.equal((await t.app.inject(`/conversations/${id}`)).statusCode, 303);

    await t.jobs.drain();
    const toCy = t.mailer.sent.filter((m) => m.to === cy.email);
    assert.equal(toCy.length, 2, 'Cy hears of both messages');
    assert.ok(toCy.every((m) => /New message: Planning our session/.test(m.subject)));
    assert.ok(toCy.some((m) => /Ana Sender wrote[\s\S]*Can we meet Tuesday/.test(m.text ?? '')));
    assert.ok(toCy.some((m) => /Ben Reader wrote[\s\S]*Tuesday works\./.test(m.text ?? '')));
    assert.equal(t.mailer.sent.filter((m) => m.to === ana.email).length, 1, 'the author is not told of their own message');

    // Leaving: no longer listed or readable; the others keep it.
    assert.equal((await benAgent.post(`/conversations/${id}/leave`)).statusCode, 303);
    assert.equal((await benAgent.get(`/conversations/${id}`)).statusCode, 404);
    assert.match(textOf((await agent.get(`/conversations/${id}`)).body), /Tuesday works\./);
  });

  test('bad input gets field messages and writes nothing: no one, unknown handles, only oneself, more than ten, an empty message', async () => {
    const me = await buildUser(t.db);
    const token = await apiToken(t.app, me.email);
    const many = await Promise.all(Array.from({ length: 10 }, () => buildUser(t.db)));
    const handles = await Promise.all(many.map((p) => handleOf(p.id)));
    const hidden = await buildUser(t.db, { hidden: true });
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ to: ' , ', subject: 'x', body: 'x' }, 'to', /Add at least one person/],
      [{ to: '@nobody_here_at_all', subject: 'x', body: 'x' }, 'to', /nobody to write to with @nobody_here_at_all/],
      [{ to: `@${await handleOf(hidden.id)}`, subject: 'x', body: 'x' }, 'to', /nobody to write to/],
      [{ to: `@${await handleOf(me.id)}`, subject: 'x', body: 'x' }, 'to', /someone other than yourself/],
      [{ to: handles.join(' '), subject: 'x', body: 'x' }, 'to', /at most 10 people/],
      [{ to: `@${handles[0]}`, subject: 'x', body: '   ' }, 'body', /not in the expected format|visible text/],
      [{ to: `@${handles[0]}`, subject: '', body: 'x' }, 'subject', /Fill in this field/],
    ];
    for (const [payload, field, message] of cases) {
      const res = await start(token, payload);
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
      assert.match(res.json().error.fields[field], message, JSON.stringify(payload));
    }
    assert.equal((await t.db.selectFrom('conversations').select('id').where('created_by', '=', me.id).execute()).length, 0);
    assert.deepEqual(parseHandles('@A, b;c  @a'), ['a', 'b', 'c']);
  });

  test('the youth contact rule: only with people from a shared group or facilitators; facilitators can read conversations with youth members', async () => {
    const youth = await buildUser(t.db, { name: 'Yael Young', is_youth: true });
    const stranger = await buildUser(t.db, { name: 'Sam Stranger' });
    const mentor = await buildUser(t.db, { name: 'Mo Mentor' });
    const facilitator = await buildUser(t.db, { name: 'Fay Facilitator', role: 'facilitator' });
    await buildGroup(t.db, { leadId: mentor.id, memberIds: [youth.id] });
    const refused = await start(await apiToken(t.app, stranger.email), { to: `@${await handleOf(youth.id)}`, subject: 'Hi', body: 'Hello' });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.json().error.fields.to, /Yael Young cannot be added/);
    // Nor by the young person, nor by adding a stranger beside a groupmate.
    assert.equal((await start(await apiToken(t.app, youth.email), { to: `@${await handleOf(stranger.id)}`, subject: 'Hi', body: 'Hello' })).statusCode, 400);
    const mixed = await start(await apiToken(t.app, mentor.email), { to: `@${await handleOf(youth.id)} @${await handleOf(stranger.id)}`, subject: 'Hi', body: 'Hello' });
    assert.equal(mixed.statusCode, 400);
    assert.match(mixed.json().error.fields.to, /Sam Stranger/);
    const strangerAgent = await new Agent(t.app).signIn(stranger.email);
    assert.doesNotMatch((await strangerAgent.get(`/people/${youth.id}`)).body, /Send a private message/);

    const ok = await start(await apiToken(t.app, mentor.email), { to: `@${await handleOf(youth.id)}`, subject: 'Council plans', body: 'How did the meeting go?' });
    assert.equal(ok.statusCode, 201, ok.body);
    const id = ok.json().id as number;
    const facAgent = await new Agent(t.app).signIn(facilitator.email);
    const overseen = await facAgent.get(`/conversations/${id}`);
    assert.equal(overseen.statusCode, 200);
    assert.match(textOf(overseen.body), /A youth member takes part in this conversation/);
    assert.doesNotMatch(overseen.body, /action="\/conversations\/\d+\/messages"/, 'facilitators read; they do not write');
    assert.equal((await facAgent.post(`/conversations/${id}/messages`, { body: 'Hi' })).statusCode, 403);
    assert.match(textOf((await facAgent.get('/conversations?view=youth')).body), /Council plans/);
    assert.equal((await strangerAgent.get('/conversations?view=youth')).statusCode, 403);
    // A conversation without youth members stays closed to facilitators who are not in it.
    const adults = await start(await apiToken(t.app, mentor.email), { to: `@${await handleOf(stranger.id)}`, subject: 'Adults only', body: 'Hi' });
    assert.equal((await facAgent.get(`/conversations/${adults.json().id}`)).statusCode, 404);
  });

  test('a member reports a message; facilitators see it in their queue and hide it; the author cannot report their own', async () => {
    const a = await buildUser(t.db, { name: 'Alma Author' });
    const b = await buildUser(t.db, { name: 'Bo Reporter' });
    const facilitator = await buildUser(t.db, { role: 'facilitator' });
    const made = await start(await apiToken(t.app, a.email), { to: `@${await handleOf(b.id)}`, subject: 'About the meeting', body: 'Something unkind.' });
    const id = made.json().id as number;
    const message = await t.db.selectFrom('conversation_messages').select('id').where('conversation_id', '=', id).executeTakeFirstOrThrow();
    const authorAgent = await new Agent(t.app).signIn(a.email);
    assert.equal((await authorAgent.get(`/conversations/messages/${message.id}/report`)).statusCode, 403);
    const reporter = await new Agent(t.app).signIn(b.email);
    const bad = await reporter.post(`/conversations/messages/${message.id}/report`, { reason: 'rude' });
    assert.equal(bad.statusCode, 400);
    assert.equal((await reporter.post(`/conversations/messages/${message.id}/report`, { reason: 'harassment', note: 'Not okay' })).statusCode, 303);
    const member = await new Agent(t.app).signIn((await buildUser(t.db)).email);
    assert.equal((await member.get('/moderation/conversations')).statusCode, 403);
    const facAgent = await new Agent(t.app).signIn(facilitator.email);
    const queue = textOf((await facAgent.get('/moderation/conversations')).body);
    assert.match(queue, /About the meeting[\s\S]*Reported by 1 person[\s\S]*Alma Author: Something unkind\.[\s\S]*Not okay/);
    assert.equal((await facAgent.post(`/moderation/conversations/${message.id}`, { action: 'hide' })).statusCode, 303);
    assert.match(textOf((await reporter.get(`/conversations/${id}`)).body), /This message was hidden by a moderator/);
    assert.doesNotMatch(textOf((await reporter.get(`/conversations/${id}`)).body), /Something unkind/);
    assert.match(textOf((await facAgent.get('/moderation/conversations')).body), /No reported messages are waiting/);
    assert.equal((await t.db.selectFrom('audit_log').select('action').where('action', '=', 'conversation.message_hide').execute()).length, 1);
  });
});
