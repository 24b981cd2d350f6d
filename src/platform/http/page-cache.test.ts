import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { buildApp } from '../../app.js';
import { Jobs } from '../jobs/jobs.js';
import { PageCache } from './page-cache.js';
import { resultCache } from './result-cache.js';
import { Agent, ENGINE, MemoryMailer, apiToken, bearer, buildGroup, buildTestApp, buildUser, onCleanup, testConfig, type TestContext } from '../../../test/helpers.js';

let t: TestContext;
let threadId: number;
let token: string;
before(async () => {
  t = await buildTestApp({ pageCacheSeconds: 30 });
  const u = await buildUser(t.db);
  const g = await buildGroup(t.db, { leadId: u.id });
  token = await apiToken(t.app, u.email);
  const th = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${g.slug}/threads`, headers: bearer(token), payload: { title: 'Cached thread', body: 'The first words.', language: 'en' } });
  threadId = th.json().id;
});

const anon = (url: string, headers: Record<string, string> = {}) => t.app.inject({ url, headers: { 'accept-language': 'en', ...headers } });

describe('the signed-out page cache', () => {
  test('a second visitor gets the cached page; a write anywhere makes the next one fresh', async () => {
    const first = await anon(`/threads/${threadId}`);
    assert.equal(first.statusCode, 200);
    assert.equal(first.headers['x-convene-cache'], undefined);
    const second = await anon(`/threads/${threadId}`);
    assert.equal(second.headers['x-convene-cache'], 'hit');
    assert.equal(second.body, first.body);
    assert.match(String(second.headers['content-security-policy']), /frame-ancestors 'none'/, 'security headers still apply');

    const reply = await t.app.inject({ method: 'POST', url: `/api/v1/threads/${threadId}/posts`, headers: bearer(token), payload: { body: 'A brand-new reply.' } });
    assert.equal(reply.statusCode, 201);
    const after = await anon(`/threads/${threadId}`);
    assert.equal(after.headers['x-convene-cache'], undefined);
    assert.match(after.body, /A brand-new reply\./);
  });

  test('each language and time zone has its own copy', async () => {
    await anon('/groups');
    const es = await anon('/groups', { 'accept-language': 'es' });
    assert.equal(es.headers['x-convene-cache'], undefined);
    assert.match(es.body, /<html lang="es"/);
    const tz = await anon('/groups', { cookie: 'convene_tz=America/Chicago' });
    assert.equal(tz.headers['x-convene-cache'], undefined);
    assert.equal((await anon('/groups', { 'accept-language': 'es' })).headers['x-convene-cache'], 'hit');
  });

  test('signed-in pages, pages with forms and pages with a message are never cached', async () => {
    const u = await buildUser(t.db);
    const agent = await new Agent(t.app).signIn(u.email);
    await agent.get(`/threads/${threadId}`);
    const again = await agent.get(`/threads/${threadId}`);
    assert.equal(again.headers['x-convene-cache'], undefined);
    assert.equal(again.headers['cache-control'], 'private, no-store');
    await anon('/login');
    const login = await anon('/login');
    assert.equal(login.headers['x-convene-cache'], undefined, 'the sign-in form carries a per-visitor token');
    assert.match(login.body, /name="_csrf"/);
  });

  test('pages whose visits are counted (a resource page) are never served from the cache', async () => {
    const u = await buildUser(t.db);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/resources', headers: bearer(await apiToken(t.app, u.email)), payload: { title: 'Counted brief', kind: 'brief', summary: 'A summary.', external_url: 'https://example.org/brief', visibility: 'public' } });
    assert.equal(res.statusCode, 201, res.body);
    const slug = res.json().slug as string;
    const id = res.json().id as number;
    for (let i = 0; i < 3; i++) {
      const page = await anon(`/resources/${slug}`, { 'user-agent': `Mozilla/5.0 visitor ${i}` });
      assert.equal(page.statusCode, 200);
      assert.equal(page.headers['x-convene-cache'], undefined);
    }
    const views = await t.db.selectFrom('view_events').select('resource_id').where('resource_id', '=', id).execute();
    assert.ok(views.length >= 1, 'the visits were counted');
  });

  test('the reach dashboard’s sums are kept briefly per viewer and recomputed after any write', async () => {
    const f = await buildUser(t.db, { role: 'facilitator' });
    const agent = await new Agent(t.app).signIn(f.email);
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/resources', headers: bearer(token), payload: { title: 'Reach brief', kind: 'brief', summary: 'A summary.', external_url: 'https://example.org/reach', visibility: 'public' } });
    const resourceId = r.json().id as number;
    const org = await t.db.insertInto('organizations').values({ slug: 'reach-partner', name: 'Reach partner', kind: 'member', level: 'national' }).returning('id').executeTakeFirstOrThrow();
    const first = await agent.get('/reach');
    assert.equal(first.statusCode, 200);
    assert.doesNotMatch(first.body, /777,777/);
    // A row written behind the app's back: the dashboard keeps its recent sums...
    await t.db.insertInto('dissemination_reports').values({ resource_id: resourceId, organization_id: org.id, channel: 'newsletter', recipients: 777777, sent_on: new Date().toISOString().slice(0, 10) }).execute();
    assert.doesNotMatch((await agent.get('/reach')).body, /777,777/);
    // ...until any write through the app, which clears them everywhere.
    assert.equal((await t.app.inject({ method: 'POST', url: '/api/v1/notifications/read', headers: bearer(token), payload: {} })).statusCode, 200);
    assert.match((await agent.get('/reach')).body, /777,777/);
    // The dashboard's markup is kept with the sums, but never crosses viewers or languages:
    // a member right after sees no export links, a Spanish reader sees Spanish.
    const member = await new Agent(t.app).signIn((await buildUser(t.db)).email);
    const facilitatorPage = (await agent.get('/reach')).body;
    assert.match(facilitatorPage, /\/reach\/report\.csv/);
    const memberPage = (await member.get('/reach')).body;
    assert.equal(memberPage.includes('/reach/report.csv'), false, 'no export for members');
    await member.get('/language/es?next=/reach');
    assert.match((await member.get('/reach')).body, /<html lang="es">[\s\S]*<h2 id="goal-heading">Hacia la meta/);
  });

  test('searches and library answers are shared only by people who may read the same things, and a write refreshes them', async () => {
    const insider = await buildUser(t.db);
    const outsider = await buildUser(t.db);
    const secret = await buildGroup(t.db, { leadId: insider.id, visibility: 'private' });
    const insiderToken = await apiToken(t.app, insider.email);
    const made = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${secret.slug}/threads`, headers: bearer(insiderToken), payload: { title: 'Quetzalcoatl planning', body: 'Quetzalcoatl notes for the group.', language: 'en' } });
    assert.equal(made.statusCode, 201, made.body);
    const inAgent = await new Agent(t.app).signIn(insider.email);
    const outAgent = await new Agent(t.app).signIn(outsider.email);
    // The insider asks first; the outsider's identical search must not get the insider's answer.
    assert.match((await inAgent.get('/search?q=quetzalcoatl')).body, /Quetzalcoatl planning/);
    assert.doesNotMatch((await outAgent.get('/search?q=quetzalcoatl')).body, /Quetzalcoatl planning/);
    assert.doesNotMatch((await anon('/search?q=quetzalcoatl')).body, /Quetzalcoatl planning/);
    // The page's kept parts (the form lists the groups one may search in) follow the same classes and each language.
    const groupOption = new RegExp(`<option value="${secret.slug}"`);
    assert.match((await inAgent.get('/search?q=quetzalcoatl')).body, groupOption);
    assert.doesNotMatch((await outAgent.get('/search?q=quetzalcoatl')).body, groupOption);
    const second = await new Agent(t.app).signIn((await buildUser(t.db)).email);
    await second.get('/language/es?next=/');
    const spanish = (await second.get('/search?q=quetzalcoatl')).body;
    assert.match(spanish, /<h2 id="results">Resultados/);
    assert.doesNotMatch(spanish, groupOption);
    assert.match((await outAgent.get('/search?q=quetzalcoatl')).body, /<h2 id="results">Results/);
    // A group-only resource: the insider's library answer is not shared with a member outside the group.
    const memo = await t.app.inject({ method: 'POST', url: '/api/v1/resources', headers: bearer(insiderToken), payload: { title: 'Quetzalcoatl group memo', kind: 'brief', summary: 'For the group.', external_url: 'https://example.org/q', visibility: 'group', group: secret.slug } });
    assert.equal(memo.statusCode, 201, memo.body);
    assert.match((await inAgent.get('/resources?q=quetzalcoatl')).body, /Quetzalcoatl group memo/);
    assert.doesNotMatch((await outAgent.get('/resources?q=quetzalcoatl')).body, /Quetzalcoatl group memo/);
    // The search page's library matches are shared too: the outsider asks first, each sees their own.
    assert.doesNotMatch((await outAgent.get('/search?q=quetzalcoatl')).body, /Quetzalcoatl group memo/);
    assert.doesNotMatch((await anon('/search?q=quetzalcoatl')).body, /Quetzalcoatl group memo/);
    assert.match((await inAgent.get('/search?q=quetzalcoatl')).body, /Quetzalcoatl group memo/);
    // A new public thread with the same word: the outsider's next search (after the write) finds it.
    const pub = await buildGroup(t.db, { leadId: insider.id });
    const open = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${pub.slug}/threads`, headers: bearer(insiderToken), payload: { title: 'Quetzalcoatl open call', body: 'Everyone welcome.', language: 'en' } });
    assert.equal(open.statusCode, 201);
    const after = (await outAgent.get('/search?q=quetzalcoatl')).body;
    assert.match(after, /Quetzalcoatl open call/);
    assert.doesNotMatch(after, /Quetzalcoatl planning/);
  });


  test("a query's ranked matches are shared by every reader, each sees only what they may read, in rank order and pages", async () => {
    const insider = await buildUser(t.db);
    const secret = await buildGroup(t.db, { leadId: insider.id, visibility: 'private' });
    const pub = await buildGroup(t.db, { leadId: insider.id });
    const token = await apiToken(t.app, insider.email);
    const post = (slug: string, title: string, body: string) =>
      t.app.inject({ method: 'POST', url: `/api/v1/groups/${slug}/threads`, headers: bearer(token), payload: { title, body, language: 'en' } });
    assert.equal((await post(secret.slug, 'Axolotl budget', 'Axolotl figures for the group only.')).statusCode, 201);
    // More public matches than a page holds (written directly: the API's posting limits would stop them).
    for (let i = 0; i < 27; i++) {
      const th = await t.db.insertInto('threads').values({ group_id: pub.id, author_id: insider.id, title: `Open note ${i}` }).returning('id').executeTakeFirstOrThrow();
      await t.db.insertInto('posts').values({ thread_id: th.id, author_id: insider.id, is_opening: true, body: `An axolotl remark, number ${i}.` }).execute();
    }
    // The visitor asks first: the shared matches are found for everyone, filtered for the visitor.
    const first = (await t.app.inject('/api/v1/search?q=axolotl')).json();
    assert.equal(first.hits.length, 25);
    assert.equal(first.more, true);
    assert.ok(first.hits.every((h: { title: string }) => h.title.startsWith('Open note')));
    // The insider's identical search (no write since) still finds the private thread, ranked first (its title matches).
    const own = (await t.app.inject({ url: '/api/v1/search?q=axolotl', headers: bearer(token) })).json();
    assert.equal(own.hits[0].title, 'Axolotl budget');
    const second = (await t.app.inject({ url: '/api/v1/search?q=axolotl&page=2', headers: bearer(token) })).json();
    assert.equal(second.hits.length, 3);
    assert.equal(second.more, false);
    const seen = new Set([...own.hits, ...second.hits].map((h: { post_id: number }) => h.post_id));
    assert.equal(seen.size, 28, 'no hit twice across pages');
    // The visitor's second page holds the public rest only.
    const rest = (await t.app.inject('/api/v1/search?q=axolotl&page=2')).json();
    assert.equal(rest.hits.length, 2);
    assert.ok(rest.hits.every((h: { title: string }) => h.title.startsWith('Open note')));
  });
  test("a group page's shared rows are presented per viewer; each viewer's own state is read per view; a write refreshes them", async () => {
    const lead = await buildUser(t.db, { name: 'Lena Lead' });
    const hidden = await buildUser(t.db, { name: 'Harriet Hidden', hidden: true });
    const youth = await buildUser(t.db, { name: 'Yuri Youth', is_youth: true });
    const member = await buildUser(t.db, { name: 'Mo Member' });
    const facilitator = await buildUser(t.db, { role: 'facilitator' });
    const g = await buildGroup(t.db, { leadId: lead.id, memberIds: [hidden.id, youth.id, member.id] });
    const made = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${g.slug}/threads`, headers: bearer(await apiToken(t.app, lead.email)), payload: { title: 'Shared agenda check-in', body: 'Where are we?', language: 'en' } });
    assert.equal(made.statusCode, 201, made.body);
    await t.db.insertInto('thread_watches').values({ user_id: member.id, thread_id: made.json().id, level: 'watching' }).execute();
    const fAgent = await new Agent(t.app).signIn(facilitator.email);
    const mAgent = await new Agent(t.app).signIn(member.email);
    const leadAgent = await new Agent(t.app).signIn(lead.email);
    const hAgent = await new Agent(t.app).signIn(hidden.email);
    const other = await buildUser(t.db, { name: 'Otto Other' });
    const oAgent = await new Agent(t.app).signIn(other.email);
    // (Signing in is a write: everyone signs in before the views that share rows.)
    // The facilitator fills the shared rows: sees the hidden member and the requests section.
    const asFacilitator = (await fAgent.get(`/groups/${g.slug}`)).body;
    assert.match(asFacilitator, /Harriet Hidden/);
    assert.match(asFacilitator, /Requests and invitations/);
    assert.doesNotMatch(asFacilitator, /New activity/, 'the facilitator does not watch the thread');
    // A member gets the same rows, presented for them: no hidden profile, no management, their own read marks.
    const asMember = (await mAgent.get(`/groups/${g.slug}`)).body;
    assert.doesNotMatch(asMember, /Harriet Hidden/);
    assert.match(asMember, /Yuri Youth/);
    assert.doesNotMatch(asMember, /Requests and invitations|\/members\/\d+"/);
    assert.match(asMember, /New activity/);
    // The kept sections: the facilitator's review form (with her own token) never reaches the member.
    const reviewForm = new RegExp(`action="/groups/${g.slug}/reviews"`);
    assert.match(asFacilitator, reviewForm);
    assert.doesNotMatch(asMember, reviewForm);
    assert.doesNotMatch(asFacilitator + asMember, /convene-csrf-/);
    assert.match(asMember, /<h2 id="depth">Depth of interaction/);
    // A visitor sees neither the hidden nor the youth profile.
    const asVisitor = (await anon(`/groups/${g.slug}`)).body;
    assert.doesNotMatch(asVisitor, /Harriet Hidden|Yuri Youth/);
    assert.match(asVisitor, /Mo Member/);
    // The member list's markup is kept per viewer class, but people always see themselves:
    // the hidden member finds herself on the page the plain member's view filled ...
    assert.match((await hAgent.get(`/groups/${g.slug}`)).body, /Harriet Hidden/);
    // ... and her view is not the next member's.
    const asOther = (await oAgent.get(`/groups/${g.slug}`)).body;
    assert.match(asOther, /Mo Member/);
    assert.doesNotMatch(asOther, /Harriet Hidden/);
    // A Spanish reader gets the list in Spanish, with links to manage members only if they manage.
    const esAgent = await new Agent(t.app).signIn((await buildUser(t.db, { role: 'facilitator' })).email);
    await esAgent.get('/language/es?next=/');
    const inSpanish = (await esAgent.get(`/groups/${g.slug}`)).body;
    assert.match(inSpanish, /<h2 id="group-members">Miembros/);
    assert.match(inSpanish, /\/members\/\d+"/);
    assert.match(inSpanish, /<h2 id="group-events">Próximos encuentros[\s\S]*<h2 id="depth">Profundidad de la interacción/);
    assert.match(inSpanish, reviewForm);
    // A write (the lead names a co-lead) refreshes what everyone sees next.
    assert.equal((await leadAgent.post(`/groups/${g.slug}/members/${member.id}/role`, { role: 'co_lead' })).statusCode, 303);
    assert.match((await fAgent.get(`/groups/${g.slug}`)).body, /Mo Member<\/bdi><\/a>\s*<span class="usa-tag margin-left-1">Co-lead/);
  });

  test("a thread's posts are shared rows: hidden text only for moderators, each viewer's own reactions, and a write refreshes them", async () => {
    const lead = await buildUser(t.db);
    const first = await buildUser(t.db);
    const second = await buildUser(t.db);
    const third = await buildUser(t.db);
    const fourth = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: lead.id, memberIds: [first.id, second.id, third.id, fourth.id] });
    const made = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${g.slug}/threads`, headers: bearer(await apiToken(t.app, lead.email)), payload: { title: 'Shared posts', body: 'Opening words.', language: 'en' } });
    assert.equal(made.statusCode, 201, made.body);
    const id = made.json().id as number;
    const secondToken = await apiToken(t.app, second.email);
    const hiddenReply = await t.app.inject({ method: 'POST', url: `/api/v1/threads/${id}/posts`, headers: bearer(secondToken), payload: { body: 'Words a moderator hid.', language: 'en' } });
    assert.equal(hiddenReply.statusCode, 201, hiddenReply.body);
    const opening = await t.db.selectFrom('posts').select('id').where('thread_id', '=', id).where('is_opening', '=', true).executeTakeFirstOrThrow();
    // Written straight to the database, before any view: nothing here clears the cache.
    await t.db.updateTable('posts').set({ hidden_at: new Date() }).where('id', '=', hiddenReply.json().id).execute();
    await t.db.insertInto('post_reactions').values({ post_id: opening.id, user_id: first.id, kind: 'agree' }).execute();
    const leadAgent = await new Agent(t.app).signIn(lead.email);
    const firstAgent = await new Agent(t.app).signIn(first.email);
    const secondAgent = await new Agent(t.app).signIn(second.email);

    // Readers share one copy (the first reader agreed with the opening post; the second did not).
    const pressed = /aria-pressed="true"><span aria-hidden="true">👍<\/span> Agree/;
    const asFirst = (await firstAgent.get(`/threads/${id}`)).body;
    assert.doesNotMatch(asFirst, /Words a moderator hid/);
    assert.match(asFirst, pressed);
    const asSecond = (await secondAgent.get(`/threads/${id}`)).body;
    assert.doesNotMatch(asSecond, /Words a moderator hid/);
    assert.doesNotMatch(asSecond, pressed, "the first reader's reaction is not shown to the second");
    assert.match(asSecond, /action="\/posts\/\d+\/reactions"/);
    // The moderator's copy is their own: the hidden text is there.
    assert.match((await leadAgent.get(`/threads/${id}`)).body, /Words a moderator hid/);
    assert.doesNotMatch((await anon(`/threads/${id}`)).body, /Words a moderator hid/);
    // Views in the other order do not leak either way.
    const again = (await secondAgent.get(`/threads/${id}`)).body;
    assert.doesNotMatch(again, /Words a moderator hid/);
    assert.doesNotMatch(again, pressed);
    assert.match((await firstAgent.get(`/threads/${id}`)).body, pressed);

    // Two readers whose view is the same share the posts' kept markup; each page carries its viewer's own CSRF token.
    const thirdAgent = await new Agent(t.app).signIn(third.email);
    const fourthAgent = await new Agent(t.app).signIn(fourth.email);
    const tokensOn = (html: string) => new Set([...html.matchAll(/name="_csrf" value="([^"]+)"/g)].map((m) => m[1]!));
    const fourthTokens = tokensOn((await fourthAgent.get(`/threads/${id}`)).body);
    const asThird = (await thirdAgent.get(`/threads/${id}`)).body;
    const thirdTokens = tokensOn(asThird);
    assert.equal(thirdTokens.size, 1, 'one token on the page, not the reader who rendered the posts first');
    assert.equal(fourthTokens.size, 1);
    assert.notDeepEqual(thirdTokens, fourthTokens);
    assert.doesNotMatch(asThird, /convene-csrf-[0-9a-f]{32}/, 'no slot is left unfilled');
    const marked = await thirdAgent.post(`/posts/${opening.id}/reactions`, { kind: 'thanks', on: 'true' }, { csrf: [...thirdTokens][0]! });
    assert.equal(marked.statusCode, 303, 'the token in the kept markup is valid for this reader');
    const thanked = /aria-pressed="true"><span aria-hidden="true">🙏<\/span> Thanks<span class="convene-reaction__count">1</;
    assert.match((await thirdAgent.get(`/threads/${id}`)).body, thanked);
    const fourthNow = (await fourthAgent.get(`/threads/${id}`)).body;
    assert.doesNotMatch(fourthNow, thanked);
    assert.match(fourthNow, /aria-pressed="false"><span aria-hidden="true">🙏<\/span> Thanks<span class="convene-reaction__count">1</, 'the count is everyone’s');

    // A reply (a write) shows at once to a reader whose copy was cached.
    const newer = await t.app.inject({ method: 'POST', url: `/api/v1/threads/${id}/posts`, headers: bearer(secondToken), payload: { body: 'A newer reply.', language: 'en' } });
    assert.equal(newer.statusCode, 201);
    assert.match((await firstAgent.get(`/threads/${id}`)).body, /A newer reply/);
  });

  test('a write in another process clears this one’s cache (LISTEN/NOTIFY)', async () => {
    const mailer = new MemoryMailer();
    const other = await buildApp({ config: testConfig({ pageCacheSeconds: 30 }), db: t.db, jobs: new Jobs(t.db), databaseUrl: t.url, engine: ENGINE, mailer, logger: false });
    await other.ready();
    onCleanup(() => other.close());
    await anon('/discussions');
    assert.equal((await anon('/discussions')).headers['x-convene-cache'], 'hit');
    const res = await other.inject({ method: 'POST', url: `/api/v1/threads/${threadId}/posts`, headers: bearer(token), payload: { body: 'From the other process.' } });
    assert.equal(res.statusCode, 201);
    // The notification arrives asynchronously; it is prompt on loopback.
    let fresh = false;
    for (let i = 0; i < 50 && !fresh; i++) {
      fresh = (await anon('/discussions')).headers['x-convene-cache'] === undefined;
      if (!fresh) await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(fresh, 'the other process’s write cleared this cache');
  });
});

describe('shared results', () => {
  test('kept for the period, answered once more while recomputed after it, and forgotten on a write', async () => {
    const pages = new PageCache({ ttlMs: 40, maxEntries: 10 });
    // A clock of its own, so a slow machine cannot move an answer from one period to the next.
    let clock = 1_000_000;
    const cached = resultCache<number>(pages, 500, () => clock);
    let calls = 0;
    const compute = async () => ++calls;
    assert.equal(await cached('k', compute), 1);
    clock += 39;
    assert.equal(await cached('k', compute), 1, 'within the period');
    assert.equal(await cached('other', compute), 2, 'another key is its own entry');
    clock += 11;
    assert.equal(await cached('k', compute), 1, 'past the period: the old answer once more...');
    assert.equal(calls, 3, '...while it is recomputed');
    await Promise.resolve();
    assert.equal(await cached('k', compute), 3, 'then the new answer');
    pages.clear();
    assert.equal(await cached('k', compute), 4, 'a write forgets everything');
    clock += 80;
    assert.equal(await cached('k', compute), 5, 'past twice the period it waits for a new answer');
    const failing = resultCache<number>(pages);
    await assert.rejects(failing('f', async () => Promise.reject(new Error('down'))));
    assert.equal(await failing('f', async () => 7), 7, 'a failure is not remembered');
    const off = resultCache<number>(new PageCache({ ttlMs: 0, maxEntries: 10 }));
    assert.equal(await off('k', compute), 6);
    assert.equal(await off('k', compute), 7, 'with the cache off nothing is kept');
  });
});

describe('the page cache is bounded by bytes as well as by entries', () => {
  test('the oldest pages go first when the bytes would pass the bound; a page too large for it is not kept', () => {
    const cache = new PageCache({ ttlMs: 60_000, maxEntries: 100, maxBytes: 16_000 });
    const page = (n: number) => Buffer.alloc(n, 'x');
    for (let i = 0; i < 10; i++) cache.put(`k${i}`, page(1000), 'en');
    assert.equal(cache.byteSize, 10_000);
    cache.put('big', page(900), 'en');
    for (let i = 0; i < 10; i++) cache.put(`m${i}`, page(1000), 'en');
    assert.ok(cache.byteSize <= 16_000, `kept ${cache.byteSize} bytes`);
    assert.equal(cache.get('k0'), undefined, 'the oldest page was dropped');
    assert.ok(cache.get('m9'), 'the newest page is kept');
    // Over a sixteenth of the bound: not worth pushing everything else out.
    cache.put('huge', page(1001), 'en');
    assert.equal(cache.get('huge'), undefined);
    // Putting a key again replaces it without counting it twice.
    const before = cache.byteSize;
    cache.put('m9', page(1000), 'en');
    assert.equal(cache.byteSize, before);
    cache.clear();
    assert.equal(cache.byteSize, 0);
  });
});

describe('the page cache bound is set by CONVENE_PAGE_CACHE_MB', () => {
  test('the default is 32 MB; other values are read as whole megabytes and nonsense is refused at start', async () => {
    const { ConfigError, loadConfig } = await import('../config.js');
    const base = { SESSION_SECRET: 'x'.repeat(40), CONVENE_DATA_DIR: '/tmp/convene-page-cache-config' };
    assert.equal(loadConfig(base).pageCacheMb, 32);
    assert.equal(loadConfig({ ...base, CONVENE_PAGE_CACHE_MB: '8' }).pageCacheMb, 8);
    for (const bad of ['0', '-1', '1.5', 'lots', '5000']) {
      assert.throws(() => loadConfig({ ...base, CONVENE_PAGE_CACHE_MB: bad }), (e: unknown) => e instanceof ConfigError && /CONVENE_PAGE_CACHE_MB/.test(e.message), bad);
    }
  });

  test('an app given 1 MB keeps at most 1 MB of pages however many different pages visitors ask for', async () => {
    const small = await buildApp({ config: testConfig({ pageCacheSeconds: 30, pageCacheMb: 1 }), db: t.db, jobs: new Jobs(t.db), databaseUrl: t.url, engine: ENGINE, mailer: new MemoryMailer(), logger: false });
    onCleanup(() => small.close());
    let sent = 0;
    for (let i = 0; i < 240; i++) {
      const r = await small.inject({ url: `/?visit=${i}`, headers: { 'accept-language': 'en' } });
      assert.equal(r.statusCode, 200);
      sent += r.rawPayload.length;
    }
    assert.ok(sent > 1024 * 1024, `the visits sent ${sent} bytes, more than the bound`);
    const kept = small.pageCache!.byteSize;
    assert.ok(kept > 0 && kept <= 1024 * 1024, `kept ${kept} bytes`);
    const again = await small.inject({ url: '/?visit=239', headers: { 'accept-language': 'en' } });
    assert.equal(again.headers['x-convene-cache'], 'hit', 'the newest pages are kept');
  });
});
