import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { assertAccessible, assertPageBasics, contextFor, startBrowserEnv, type BrowserEnv } from './harness.js';

let env: BrowserEnv;
before(async () => {
  env = await startBrowserEnv();
});

/** Press Tab until the focused element matches, failing if focus never gets there. */
async function tabTo(page: import('playwright-core').Page, selector: string, max = 80) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) {
      const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
      assert.notEqual(outline, 'none', `focus is visible on ${selector}`);
      return;
    }
  }
  assert.fail(`could not reach ${selector} with the keyboard`);
}

test('a newcomer signs up with the keyboard, confirms the address, and joins a practice group', async () => {
  const context = await contextFor(env);
  const page = await context.newPage();
  await page.goto(`${env.baseUrl}/`);
  await assertAccessible(page, 'home');

  await tabTo(page, 'a[href="/signup"]');
  await Promise.all([page.waitForURL('**/signup'), page.keyboard.press('Enter')]);
  await assertPageBasics(page, 'signup', 'en');
  await tabTo(page, '#field-name');
  await page.keyboard.type('Keyboard Kim');
  await page.keyboard.press('Tab');
  await page.keyboard.type('kim@example.org');
  await page.keyboard.press('Tab');
  await page.keyboard.type('a keyboard only passphrase');
  await page.keyboard.press('Tab');
  await page.keyboard.type(String(new Date().getUTCFullYear() - 35));
  await tabTo(page, '#field-perspectives-family');
  await page.keyboard.press('Space');
  await tabTo(page, 'main button[type=submit]');
  await Promise.all([page.waitForURL('**/signup/sent'), page.keyboard.press('Enter')]);
  assert.match(await page.locator('h1').innerText(), /Check your email/);
  await assertAccessible(page, 'check your email after sign-up');

  // The emailed link confirms the address and signs in.
  const link = env.mailer.linkIn(env.mailer.lastTo('kim@example.org'), 'http://convene.test/verify?token=');
  assert.ok(link, 'a confirmation mail was sent');
  await page.goto(env.baseUrl + link.replace('http://convene.test', ''));
  await page.waitForURL('**/settings');
  assert.match(await page.locator('[role=status]').first().innerText(), /confirmed/);
  await assertAccessible(page, 'settings after confirming');

  await page.goto(`${env.baseUrl}/groups/youth-leadership`);
  await tabTo(page, 'form[action$="/join"] button');
  await Promise.all([page.waitForLoadState('load'), page.keyboard.press('Enter')]);
  await page.waitForSelector('text=Welcome to the group!');
  assert.match(await page.locator('main').innerText(), /Keyboard Kim/);
  await assertPageBasics(page, 'group after joining', 'en');
  await assertAccessible(page, 'group after joining');

  const user = await env.db.selectFrom('users').select('id').where('email', '=', 'kim@example.org').executeTakeFirstOrThrow();
  const group = await env.db.selectFrom('practice_groups').select('id').where('slug', '=', 'youth-leadership').executeTakeFirstOrThrow();
  const m = await env.db.selectFrom('group_memberships').select('status').where('user_id', '=', user.id).where('group_id', '=', group.id).executeTakeFirst();
  assert.equal(m?.status, 'active');

  // Reply to the welcome discussion with the keyboard alone.
  await page.goto(`${env.baseUrl}/discussions`);
  await tabTo(page, 'a[href^="/threads/"]');
  await Promise.all([page.waitForURL('**/threads/*'), page.keyboard.press('Enter')]);
  await tabTo(page, '#field-body');
  await page.keyboard.type('Hello from **Kim**, glad to be here.');
  await tabTo(page, 'form[action$="/replies"] button[type=submit]');
  await Promise.all([page.waitForURL(/#post-\d+$/), page.keyboard.press('Enter')]);
  assert.match(await page.locator('main').innerText(), /Hello from Kim, glad to be here\./);
  await assertAccessible(page, 'thread after replying');

  // Search from the header's search box, with the keyboard: Tab to it, type, Enter.
  await page.goto(`${env.baseUrl}/`);
  await tabTo(page, '#site-search');
  await page.keyboard.type('"glad to be here"');
  await Promise.all([page.waitForURL('**/search?*'), page.keyboard.press('Enter')]);
  assert.match(await page.locator('[role=status]').innerText(), /1 result/);
  await assertAccessible(page, 'search results');
  await context.close();
});

test('the page works with JavaScript turned off', async () => {
  const context = await env.browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${env.baseUrl}/login`);
  await page.fill('#field-email', 'educator@demo.convene.test');
  await page.fill('#field-password', 'convene-demo-2026');
  await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.click('main button[type=submit]')]);
  await page.goto(`${env.baseUrl}/groups/quality-and-ebp`);
  await Promise.all([page.waitForLoadState('load'), page.click('button:has-text("Join this group")')]);
  await page.waitForSelector('text=Welcome to the group!');
  await context.close();
});

test('a visitor reports how they used a resource with the keyboard alone, without an account', async () => {
  const context = await contextFor(env);
  const page = await context.newPage();
  const resource = await env.db.selectFrom('resources').select(['id', 'slug']).where('title', 'like', 'Questions families can ask%').executeTakeFirstOrThrow();
  await page.goto(`${env.baseUrl}/resources?q=questions%20families`);
  await tabTo(page, `a[href="/resources/${resource.slug}"]`);
  await Promise.all([page.waitForURL(`**/resources/${resource.slug}`), page.keyboard.press('Enter')]);
  await tabTo(page, `a[href="/resources/${resource.slug}/use"]`);
  await Promise.all([page.waitForURL('**/use'), page.keyboard.press('Enter')]);
  await tabTo(page, '#field-how_used');
  await page.keyboard.type('Read it aloud at our parent cafe.');
  // Radio groups: Tab reaches the group, arrow keys choose.
  for (const name of ['quality', 'relevance', 'usefulness']) {
    await tabTo(page, `#field-${name}-1`);
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    assert.equal(await page.evaluate((n) => (document.querySelector(`input[name=${n}]:checked`) as HTMLInputElement | null)?.value, name), '4');
  }
  await tabTo(page, 'form[action$="/use"] button[type=submit]');
  await Promise.all([page.waitForURL(`**/resources/${resource.slug}`), page.keyboard.press('Enter')]);
  assert.match(await page.locator('[role=status]').first().innerText(), /Thank you for telling us/);
  await assertAccessible(page, 'resource after a use report');
  const rows = await env.db.selectFrom('use_reports').select(['how_used', 'quality']).where('resource_id', '=', resource.id).where('how_used', 'like', 'Read it aloud%').execute();
  assert.deepEqual(rows, [{ how_used: 'Read it aloud at our parent cafe.', quality: 4 }]);
  await context.close();
});

test('a glossary term in a post opens its definition in place with the keyboard, and Escape closes it', async () => {
  const thread = await env.db.selectFrom('threads').select('id').where('title', 'like', 'Words that mean different things%').executeTakeFirstOrThrow();
  const context = await contextFor(env);
  const page = await context.newPage();
  await page.goto(`${env.baseUrl}/threads/${thread.id}`);
  const term = page.locator('a.convene-term').first();
  const slug = await term.getAttribute('data-term');
  assert.ok(slug, 'the post has a marked-up term');
  await tabTo(page, `a.convene-term[data-term="${slug}"]`);
  assert.equal(await term.getAttribute('aria-expanded'), 'false');
  await page.keyboard.press('Enter');
  const box = page.locator('.convene-term__def');
  await box.waitFor();
  assert.equal(await term.getAttribute('aria-expanded'), 'true');
  assert.match(await box.innerText(), /More in the glossary/);
  assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('convene-term')), true, 'focus stays on the term');
  await assertAccessible(page, 'thread with an open definition');
  await page.keyboard.press('Escape');
  assert.equal(await box.count(), 0);
  assert.equal(await term.getAttribute('aria-expanded'), 'false');
  await context.close();
});

