import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { apiToken, bearer } from '../helpers.js';
import { assertAccessible, contextFor, startBrowserEnv, type BrowserEnv } from './harness.js';

let env: BrowserEnv;
before(async () => {
  env = await startBrowserEnv();
});

test('a reply posted elsewhere appears on an open thread page without a reload, and is announced', async () => {
  const thread = await env.db.selectFrom('threads').select('id').where('title', 'like', 'Welcome!%').executeTakeFirstOrThrow();
  const context = await contextFor(env);
  const page = await context.newPage();
  try {
    await page.goto(`${env.baseUrl}/threads/${thread.id}`);
    const before = await page.locator('ol.convene-posts > li').count();
    // Wait until the page's event stream is connected before posting.
    for (let i = 0; i < 100 && env.app.live.subscriberCount === 0; i++) await page.waitForTimeout(50);
    assert.equal(env.app.live.subscriberCount, 1, 'the page opened its live stream');
    let reloaded = false;
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame()) reloaded = true;
    });
    const token = await apiToken(env.app, 'educator@demo.convene.test', 'convene-demo-2026');
    const res = await env.app.inject({ method: 'POST', url: `/api/v1/threads/${thread.id}/posts`, headers: bearer(token), payload: { body: 'Arriving **live** from another tab.' } });
    assert.equal(res.statusCode, 201, res.body);
    const id = res.json().id as number;
    await page.waitForSelector(`#post-${id}`, { timeout: 10_000 });
    assert.equal(await page.locator('ol.convene-posts > li').count(), before + 1);
    assert.match(await page.locator(`#post-${id}`).innerText(), /Arriving live from another tab/);
    assert.equal(await page.locator('#live-status').innerText(), '1 new reply was added below.');
    assert.equal(reloaded, false, 'the page did not reload');
    await assertAccessible(page, 'thread with a live reply');
  } finally {
    await context.close();
  }
});
