import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, apiToken, bearer, buildGroup, buildTestApp, buildUser, textOf, type TestContext } from '../../test/helpers.js';
import { collectPersonalData, removeAccount } from '../trust/data.js';

let t: TestContext;
before(async () => {
  t = await buildTestApp();
});

/** A thread in a new group (public unless said), with its opening post. */
async function threadIn(visibility: 'public' | 'private' = 'public', memberIds: number[] = []) {
  const author = await buildUser(t.db, { name: 'Ana Author' });
  const g = await buildGroup(t.db, { leadId: author.id, visibility, memberIds });
  const res = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${g.slug}/threads`, headers: bearer(await apiToken(t.app, author.email)), payload: { title: 'Check-in routines', body: 'We start each day with a check-in.' } });
  assert.equal(res.statusCode, 201, res.body);
  const id = res.json().id as number;
  const post = await t.db.selectFrom('posts').select('id').where('thread_id', '=', id).executeTakeFirstOrThrow();
  return { author, group: g, threadId: id, postId: post.id };
}

const countsOf = async (postId: number) => (await t.db.selectFrom('posts').select(['reactions', 'helpful_count']).where('id', '=', postId).executeTakeFirstOrThrow());

describe('reactions', () => {
  test('a reader leaves several kinds; a double submit counts once; taking one back counts down; the page shows pressed buttons and counts', async () => {
    const { threadId, postId } = await threadIn();
    const reader = await buildUser(t.db, { name: 'Rosa Reader' });
    const agent = await new Agent(t.app).signIn(reader.email);
    const [a, b] = await Promise.all([agent.post(`/posts/${postId}/reactions`, { kind: 'thanks', on: 'true' }), agent.post(`/posts/${postId}/reactions`, { kind: 'thanks', on: 'true' })]);
    assert.equal(a.statusCode, 303);
    assert.equal(b.statusCode, 303);
    assert.equal(a.headers.location, `/threads/${threadId}#post-${postId}`);
    assert.equal((await agent.post(`/posts/${postId}/reactions`, { kind: 'will_try', on: 'true' })).statusCode, 303);
    assert.deepEqual((await countsOf(postId)).reactions, { thanks: 1, will_try: 1 });

    const page = await agent.get(`/threads/${threadId}`);
    const bar = /<div class="convene-reactions" role="group" aria-label="Reactions">([\s\S]*?)<\/div>/.exec(page.body)?.[1] ?? '';
    assert.match(bar, /aria-pressed="true"[^>]*>[\s\S]*?Thanks<span class="convene-reaction__count">1<\/span>/);
    assert.match(bar, /aria-pressed="true"[^>]*>[\s\S]*?I’ll try this<span class="convene-reaction__count">1<\/span>/);
    assert.match(bar, /aria-pressed="false"[^>]*>[\s\S]*?Helpful<\/button>/);
    assert.match(bar, /Who reacted \(2\)/);

    // Someone else sees the same counts, with none of the buttons pressed.
    const other = await new Agent(t.app).signIn((await buildUser(t.db)).email);
    const otherBar = /<div class="convene-reactions"[\s\S]*?<\/div>/.exec((await other.get(`/threads/${threadId}`)).body)![0];
    assert.doesNotMatch(otherBar, /aria-pressed="true"/);
    assert.match(otherBar, /Thanks<span class="convene-reaction__count">1<\/span>/);

    await agent.post(`/posts/${postId}/reactions`, { kind: 'thanks', on: 'false' });
    await agent.post(`/posts/${postId}/reactions`, { kind: 'thanks', on: 'false' });
    assert.deepEqual((await countsOf(postId)).reactions, { thanks: 0, will_try: 1 });
    // The old "helpful" form still works and keeps helpful_count for older API clients.
    await agent.post(`/posts/${postId}/helpful`, { on: 'true' });
    assert.equal((await countsOf(postId)).helpful_count, 1);
    const api = (await t.app.inject({ url: `/api/v1/threads/${threadId}`, headers: bearer(await apiToken(t.app, reader.email)) })).json();
    assert.deepEqual(api.posts[0].reactions, { helpful: 1, thanks: 0, agree: 0, will_try: 1 });
    assert.deepEqual(api.posts[0].my_reactions, ['helpful', 'will_try']);
    assert.equal(api.posts[0].helpful_count, 1);
  });

  test("the page's buttons: one form per post, each button saying which reaction and whether it is given or taken back", async () => {
    const { threadId, postId } = await threadIn();
    const reader = await new Agent(t.app).signIn((await buildUser(t.db)).email);
    const bar = () => reader.get(`/threads/${threadId}`).then((r) => /<div class="convene-reactions" role="group" aria-label="Reactions">([\s\S]*?)<\/div>/.exec(r.body)?.[1] ?? '');
    const before = await bar();
    assert.equal(before.match(/<form /g)?.length, 1, 'one form for the four reactions');
    assert.equal(before.match(/name="_csrf"/g)?.length, 1);
    assert.match(before, new RegExp(`<form method="post" action="/posts/${postId}/reactions"`));
    assert.match(before, /<button type="submit" name="react" value="thanks:on" class="convene-reaction" aria-pressed="false">/);
    // What a browser sends for the pressed button; twice (a double submit) counts once.
    await Promise.all([reader.post(`/posts/${postId}/reactions`, { react: 'thanks:on' }), reader.post(`/posts/${postId}/reactions`, { react: 'thanks:on' })]);
    assert.deepEqual((await countsOf(postId)).reactions, { thanks: 1 });
    const pressed = await bar();
    assert.match(pressed, /<button type="submit" name="react" value="thanks:off" class="convene-reaction" aria-pressed="true">/);
    assert.equal((await reader.post(`/posts/${postId}/reactions`, { react: 'thanks:off' })).statusCode, 303);
    assert.equal((await reader.post(`/posts/${postId}/reactions`, { react: 'thanks:off' })).statusCode, 303);
    assert.deepEqual((await countsOf(postId)).reactions, { thanks: 0 });
    for (const bad of ['love:on', 'thanks', 'thanks:maybe', ':on', 'thanks:on:on']) {
      const r = await reader.post(`/posts/${postId}/reactions`, { react: bad });
      assert.equal(r.statusCode, 400, bad);
      assert.match(textOf(r.body), /Choose one of the reactions offered/, bad);
    }
    assert.deepEqual((await countsOf(postId)).reactions, { thanks: 0 }, 'nothing written by a refused submit');
  });

  test('refused: an unknown kind (a clear 400, nothing written), one’s own post, a visitor, a hidden or deleted post', async () => {
    const { author, postId } = await threadIn();
    const reader = await new Agent(t.app).signIn((await buildUser(t.db)).email);
    const bad = await reader.post(`/posts/${postId}/reactions`, { kind: 'love', on: 'true' });
    assert.equal(bad.statusCode, 400);
    assert.match(textOf(bad.body), /Choose one of the reactions offered/);
    const missing = await reader.post(`/posts/${postId}/reactions`, { on: 'true' });
    assert.equal(missing.statusCode, 400);
    assert.equal((await t.db.selectFrom('post_reactions').select('kind').where('post_id', '=', postId).execute()).length, 0);

    const own = await new Agent(t.app).signIn(author.email);
    assert.equal((await own.post(`/posts/${postId}/reactions`, { kind: 'agree', on: 'true' })).statusCode, 403);
    const visitor = await t.app.inject({ method: 'POST', url: `/posts/${postId}/reactions`, payload: { kind: 'agree' } });
    assert.ok([401, 403].includes(visitor.statusCode), `visitor: ${visitor.statusCode}`);
    const viaApi = await t.app.inject({ method: 'PUT', url: `/api/v1/posts/${postId}/reactions/love`, headers: bearer(await apiToken(t.app, author.email)) });
    assert.equal(viaApi.statusCode, 400);

    await t.db.updateTable('posts').set({ hidden_at: new Date() }).where('id', '=', postId).execute();
    assert.equal((await reader.post(`/posts/${postId}/reactions`, { kind: 'agree', on: 'true' })).statusCode, 404);
    assert.equal((await reader.get(`/posts/${postId}/reactions`)).statusCode, 404, 'a hidden post’s reactions are not listed');
    assert.equal((await t.db.selectFrom('post_reactions').select('kind').where('post_id', '=', postId).execute()).length, 0);
  });

  test('who reacted: listed by kind with names; a private group’s post is not found for outsiders, on the page and in the API', async () => {
    const insider = await buildUser(t.db, { name: 'Ines Insider' });
    const second = await buildUser(t.db, { name: 'Omar Second' });
    const { postId, threadId } = await threadIn('private', [insider.id, second.id]);
    await t.app.inject({ method: 'PUT', url: `/api/v1/posts/${postId}/reactions/agree`, headers: bearer(await apiToken(t.app, insider.email)) });
    const put = await t.app.inject({ method: 'PUT', url: `/api/v1/posts/${postId}/reactions/agree`, headers: bearer(await apiToken(t.app, second.email)) });
    assert.equal(put.statusCode, 200, put.body);
    assert.equal(put.json().reactions.agree, 2);
    const again = await t.app.inject({ method: 'PUT', url: `/api/v1/posts/${postId}/reactions/agree`, headers: bearer(await apiToken(t.app, second.email)) });
    assert.equal(again.json().reactions.agree, 2, 'repeating a reaction changes nothing');
    await t.app.inject({ method: 'PUT', url: `/api/v1/posts/${postId}/reactions/thanks`, headers: bearer(await apiToken(t.app, second.email)) });

    const insiderAgent = await new Agent(t.app).signIn(insider.email);
    const page = await insiderAgent.get(`/posts/${postId}/reactions`);
    assert.equal(page.statusCode, 200);
    const text = textOf(page.body);
    assert.match(text, /Reactions to Ana Author’s post/);
    assert.match(text, /Thanks \(1 person\) Omar Second[\s\S]*Agree \(2 people\) Omar Second[\s\S]*Ines Insider/, 'kinds in their order, newest reaction first');
    assert.match(page.body, new RegExp(`href="/threads/${threadId}#post-${postId}"`));
    await t.db.updateTable('users').set({ locale: 'es' }).where('id', '=', insider.id).execute();
    const es = await new Agent(t.app).signIn(insider.email).then((a) => a.get(`/posts/${postId}/reactions`));
    assert.match(textOf(es.body), /De acuerdo \(2 personas\)/);

    const outsider = await new Agent(t.app).signIn((await buildUser(t.db)).email);
    assert.equal((await outsider.get(`/posts/${postId}/reactions`)).statusCode, 404);
    assert.equal((await t.app.inject(`/posts/${postId}/reactions`)).statusCode, 404);
    assert.equal((await outsider.post(`/posts/${postId}/reactions`, { kind: 'agree' })).statusCode, 404);
    assert.equal((await t.app.inject(`/api/v1/posts/${postId}/reactions`)).statusCode, 404);
    const outsiderToken = await apiToken(t.app, (await buildUser(t.db)).email);
    assert.equal((await t.app.inject({ method: 'PUT', url: `/api/v1/posts/${postId}/reactions/agree`, headers: bearer(outsiderToken) })).statusCode, 404);
    const listed = await t.app.inject({ url: `/api/v1/posts/${postId}/reactions`, headers: bearer(await apiToken(t.app, insider.email)) });
    assert.deepEqual(
      listed.json().reactions.map((k: { kind: string; count: number; people: { name: string }[] }) => [k.kind, k.count, k.people.map((p) => p.name)]),
      [
        ['thanks', 1, ['Omar Second']],
        ['agree', 2, ['Omar Second', 'Ines Insider']],
      ],
    );

    const del = await t.app.inject({ method: 'DELETE', url: `/api/v1/posts/${postId}/reactions/agree`, headers: bearer(await apiToken(t.app, insider.email)) });
    assert.equal(del.json().reactions.agree, 1);
  });

  test('an erased account’s reactions leave the counts, and they are in the person’s data export', async () => {
    const { postId } = await threadIn();
    const leaving = await buildUser(t.db);
    const staying = await buildUser(t.db);
    for (const who of [leaving, staying]) await t.app.inject({ method: 'PUT', url: `/api/v1/posts/${postId}/reactions/helpful`, headers: bearer(await apiToken(t.app, who.email)) });
    assert.deepEqual((await collectPersonalData(t.db, leaving.id)).reactions.map((r) => [r.post_id, r.kind]), [[postId, 'helpful']]);
    await t.db.transaction().execute((tx) => removeAccount(tx, t.jobs, t.config.dataDir, leaving.id, 'anonymize'));
    assert.deepEqual(await countsOf(postId), { reactions: { helpful: 1 }, helpful_count: 1 });
  });
});
