import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { contextFor, startBrowserEnv, type BrowserEnv } from './harness.js';

/**
 * The XSS corpus: hostile text is written straight into every field people
 * can fill in (bypassing form validation, so only output escaping stands in
 * the way), then each page showing it is opened in Chromium. No script may
 * run, no event-handler attribute, frame or javascript: link may reach the
 * DOM, and the Content-Security-Policy must not have had to block anything
 * (a blocked inline script would mean the markup got through).
 */
const CORPUS = [
  '<script>window.__xss=1</script>',
  '<img src=x onerror="window.__xss=1">',
  '<svg onload="window.__xss=1"></svg>',
  '"><script>window.__xss=1</script>',
  "' onmouseover='window.__xss=1' x='",
  '<iframe src="javascript:window.__xss=1"></iframe>',
  '<a href="javascript:window.__xss=1">link</a>',
  '<details open ontoggle="window.__xss=1"></details>',
  '</textarea></title><script>window.__xss=1</script>',
  '<math><mtext><table><mglyph><style><img src=x onerror="window.__xss=1">',
].join(' ');
/** For fields with short limits (names, titles). */
const SHORT = `<img src=x onerror="window.__xss=1">"><script>window.__xss=1</script>`;
const MARKDOWN = `${CORPUS}\n\n[click me](javascript:window.__xss=1) ![x](javascript:window.__xss=1) <a href="JaVaScRiPt:window.__xss=1">x</a>`;

let env: BrowserEnv;
const urls: string[] = [];

before(async () => {
  // With the production cache setting: kept markup and shared results are where an escaping slip would hide.
  env = await startBrowserEnv({ pageCacheSeconds: 10 });
  const db = env.db;
  const h = (s: string) => `${s} ${CORPUS}`.slice(0, 1900);
  const member = await db.selectFrom('users').select('id').where('email', '=', 'family@demo.convene.test').executeTakeFirstOrThrow();
  await db.updateTable('users').set({ name: `N ${SHORT}`, bio: h('Bio'), pronouns: SHORT.slice(0, 40), expertise: [`e ${SHORT}`] }).where('id', '=', member.id).execute();
  const group = await db.selectFrom('practice_groups').select(['id', 'slug']).where('slug', '=', 'families-in-partnership').executeTakeFirstOrThrow();
  await db.updateTable('practice_groups').set({ name: `Group ${SHORT}`, mission: h('Mission') }).where('id', '=', group.id).execute();
  const thread = await db.selectFrom('threads').select('id').where('group_id', '=', group.id).orderBy('id').executeTakeFirstOrThrow();
  await db.updateTable('threads').set({ title: `Title ${SHORT}` }).where('id', '=', thread.id).execute();
  // The cached HTML is dropped so the body is rendered again from the hostile Markdown.
  await db.updateTable('posts').set({ body: MARKDOWN, body_html: null, render_version: 0, author_id: member.id }).where('thread_id', '=', thread.id).execute();
  const event = await db.selectFrom('events').select('id').where('title', 'like', 'Families in Partnership%').orderBy('starts_at').executeTakeFirstOrThrow();
  await db.updateTable('events').set({ title: `Event ${SHORT}`, description: MARKDOWN, agenda: MARKDOWN, location: `Place ${SHORT}` }).where('id', '=', event.id).execute();
  const term = await db.selectFrom('glossary_terms').select(['id', 'slug']).where('status', '=', 'published').orderBy('id').executeTakeFirstOrThrow();
  await db.updateTable('glossary_terms').set({ plain_definition: h('Definition'), sources: h('Source') }).where('id', '=', term.id).execute();
  await db.updateTable('glossary_definitions').set({ definition: h('Discipline definition') }).where('term_id', '=', term.id).execute();
  const resource = await db.selectFrom('resources').select(['id', 'slug']).where('title', 'like', 'Questions families can ask%').executeTakeFirstOrThrow();
  await db.updateTable('resources').set({ title: `Resource ${SHORT}`, summary: h('Summary'), description: MARKDOWN, authors: `Author ${SHORT}` }).where('id', '=', resource.id).execute();
  await db.updateTable('resource_files').set({ filename: `"><img src=x onerror="window.__xss=1">.pdf` }).where('resource_id', '=', resource.id).execute();
  const item = await db.selectFrom('agenda_items').select(['id', 'slug']).orderBy('id').executeTakeFirstOrThrow();
  await db.updateTable('agenda_items').set({ title: `Agenda ${SHORT}`, description: MARKDOWN }).where('id', '=', item.id).execute();
  await db.insertInto('contact_requests').values({ user_id: member.id, topic: 'other', body: CORPUS }).execute();
  const org = await db.selectFrom('organizations').select(['id', 'slug']).where('slug', '=', 'csmh').executeTakeFirstOrThrow();
  await db.updateTable('organizations').set({ description: h('Org') }).where('id', '=', org.id).execute();
  urls.push(
    '/',
    `/groups/${group.slug}`,
    '/groups',
    `/threads/${thread.id}`,
    '/discussions',
    `/people/${member.id}`,
    '/people',
    `/events/${event.id}`,
    '/events',
    '/events?view=month',
    `/glossary/${term.slug}`,
    '/glossary',
    `/resources/${resource.slug}`,
    '/resources',
    `/agenda/${item.slug}`,
    '/agenda',
    `/organizations/${org.slug}`,
    '/search?q=families',
    `/search?q=${encodeURIComponent(CORPUS.slice(0, 200))}`,
    '/admin/contact',
    `/events/${event.id}/organize`,
    '/notifications',
  );
});

