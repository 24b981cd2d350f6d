import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { assertAccessible, contextFor, startBrowserEnv, type BrowserEnv } from './harness.js';

/** The installable app in Chromium: installability, the service worker, offline reading, and nothing left after sign-out. */
let env: BrowserEnv;
before(async () => {
  env = await startBrowserEnv();
});

const MEMBER = 'family@demo.convene.test';

test('installable; discussions read online open offline, marked as offline copies; signing out leaves nothing behind', async () => {
  const context = await contextFor(env, { email: MEMBER, serviceWorkers: true });
  try {
    const page = await context.newPage();
    await page.goto(`${env.baseUrl}/`);
    // The manifest and the service worker make it installable (Chromium's own checks).
    const cdp = await context.newCDPSession(page);
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    await page.reload();
    assert.ok(await page.evaluate(() => navigator.serviceWorker.controller !== null), 'the service worker controls the page');
    const manifest = (await cdp.send('Page.getAppManifest')) as { errors: unknown[]; url: string };
    assert.deepEqual(manifest.errors, [], 'the manifest parses cleanly');
    assert.ok(manifest.url.endsWith('/manifest.webmanifest'));
    const installability = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: { errorId: string }[] };
    // A test browser profile is like a private window, where Chromium never offers to install.
    assert.deepEqual(installability.installabilityErrors.map((e) => e.errorId).filter((id) => id !== 'in-incognito'), []);

    const threads = await env.db
      .selectFrom('threads as t')
      .innerJoin('practice_groups as g', 'g.id', 't.group_id')
      .select(['t.id', 't.title'])
      .where('g.slug', '=', 'families-in-partnership')
      .where('t.deleted_at', 'is', null)
      .orderBy('t.id')
      .limit(2)
      .execute();
    const [read, unread] = threads as [{ id: number; title: string }, { id: number; title: string }];
    await page.goto(`${env.baseUrl}/threads/${read.id}`);
    // Kept in the background once the page has loaded.
    await page.waitForFunction(async (id) => !!(await (await caches.open('convene-pages')).match(`/threads/${id}`)), read.id);

    await context.setOffline(true);
    await page.goto(`${env.baseUrl}/threads/${read.id}`);
    assert.equal(await page.locator('h1').textContent(), read.title);
    assert.match((await page.locator('.convene-offline').textContent()) ?? '', /Offline copy/);
    await assertAccessible(page, 'an offline copy');
    await page.goto(`${env.baseUrl}/threads/${unread.id}`);
    assert.match((await page.locator('h1').textContent()) ?? '', /You are offline/);

    // Sign out (online): the copies go.
    await context.setOffline(false);
    await page.goto(`${env.baseUrl}/`);
    await Promise.all([page.waitForURL(`${env.baseUrl}/`), page.locator('form[action="/logout"] button').first().click()]);
    await page.waitForFunction(async () => (await caches.keys()).length === 0);
    await context.setOffline(true);
    const afterSignOut = await page.goto(`${env.baseUrl}/threads/${read.id}`).catch(() => null);
    const text = afterSignOut ? await page.locator('body').textContent() : '';
    assert.ok(!text?.includes(read.title), 'no private copy is left on the device after signing out');
  } finally {
    await context.close();
  }
});

test('the notification settings offer push on this device, and the offline page is accessible in both languages', async () => {
  for (const locale of ['en', 'es'] as const) {
    const context = await contextFor(env, { email: MEMBER, locale, serviceWorkers: true });
    try {
      const page = await context.newPage();
      await page.goto(`${env.baseUrl}/settings/notifications`);
      await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
      const button = page.locator('.convene-push button');
      await button.waitFor();
      assert.match((await button.textContent()) ?? '', locale === 'en' ? /Turn on notifications/ : /Activar los avisos/);
      assert.equal(await page.locator('.convene-push__unsupported').isVisible(), false);
      await assertAccessible(page, `notification settings with push [${locale}]`);
      await page.goto(`${env.baseUrl}/offline`);
      await assertAccessible(page, `offline page [${locale}]`);
    } finally {
      await context.close();
    }
  }
});
