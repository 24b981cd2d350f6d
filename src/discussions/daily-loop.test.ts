import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, apiToken, bearer, buildGroup, buildTestApp, buildUser, textOf, type TestContext } from '../../test/helpers.js';

let t: TestContext;
before(async () => {
  t = await buildTestApp();
});

async function startThread(token: string, slug: string, title: string, body = 'Opening words for everyone.') {
  const res = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${slug}/threads`, headers: bearer(token), payload: { title, body } });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().id as number;
}
async function startCommunityThread(token: string, title: string) {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/discussions', headers: bearer(token), payload: { title, body: 'Opening words for the whole community.' } });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().id as number;
}
async function reply(token: string, threadId: number, body: string) {
  const res = await t.app.inject({ method: 'POST', url: `/api/v1/threads/${threadId}/posts`, headers: bearer(token), payload: { body } });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().id as number;
}
type Listed = { id: number; title: string; is_new: boolean; new_replies: number; first_unread_post_id: number | null };
const api = async (view: string, token?: string) => {
  const res = await t.app.inject({ url: `/api/v1/${view}`, headers: token ? bearer(token) : {} });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().threads as Listed[];
};
const titles = (list: Listed[]) => list.map((x) => x.title);

describe('Latest', () => {
  test('every thread the viewer may read, across groups, latest activity first; private ones only to their members', async () => {
    const lead = await buildUser(t.db);
    const outsider = await buildUser(t.db);
    const pub = await buildGroup(t.db, { leadId: lead.id, visibility: 'public' });
    const members = await buildGroup(t.db, { leadId: lead.id, visibility: 'members' });
    const secret = await buildGroup(t.db, { leadId: lead.id, visibility: 'private', join_policy: 'invite' });
    const token = await apiToken(t.app, lead.email);
    const a = await startThread(token, pub.slug, 'Latest public wombat');
    await startThread(token, members.slug, 'Latest members wombat');
    await startThread(token, secret.slug, 'Latest secret wombat');
    const outsiderToken = await apiToken(t.app, outsider.email);

    assert.deepEqual(titles(await api('latest')).filter((x) => x.includes('wombat')), ['Latest public wombat']);
    assert.deepEqual(titles(await api('latest', outsiderToken)).filter((x) => x.includes('wombat')), ['Latest members wombat', 'Latest public wombat']);
    assert.deepEqual(titles(await api('latest', token)).filter((x) => x.includes('wombat')), ['Latest secret wombat', 'Latest members wombat', 'Latest public wombat']);
    // A reply moves a thread to the top.
    await reply(token, a, 'A fresh reply.');
    assert.equal(titles(await api('latest', token)).filter((x) => x.includes('wombat'))[0], 'Latest public wombat');

    const page = await t.app.inject('/latest');
    assert.equal(page.statusCode, 200);
    const text = textOf(page.body);
    assert.match(text, /Latest public wombat/);
    assert.doesNotMatch(page.body, /secret wombat|members wombat/);
    assert.match(text, /Sign in to see what is new to you/);
    const es = await t.app.inject({ url: '/latest', headers: { 'accept-language': 'es' } });
    assert.match(textOf(es.body), /Conversaciones recientes/);
    assert.equal((await t.app.inject('/latest?page=0')).statusCode, 400);
  });
});

describe('New and Unread', () => {
  test('per person: new threads until opened, replies by others since the last read, jump to the first, muting, and mark everything read', async () => {
    const writer = await buildUser(t.db, { name: 'Wren Writer' });
    const reader = await buildUser(t.db, { name: 'Reese Reader' });
    const g = await buildGroup(t.db, { leadId: writer.id, memberIds: [reader.id] });
    const wt = await apiToken(t.app, writer.email);
    const rt = await apiToken(t.app, reader.email);
    const agent = await new Agent(t.app).signIn(reader.email);
    const id = await startThread(wt, g.slug, 'Narwhal screening plan');

    // New to the reader (not to its author), with the tab's count.
    assert.ok((await api('new', rt)).some((x) => x.id === id && x.is_new));
    assert.ok(!(await api('new', wt)).some((x) => x.id === id), "one's own thread is not new to oneself");
    const newPage = await agent.get('/new');
    assert.equal(newPage.statusCode, 200);
    assert.match(textOf(newPage.body), /Narwhal screening plan/);
    assert.match(textOf(newPage.body), /New \(\d+\)/);

    // Opening it: no longer new, nothing unread.
    assert.equal((await agent.get(`/threads/${id}`)).statusCode, 200);
    assert.ok(!(await api('new', rt)).some((x) => x.id === id));
    assert.ok(!(await api('unread', rt)).some((x) => x.id === id));

    // Two replies by the writer, one by the reader: two new replies, the first one to jump to.
    await new Promise((r) => setTimeout(r, 5));
    const first = await reply(wt, id, 'First answer from the writer.');
    await reply(wt, id, 'Second answer from the writer.');
    const unread = (await api('unread', rt)).find((x) => x.id === id);
    assert.ok(unread, 'the thread is unread');
    assert.equal(unread.new_replies, 2);
    assert.equal(unread.first_unread_post_id, first);
    const unreadPage = await agent.get('/unread');
    assert.match(unreadPage.body, new RegExp(`href="/threads/${id}#post-${first}"`));
    assert.match(textOf(unreadPage.body), /2 new replies/);
    // The thread page says so and links to the first new reply; reading it clears Unread.
    const threadPage = await agent.get(`/threads/${id}`);
    assert.match(textOf(threadPage.body), /2 new replies since your last visit/);
    assert.match(threadPage.body, new RegExp(`href="#post-${first}"`));
    assert.ok(!(await api('unread', rt)).some((x) => x.id === id));
    assert.doesNotMatch(textOf((await agent.get(`/threads/${id}`)).body), /since your last visit/);

    // The reader's own reply is not new to them; a deleted reply does not count.
    await reply(rt, id, 'My own reply.');
    assert.ok(!(await api('unread', rt)).some((x) => x.id === id));
    const gone = await reply(wt, id, 'Posted, then taken back.');
    assert.equal((await t.app.inject({ method: 'DELETE', url: `/api/v1/posts/${gone}`, headers: bearer(wt) })).statusCode, 204);
    assert.ok(!(await api('unread', rt)).some((x) => x.id === id));

    // A muted thread leaves Unread.
    await reply(wt, id, 'Another answer.');
    assert.equal((await api('unread', rt)).find((x) => x.id === id)?.new_replies, 1);
    const watch = (level: string) => agent.post(`/threads/${id}/watch`, { level, next: `/threads/${id}` });
    assert.equal((await watch('muted')).statusCode, 303);
    assert.ok(!(await api('unread', rt)).some((x) => x.id === id));
    assert.equal((await watch('tracking')).statusCode, 303);
    assert.ok((await api('unread', rt)).some((x) => x.id === id));

    // Mark everything read (the form, with its CSRF token): New and Unread empty until something arrives.
    const other = await startThread(wt, g.slug, 'Narwhal follow-up');
    assert.ok((await api('new', rt)).some((x) => x.id === other));
    assert.equal((await agent.post('/latest/mark-read', { next: '/unread' }, { csrf: false })).statusCode, 403);
    const marked = await agent.post('/latest/mark-read', { next: '/unread' });
    assert.equal(marked.statusCode, 303);
    assert.equal(marked.headers.location, '/unread');
    assert.deepEqual(await api('new', rt), []);
    assert.deepEqual(await api('unread', rt), []);
    assert.match(textOf((await agent.get('/unread')).body), /You are all caught up/);
    await new Promise((r) => setTimeout(r, 5));
    await reply(wt, id, 'After the horizon.');
    assert.equal((await api('unread', rt)).find((x) => x.id === id)?.new_replies, 1);
    const later = await startThread(wt, g.slug, 'Narwhal after the horizon');
    assert.ok((await api('new', rt)).some((x) => x.id === later));
    // The API's "mark everything read".
    assert.equal((await t.app.inject({ method: 'POST', url: '/api/v1/mark-read', headers: bearer(rt) })).statusCode, 204);
    assert.deepEqual(await api('unread', rt), []);
  });

  test('the pages list what the API lists, in the same order, and their tab counts agree with it (muted group, private group, own threads)', async () => {
    const writer = await buildUser(t.db, { name: 'Tabitha Writer' });
    const reader = await buildUser(t.db, { name: 'Tobias Reader' });
    const g = await buildGroup(t.db, { leadId: writer.id, memberIds: [reader.id] });
    const quiet = await buildGroup(t.db, { leadId: writer.id, memberIds: [reader.id] });
    const secret = await buildGroup(t.db, { leadId: writer.id, visibility: 'private', join_policy: 'invite' });
    const wt = await apiToken(t.app, writer.email);
    const rt = await apiToken(t.app, reader.email);
    const agent = await new Agent(t.app).signIn(reader.email);
    const read = await startThread(wt, g.slug, 'Tapir check-in routines');
    const unreadToo = await startThread(wt, g.slug, 'Tapir family nights');
    await startThread(wt, g.slug, 'Tapir peer mentors');
    await startThread(wt, quiet.slug, 'Tapir muted group thread');
    await startThread(wt, secret.slug, 'Tapir private thread');
    await startThread(rt, g.slug, 'Tapir my own thread');
    assert.equal((await agent.post(`/groups/${quiet.slug}/watch`, { level: 'muted', next: `/groups/${quiet.slug}` })).statusCode, 303);
    // A level set on a thread outranks its group's: kept in a muted group, muted in a followed one.
    const kept = await startThread(wt, quiet.slug, 'Tapir kept though its group is quiet');
    const hushed = await startThread(wt, g.slug, 'Tapir hushed thread');
    const everyone = await startCommunityThread(await apiToken(t.app, (await buildUser(t.db, { name: 'Tamsin Asker' })).email), 'Tapir community-wide question');
    assert.equal((await agent.post(`/threads/${kept}/watch`, { level: 'tracking', next: '/new' })).statusCode, 303);
    assert.equal((await agent.post(`/threads/${hushed}/watch`, { level: 'muted', next: '/new' })).statusCode, 303);
    // Read two, then the writer answers both: two Unread, one with two new replies.
    for (const id of [read, unreadToo]) assert.equal((await agent.get(`/threads/${id}`)).statusCode, 200);
    await new Promise((r) => setTimeout(r, 5));
    const first = await reply(wt, read, 'First tapir answer.');
    await reply(wt, read, 'Second tapir answer.');
    await reply(wt, unreadToo, 'One tapir answer.');

    const all = async (view: string) => {
      const out: Listed[] = [];
      for (let page = 1; ; page++) {
        const res = await t.app.inject({ url: `/api/v1/${view}?page=${page}`, headers: bearer(rt) });
        out.push(...(res.json().threads as Listed[]));
        if (!res.json().more) return out;
      }
    };
    const [fresh, unread] = [await all('new'), await all('unread')];
    assert.deepEqual(unread.map((x) => [x.id, x.new_replies]), [[unreadToo, 1], [read, 2]]);
    assert.ok(!fresh.some((x) => /muted group|private thread|my own thread/.test(x.title)), 'muted, unreadable and own threads are not New');
    assert.ok(fresh.some((x) => x.title === 'Tapir peer mentors'));
    assert.ok(fresh.some((x) => x.id === kept), 'a thread followed in a muted group is New');
    assert.ok(!fresh.some((x) => x.id === hushed), 'a muted thread in a followed group is not New');
    assert.ok(fresh.some((x) => x.id === everyone), 'a muted group leaves the community space alone');

    for (const [view, list] of [['new', fresh], ['unread', unread]] as const) {
      const page = await agent.get(`/${view}`);
      assert.equal(page.statusCode, 200, view);
      const text = textOf(page.body);
      // The tabs count what the API lists (both under the cap here).
      assert.match(text, new RegExp(`New \\(${fresh.length}\\)`), `${view}: the New tab`);
      assert.match(text, new RegExp(`Unread \\(${unread.length}\\)`), `${view}: the Unread tab`);
      // The page's first threads are the API's first page, in its order.
      const shown = [...page.body.matchAll(/href="\/threads\/(\d+)(?:#post-\d+)?"/g)].map((m) => Number(m[1]));
      const firstPage = list.slice(0, 25).map((x) => x.id);
      assert.deepEqual([...new Set(shown)].filter((id) => firstPage.includes(id)), firstPage, `${view}: same threads, same order`);
    }
    const unreadPage = await agent.get('/unread');
    assert.match(unreadPage.body, new RegExp(`href="/threads/${read}#post-${first}"`));
    assert.match(textOf(unreadPage.body), /2 new replies/);
    assert.doesNotMatch(unreadPage.body, /Tapir private thread/);
  });

  test('a thread in a private group leaves New and Unread when the reader leaves the group', async () => {
    const lead = await buildUser(t.db);
    const member = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: lead.id, memberIds: [member.id], visibility: 'private', join_policy: 'invite' });
    const lt = await apiToken(t.app, lead.email);
    const mt = await apiToken(t.app, member.email);
    const id = await startThread(lt, g.slug, 'Private okapi notes');
    assert.ok((await api('new', mt)).some((x) => x.id === id));
    await t.db.deleteFrom('group_memberships').where('group_id', '=', g.id).where('user_id', '=', member.id).execute();
    const fresh = await apiToken(t.app, member.email);
    assert.ok(!(await api('new', fresh)).some((x) => x.id === id));
    assert.ok(!(await api('latest', fresh)).some((x) => x.id === id));
  });

  test('New, Unread and mark everything read need a signed-in person', async () => {
    for (const url of ['/new', '/unread']) {
      const res = await t.app.inject(url);
      assert.equal(res.statusCode, 303, url);
      assert.match(res.headers.location as string, /^\/login\?next=/);
    }
    for (const url of ['/api/v1/new', '/api/v1/unread']) assert.equal((await t.app.inject(url)).statusCode, 401, url);
    assert.equal((await t.app.inject({ method: 'POST', url: '/api/v1/mark-read' })).statusCode, 401);
  });
});

describe('the composer', () => {
  test('"Preview" shows the reply as it will be published, keeps what was typed, and posts nothing; bad input gets its message', async () => {
    const lead = await buildUser(t.db);
    const member = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: lead.id, memberIds: [member.id] });
    const id = await startThread(await apiToken(t.app, lead.email), g.slug, 'Preview pelican');
    const agent = await new Agent(t.app).signIn(member.email);
    const before = await t.db.selectFrom('posts').select((eb) => eb.fn.countAll<number>().as('n')).where('thread_id', '=', id).executeTakeFirstOrThrow();
    const body = 'We tried **morning huddles**.\n\n<script>alert(1)</script>\n\n- first\n- second';
    const res = await agent.post(`/threads/${id}/replies`, { body, language: 'en', preview: '1' });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /Preview of your reply/);
    assert.match(res.body, /<strong>morning huddles<\/strong>/);
    assert.match(res.body, /<li>first<\/li>/);
    assert.doesNotMatch(res.body, /<script>alert/);
    assert.match(res.body, /We tried \*\*morning huddles\*\*\./, 'the text stays in the form');
    assert.match(res.body, /role="toolbar"/);
    const after = await t.db.selectFrom('posts').select((eb) => eb.fn.countAll<number>().as('n')).where('thread_id', '=', id).executeTakeFirstOrThrow();
    assert.equal(Number(after.n), Number(before.n), 'nothing was posted');
    const empty = await agent.post(`/threads/${id}/replies`, { body: '', language: 'en', preview: '1' });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /id="error-summary"/);
    // An outsider cannot preview in a thread they may not reply to.
    const outsider = await new Agent(t.app).signIn((await buildUser(t.db)).email);
    const secret = await buildGroup(t.db, { leadId: lead.id, visibility: 'private', join_policy: 'invite' });
    const hidden = await startThread(await apiToken(t.app, lead.email), secret.slug, 'Secret pelican');
    assert.equal((await outsider.post(`/threads/${hidden}/replies`, { body: 'x', language: 'en', preview: '1' })).statusCode, 404);
  });
});

describe('no dead ends', () => {
  test('who may not start a discussion is told what would let them, and joining brings them back to start one', async () => {
    const lead = await buildUser(t.db);
    const visitor = await buildUser(t.db);
    const open = await buildGroup(t.db, { leadId: lead.id, join_policy: 'open' });
    const asking = await buildGroup(t.db, { leadId: lead.id, join_policy: 'request' });
    const anon = await t.app.inject(`/groups/${open.slug}/threads`);
    assert.match(textOf(anon.body), /Sign in to start a discussion/);
    const agent = await new Agent(t.app).signIn(visitor.email);
    const page = await agent.get(`/groups/${open.slug}/threads`);
    assert.match(textOf(page.body), /Join the group to start one/);
    assert.doesNotMatch(page.body, new RegExp(`href="/groups/${open.slug}/threads/new"`));
    const joined = await agent.post(`/groups/${open.slug}/join`, { next: `/groups/${open.slug}/threads` });
    assert.equal(joined.statusCode, 303);
    assert.equal(joined.headers.location, `/groups/${open.slug}/threads`);
    const after = await agent.get(`/groups/${open.slug}/threads`);
    assert.match(after.body, new RegExp(`href="/groups/${open.slug}/threads/new"`));
    assert.doesNotMatch(textOf(after.body), /Join the group to start one/);
    // A group that takes requests: ask to join.
    assert.match(textOf((await agent.get(`/groups/${asking.slug}/threads`)).body), /Ask to join/);
    // An address elsewhere is not followed.
    const away = await agent.post(`/groups/${asking.slug}/join`, { next: 'https://evil.example/' });
    assert.equal(away.headers.location, `/groups/${asking.slug}`);
  });
});