async function inspect(page: Page) {
  return page.evaluate(() => ({
    ran: (window as unknown as { __xss?: number }).__xss === 1,
    bad: Array.from(
      document.querySelectorAll(
        'script:not([src]), script:not([src^="/assets/"]), iframe, frame, object, embed, [onerror], [onload], [onmouseover], [ontoggle], a[href^="javascript:" i], img[src^="javascript:" i], base',
      ),
    ).map((e) => e.outerHTML.slice(0, 120)),
    blocked: (window as unknown as { __cspBlocked?: string[] }).__cspBlocked ?? [],
  }));
}

describe('the XSS corpus', () => {
  for (const locale of ['en', 'es'] as const) {
    test(`no hostile markup in any field reaches the DOM or runs (${locale}, facilitator)`, async () => {
      const context = await contextFor(env, { email: 'facilitator@demo.convene.test', locale });
      // Record any CSP block before the page's own scripts run.
      await context.addInitScript(() => {
        const w = window as unknown as { __cspBlocked: string[] };
        w.__cspBlocked = [];
        document.addEventListener('securitypolicyviolation', (e) => w.__cspBlocked.push(`${e.violatedDirective}: ${e.blockedURI}`));
      });
      const dialogs: string[] = [];
      const problems: string[] = [];
      try {
        for (const url of urls) {
          const page = await context.newPage();
          page.on('dialog', (d) => {
            dialogs.push(`${url}: ${d.message()}`);
            void d.dismiss();
          });
          const res = await page.goto(env.baseUrl + url, { waitUntil: 'load' });
          assert.ok(res && res.status() < 500, `${url} answered ${res?.status()}`);
          // Hover and focus everything once, to give any handler a chance.
          await page.mouse.move(200, 300);
          const r = await inspect(page);
          if (r.ran) problems.push(`${url}: a script ran`);
          for (const b of r.bad) problems.push(`${url}: ${b}`);
          for (const b of r.blocked) problems.push(`${url}: CSP had to block ${b}`);
          await page.close();
        }
      } finally {
        await context.close();
      }
      assert.deepEqual(dialogs, []);
      assert.deepEqual(problems, []);
    });
  }

  test('the corpus is really on the pages (as text), so the checks above can fail', async () => {
    const context = await contextFor(env, { email: 'facilitator@demo.convene.test' });
    const page = await context.newPage();
    for (const url of [urls[3]!, urls[7]!, urls[12]!]) {
      await page.goto(env.baseUrl + url);
      const text = await page.evaluate(() => document.body.innerText);
      assert.ok(text.includes('onerror="window.__xss=1"') || text.includes('<script>window.__xss=1</script>'), `${url} shows the hostile text as text`);
    }
    await context.close();
  });
});
