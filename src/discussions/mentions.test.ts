import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, apiToken, bearer, buildGroup, buildTestApp, buildUser, textOf, type TestContext } from '../../test/helpers.js';

let t: TestContext;
before(async () => {
  t = await buildTestApp();
});

const handleOf = async (id: number) => (await t.db.selectFrom('users').select('handle').where('id', '=', id).executeTakeFirstOrThrow()).handle;
const ask = async (token: string, query: string) => t.app.inject({ url: `/api/v1/mentions?${query}`, headers: bearer(token) });
const names = async (token: string, query: string) => {
  const res = await ask(token, query);
  assert.equal(res.statusCode, 200, res.body);
  return (res.json().people as { name: string }[]).map((p) => p.name);
};

describe('@mention suggestions', () => {
  test('by handle or by any word of the name; never oneself, hidden or deactivated people; the thread’s people first', async () => {
    const stamp = Date.now().toString(36);
    const author = await buildUser(t.db, { name: `Quill${stamp} Author` });
    const inThread = await buildUser(t.db, { name: `Zed Quill${stamp}` });
    const elsewhere = await buildUser(t.db, { name: `Quill${stamp} Elsewhere` });
    await buildUser(t.db, { name: `Quill${stamp} Hidden`, hidden: true });
    const gone = await buildUser(t.db, { name: `Quill${stamp} Gone` });
    await t.db.updateTable('users').set({ deactivated_at: new Date() }).where('id', '=', gone.id).execute();
    const g = await buildGroup(t.db, { leadId: author.id, memberIds: [inThread.id] });
    const token = await apiToken(t.app, author.email);
    const made = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${g.slug}/threads`, headers: bearer(token), payload: { title: 'Who to ask', body: 'Opening.' } });
    const threadId = made.json().id as number;
    await t.app.inject({ method: 'POST', url: `/api/v1/threads/${threadId}/posts`, headers: bearer(await apiToken(t.app, inThread.email)), payload: { body: 'I am here.' } });

    assert.deepEqual(await names(token, `q=quill${stamp}&thread=${threadId}`), [`Zed Quill${stamp}`, `Quill${stamp} Elsewhere`]);
    assert.deepEqual(await names(token, `q=${encodeURIComponent('@' + (await handleOf(elsewhere.id)))}`), [`Quill${stamp} Elsewhere`], 'by handle, with or without the @');
    assert.deepEqual(await names(token, `q=zed%20quill${stamp}`), [`Zed Quill${stamp}`], 'the whole name from its start');
    assert.deepEqual(await names(token, `q=ed%20quill${stamp}`), [], 'not from inside a word');
    assert.ok(!(await names(token, `q=quill${stamp}`)).includes(`Quill${stamp} Author`), 'never oneself');
  });

  test('the youth contact rule: a young member is offered only to people who share an active group with them (and to facilitators)', async () => {
    const stamp = Date.now().toString(36);
    const youth = await buildUser(t.db, { name: `Yara${stamp} Young`, is_youth: true });
    const stranger = await buildUser(t.db);
    const groupmate = await buildUser(t.db);
    const facilitator = await buildUser(t.db, { role: 'facilitator' });
    await buildGroup(t.db, { leadId: groupmate.id, memberIds: [youth.id] });
    assert.deepEqual(await names(await apiToken(t.app, stranger.email), `q=yara${stamp}`), []);
    assert.deepEqual(await names(await apiToken(t.app, groupmate.email), `q=yara${stamp}`), [`Yara${stamp} Young`]);
    assert.deepEqual(await names(await apiToken(t.app, facilitator.email), `q=yara${stamp}`), [`Yara${stamp} Young`]);
  });

  test('in a private group only people who can read it are offered; outsiders asking about it get not found; visitors and bad queries are refused', async () => {
    const stamp = Date.now().toString(36);
    const lead = await buildUser(t.db);
    const insider = await buildUser(t.db, { name: `Priv${stamp} Insider` });
    await buildUser(t.db, { name: `Priv${stamp} Outsider` });
    await buildUser(t.db, { name: `Priv${stamp} Facilitator`, role: 'facilitator' });
    const g = await buildGroup(t.db, { leadId: lead.id, visibility: 'private', memberIds: [insider.id] });
    const token = await apiToken(t.app, lead.email);
    const made = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${g.slug}/threads`, headers: bearer(token), payload: { title: 'Inside', body: 'Opening.' } });
    const threadId = made.json().id as number;
    assert.deepEqual((await names(token, `q=priv${stamp}&thread=${threadId}`)).sort(), [`Priv${stamp} Facilitator`, `Priv${stamp} Insider`]);
    assert.deepEqual((await names(token, `q=priv${stamp}&group=${g.slug}`)).sort(), [`Priv${stamp} Facilitator`, `Priv${stamp} Insider`]);
    assert.equal((await names(token, `q=priv${stamp}`)).length, 3, 'with no place, anyone may be offered');

    const outsiderToken = await apiToken(t.app, (await buildUser(t.db)).email);
    assert.equal((await ask(outsiderToken, `q=priv${stamp}&thread=${threadId}`)).statusCode, 404);
    assert.equal((await ask(outsiderToken, `q=priv${stamp}&group=${g.slug}`)).statusCode, 404);
    assert.equal((await t.app.inject(`/api/v1/mentions?q=priv${stamp}`)).statusCode, 401);
    for (const bad of ['q=', `q=${'a'.repeat(41)}`, 'q=%3Cscript%3E', 'q=a&thread=0']) {
      const res = await ask(token, bad);
      assert.equal(res.statusCode, 400, bad);
      assert.equal(res.json().error.code, 'validation_failed');
    }
  });

  test('handles are shown on posts and on profiles, and the reply box asks for suggestions about its thread', async () => {
    const author = await buildUser(t.db, { name: 'Hana Handle' });
    const member = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: author.id, memberIds: [member.id] });
    const made = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${g.slug}/threads`, headers: bearer(await apiToken(t.app, author.email)), payload: { title: 'Handles', body: 'Opening.' } });
    const threadId = made.json().id as number;
    const handle = await handleOf(author.id);
    const reader = await new Agent(t.app).signIn(member.email);
    const page = await reader.get(`/threads/${threadId}`);
    assert.match(page.body, new RegExp(`<span class="convene-handle"> @${handle}</span>`));
    assert.match(page.body, new RegExp(`data-mentions="/api/v1/mentions\\?thread=${threadId}"`));
    const profile = await reader.get(`/people/${author.id}`);
    assert.match(textOf(profile.body), new RegExp(`Mention them with @${handle}`));
    const newThread = await reader.get(`/groups/${g.slug}/threads/new`);
    assert.match(newThread.body, new RegExp(`data-mentions="/api/v1/mentions\\?group=${g.slug}"`));
  });
});
