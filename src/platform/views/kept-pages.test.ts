import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { buildApp } from '../../app.js';
import { Jobs } from '../jobs/jobs.js';
import { Agent, ENGINE, MemoryMailer, apiToken, bearer, buildGroup, buildTestApp, buildUser, onCleanup, type TestContext } from '../../../test/helpers.js';
import type { FastifyInstance } from 'fastify';

/**
 * Kept markup, byte for byte, on whole pages: two processes on one database,
 * one with the production cache setting (results and kept parts shared
 * between viewers) and one with every cache off. For every page below and
 * every kind of viewer, visited in two orders so that later viewers meet
 * what earlier ones left in the store, both processes must send the same
 * page, apart from each request's own tokens.
 */
let t: TestContext;
let uncached: FastifyInstance;
const viewers = new Map<string, { cached: Agent; fresh: Agent }>();
const pages: string[] = [];

const normalize = (html: string) =>
  html
    .replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value="T"')
    .replace(/name="_idem" value="[^"]*"/g, 'name="_idem" value="K"')
    .replace(/nonce="[^"]*"/g, 'nonce="N"')
    .replace(/<meta name="csrf-token" content="[^"]*"/g, '<meta name="csrf-token" content="T"');

before(async () => {
  t = await buildTestApp({ pageCacheSeconds: 30 });
  uncached = await buildApp({ config: { ...t.config, pageCacheSeconds: 0 }, db: t.db, jobs: new Jobs(t.db), databaseUrl: t.url, engine: ENGINE, mailer: new MemoryMailer(), logger: false });
  await uncached.ready();
  onCleanup(() => uncached.close());

  const lead = await buildUser(t.db, { name: 'Lena Lead', perspectives: ['family'] });
  const member = await buildUser(t.db, { name: 'Mia Member', perspectives: ['educator'] });
  const other = await buildUser(t.db, { name: 'Omar Other' });
  const youth = await buildUser(t.db, { name: 'Yara Youth', is_youth: true, perspectives: ['youth'] });
  const facilitator = await buildUser(t.db, { name: 'Fay Facilitator', role: 'facilitator' });
  const many = await Promise.all(Array.from({ length: 30 }, (_, i) => buildUser(t.db, { name: `Person ${String(i).padStart(2, '0')}` })));
  const open = await buildGroup(t.db, { name: 'Screening partners', leadId: lead.id, memberIds: [member.id, youth.id, ...many.map((p) => p.id)], priorities: ['Screen early', 'Share results'] });
  const closed = await buildGroup(t.db, { name: 'Closed circle', visibility: 'private', join_policy: 'invite', leadId: lead.id, memberIds: [member.id] });
  const token = await apiToken(t.app, lead.email);
  for (const g of [open, closed]) {
    const th = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${g.slug}/threads`, headers: bearer(token), payload: { title: `Screening plans in ${g.slug}`, body: 'How do your schools plan universal screening days?', language: 'en' } });
    assert.equal(th.statusCode, 201, th.body);
    const reply = await t.app.inject({ method: 'POST', url: `/api/v1/threads/${th.json().id}/posts`, headers: bearer(await apiToken(t.app, member.email)), payload: { body: 'We start with a screening calendar shared with families.' } });
    assert.equal(reply.statusCode, 201, reply.body);
    pages.push(`/threads/${th.json().id}`);
  }
  await t.db
    .insertInto('events')
    .values({ uid: randomUUID(), group_id: open.id, kind: 'group_call', title: 'Screening call', starts_at: new Date(Date.now() + 86_400_000), ends_at: new Date(Date.now() + 90_000_000), time_zone: 'America/New_York', created_by: lead.id })
    .execute();
  await t.db.insertInto('group_reviews').values({ group_id: open.id, level: 'collaborating', notes: 'Meeting monthly.', reviewed_by: lead.id, created_at: new Date() }).execute();

  pages.push(`/groups/${open.slug}`, `/groups/${open.slug}?page=2`, `/groups/${closed.slug}`, '/search?q=screening', `/search?q=screening&group=${open.slug}`, '/reach', `/reach?group=${open.slug}`);
  const agents = async (email?: string) => {
    const cached = new Agent(t.app);
    const fresh = new Agent(uncached);
    if (email) {
      await cached.signIn(email);
      await fresh.signIn(email);
    }
    return { cached, fresh };
  };
  viewers.set('visitor', await agents());
  viewers.set('lead', await agents(lead.email));
  viewers.set('member', await agents(member.email));
  viewers.set('other', await agents(other.email));
  viewers.set('youth', await agents(youth.email));
  viewers.set('facilitator', await agents(facilitator.email));
  viewers.set('listed member', await agents(many[3]!.email));
});

test('group, search, reach and thread pages are the same with kept markup as rendered afresh, for every viewer', async () => {
  const names = [...viewers.keys()];
  let compared = 0;
  for (const order of [names, [...names].reverse()]) {
    for (const url of pages) {
      for (const name of order) {
        const v = viewers.get(name)!;
        const a = await v.cached.get(url);
        const b = await v.fresh.get(url);
        assert.equal(a.statusCode, b.statusCode, `${url} as ${name}: status`);
        if (a.statusCode !== 200) continue;
        assert.equal(normalize(a.body), normalize(b.body), `${url} as ${name} (${order === names ? 'first' : 'second'} round)`);
        compared++;
      }
    }
  }
  // Most pages were seen by every viewer (the closed group and its thread by insiders only).
  assert.ok(compared >= pages.length * names.length, `compared ${compared} pages`);
});

test('a kept part that reads the viewer from its context fails loudly instead of sharing it', async () => {
  const { keptPart } = await import('./kept.js');
  const { h } = await import('preact');
  const Leaky = keptPart<{ n: number }>('leaky', (ctx) => h('p', null, ctx.actor.kind));
  const ctx = { locale: 'en', tz: 'UTC', csrf: () => 't', actor: { kind: 'anonymous', id: null } } as never;
  assert.throws(() => Leaky.html(new Map(), ctx, { n: 1 }), /ctx\.actor, which is not part of its key/);
});

test("kept forms carry each viewer's own CSRF token, which the server takes", async () => {
  const url = pages[0]!;
  const tokensOn = (html: string) => new Set([...html.matchAll(/name="_csrf" value="([^"]*)"/g)].map((m) => m[1]!));
  const seen = new Map<string, string>();
  for (const name of ['lead', 'member', 'youth']) {
    const agent = viewers.get(name)!.cached;
    // Twice: the second time the posts' forms come from the store another viewer filled.
    for (let round = 0; round < 2; round++) {
      const page = await agent.get(url);
      assert.equal(page.statusCode, 200);
      const tokens = tokensOn(page.body);
      assert.equal(tokens.size, 1, `${name}: one token on the page, in every form (${[...tokens].join(', ')})`);
      const [token] = [...tokens];
      assert.ok(token && !token.includes('convene-csrf-'), `${name}: a token, not the slot`);
      const meta = /<meta name="csrf-token" content="([^"]*)"/.exec(page.body)?.[1];
      if (meta) assert.equal(meta, token);
      seen.set(name, token!);
      // The token from a kept post's form is accepted (the bookmark form posts with it).
      const postId = /id="post-(\d+)"/.exec(page.body)?.[1];
      assert.ok(postId);
      const bookmarked = await agent.post(`/posts/${postId}/bookmark`, { note: '', remind: '', remind_at: '' }, { csrf: token! });
      assert.ok(bookmarked.statusCode < 400, `${name}: ${bookmarked.statusCode} ${bookmarked.body.slice(0, 200)}`);
    }
  }
  assert.equal(new Set(seen.values()).size, seen.size, 'each viewer has a token of their own');
});
