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
  await tabTo(page, 'button[type=submit]');
  await Promise.all([page.waitForURL('**/settings'), page.keyboard.press('Enter')]);
  assert.match(await page.locator('[role=status]').first().innerText(), /Welcome/);
  await assertAccessible(page, 'settings after sign-up');

  const link = env.mailer.linkIn(env.mailer.lastTo('kim@example.org'), 'http://convene.test/verify?token=');
  assert.ok(link, 'a confirmation mail was sent');
  await page.goto(env.baseUrl + link.replace('http://convene.test', ''));
  assert.match(await page.locator('[role=status]').first().innerText(), /confirmed/);

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

  // Search from the header link.
  await page.goto(`${env.baseUrl}/search?q=${encodeURIComponent('"glad to be here"')}`);
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
  await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.click('button[type=submit]')]);
  await page.goto(`${env.baseUrl}/groups/quality-and-ebp`);
  await Promise.all([page.waitForLoadState('load'), page.click('button:has-text("Join this group")')]);
  await page.waitForSelector('text=Welcome to the group!');
  await context.close();
});