test('a member registers for an event with an accommodation request using the keyboard alone', async () => {
  const context = await contextFor(env, { email: 'educator@demo.convene.test' });
  const page = await context.newPage();
  const event = await env.db.selectFrom('events').select('id').where('title', 'like', 'Trauma-informed classrooms%').executeTakeFirstOrThrow();
  await page.goto(`${env.baseUrl}/events`);
  await tabTo(page, `a[href="/events/${event.id}"]`);
  await Promise.all([page.waitForURL(`**/events/${event.id}`), page.keyboard.press('Enter')]);
  // "Going" is chosen already; Tab moves through the checkboxes, Space ticks one.
  await tabTo(page, '#field-accommodations-captioning');
  await page.keyboard.press('Space');
  await tabTo(page, '#field-accommodation_notes');
  await page.keyboard.type('Please share slides a day early.');
  await tabTo(page, `form[action="/events/${event.id}/register"] button[type=submit]`);
  await Promise.all([page.waitForURL(`**/events/${event.id}#register`), page.keyboard.press('Enter')]);
  assert.match(await page.locator('[role=status]').first().innerText(), /You are registered/);
  await assertAccessible(page, 'event after registering');
  const user = await env.db.selectFrom('users').select('id').where('email', '=', 'educator@demo.convene.test').executeTakeFirstOrThrow();
  const reg = await env.db.selectFrom('event_registrations').select(['status', 'accommodations', 'accommodation_notes']).where('event_id', '=', event.id).where('user_id', '=', user.id).executeTakeFirstOrThrow();
  assert.deepEqual(reg, { status: 'confirmed', accommodations: ['captioning'], accommodation_notes: 'Please share slides a day early.' });
  await context.close();
});

test('text enlarged to 200% loses nothing: no sideways scrolling and no clipped text', async () => {
  const context = await contextFor(env, { email: 'facilitator@demo.convene.test', width: 1280 });
  // tsx compiles the evaluated helpers with esbuild's name-keeping wrapper; give the page a no-op one.
  await context.addInitScript('window.__name = (f) => f;');
  const thread = await env.db.selectFrom('threads').select('id').orderBy('id').executeTakeFirstOrThrow();
  const event = await env.db.selectFrom('events').select('id').orderBy('starts_at').executeTakeFirstOrThrow();
  try {
    for (const url of ['/', '/groups/families-in-partnership', `/threads/${thread.id}`, '/resources', `/events/${event.id}`, '/events?view=month', '/glossary', '/people', '/analytics', '/settings', '/settings/two-factor']) {
      const page = await context.newPage();
      await page.goto(env.baseUrl + url);
      // Text size only (not page zoom): the root font size doubles, everything in rem follows.
      // Only what becomes clipped when the text grows counts. Card excerpts (.convene-clamp) show a few
      // lines at any size by design, with the whole text on the page they link to.
      const r = await page.evaluate(async () => {
        const clippedNow = () =>
          Array.from(document.querySelectorAll('main *')).filter((el) => {
            const cs = getComputedStyle(el);
            if (cs.overflowX !== 'hidden' && cs.overflowY !== 'hidden' && cs.textOverflow !== 'ellipsis') return false;
            if (el.closest('.usa-sr-only, [hidden], .convene-clamp') || !(el as HTMLElement).innerText?.trim()) return false;
            return el.scrollWidth > el.clientWidth + 2 || el.scrollHeight > el.clientHeight + 2;
          });
        const before = new Set(clippedNow());
        document.documentElement.style.fontSize = '200%';
        await new Promise((res) => requestAnimationFrame(() => requestAnimationFrame(res)));
        const clipped = clippedNow()
          .filter((el) => !before.has(el))
          .map((el) => el.outerHTML.slice(0, 100));
        return { overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth, clipped };
      });
      assert.ok(r.overflow <= 1, `${url}: scrolls sideways by ${r.overflow}px with text at 200%`);
      assert.deepEqual(r.clipped, [], `${url}: clipped text at 200%`);
      await page.close();
    }
  } finally {
    await context.close();
  }
});
