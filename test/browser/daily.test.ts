import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import sharp from 'sharp';
import { assertAccessible, assertPageBasics, contextFor, startBrowserEnv, type BrowserEnv } from './harness.js';

let env: BrowserEnv;
before(async () => {
  env = await startBrowserEnv();
});

const MEMBER = 'family@demo.convene.test';

/** A demo thread in the member's group (the first or the latest). */
const familiesThread = (order: 'asc' | 'desc') =>
  env.db.selectFrom('threads as t').innerJoin('practice_groups as g', 'g.id', 't.group_id').select('t.id').where('g.slug', '=', 'families-in-partnership').where('t.deleted_at', 'is', null).orderBy('t.id', order).executeTakeFirstOrThrow();

test('on a phone (375 px) the header stays short, the menu folds behind a button that works with the keyboard, and "More" opens and closes', async () => {
  const context = await contextFor(env, { email: MEMBER, width: 375 });
  try {
    const page = await context.newPage();
    await page.goto(`${env.baseUrl}/latest`);
    const header = await page.locator('header.convene-header').boundingBox();
    const toggle = page.locator('summary.convene-nav__toggle');
    assert.ok(await toggle.isVisible(), 'the Menu button shows');
    const nav = await page.locator('nav.convene-nav').boundingBox();
    assert.ok(header && nav, 'header and menu are laid out');
    // The header with its folded menu (the brand, the tools, the Menu button).
    assert.ok(nav.y + nav.height - header.y < 140, `header and folded menu are ${nav.y + nav.height - header.y} px tall`);
    assert.equal(await page.locator('.convene-nav__menu .convene-nav__list').isVisible(), false, 'the menu starts folded');
    assert.equal(await page.locator('#site-search').isVisible(), false, 'the header search moves into the menu');

    // Keyboard: focus the Menu button, open it, reach the search box and "More".
    await toggle.focus();
    await page.keyboard.press('Enter');
    assert.ok(await page.locator('#menu-search').isVisible(), 'the menu holds the search box');
    assert.ok(await page.locator('.convene-nav__menu a[href="/groups"]').isVisible());
    const more = page.locator('.convene-nav__more summary');
    await more.focus();
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    assert.notEqual(outline, 'none', 'focus is visible on More');
    await page.keyboard.press('Enter');
    assert.ok(await page.locator('.convene-nav__more a[href="/glossary"]').isVisible(), 'More shows the rest');
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('.convene-nav__more a[href="/glossary"]').isVisible(), false, 'Escape closes More');
    await assertAccessible(page, 'latest, menu open, 375 px');

    // Searching from the menu.
    await page.fill('#menu-search', 'families');
    await Promise.all([page.waitForURL(/\/search\?q=families/), page.press('#menu-search', 'Enter')]);

    // The library's filters fold behind "Filters"; the search box stays in view.
    await page.goto(`${env.baseUrl}/resources`);
    assert.ok(await page.locator('#library-q').isVisible());
    const filters = page.locator('summary.convene-filters__toggle');
    assert.ok(await filters.isVisible(), 'the Filters button shows');
    assert.equal(await page.locator('.convene-filters fieldset').first().isVisible(), false, 'the filters start folded');
    await filters.focus();
    await page.keyboard.press('Enter');
    assert.ok(await page.locator('.convene-filters fieldset').first().isVisible(), 'Enter unfolds them');
    await assertAccessible(page, 'library, filters open, 375 px');
  } finally {
    await context.close();
  }
});

test('at 1,280 px the search box is in the header, seven menu entries at most, and "More" holds the rest', async () => {
  const context = await contextFor(env, { email: 'facilitator@demo.convene.test' });
  try {
    const page = await context.newPage();
    await page.goto(`${env.baseUrl}/`);
    assert.ok(await page.locator('#site-search').isVisible());
    assert.equal(await page.locator('summary.convene-nav__toggle').isVisible(), false);
    const top = await page.locator('.convene-nav__menu .convene-nav__list > li').count();
    assert.ok(top <= 7, `${top} top-level entries`);
    await page.fill('#site-search', 'screening');
    await Promise.all([page.waitForURL(/\/search\?q=screening/), page.press('#site-search', 'Enter')]);
    await assertPageBasics(page, 'search from the header', 'en');
    // On a wide screen the library's filters are simply shown.
    await page.goto(`${env.baseUrl}/resources`);
    assert.equal(await page.locator('summary.convene-filters__toggle').isVisible(), false);
    assert.ok(await page.locator('.convene-filters fieldset').first().isVisible());
  } finally {
    await context.close();
  }
});

test('Latest, New and Unread pass axe at 375 px in English and Spanish', async () => {
  for (const locale of ['en', 'es'] as const) {
    const context = await contextFor(env, { email: MEMBER, width: 375, locale });
    try {
      const page = await context.newPage();
      for (const path of ['/latest', '/new', '/unread']) {
        await page.goto(`${env.baseUrl}${path}`);
        await assertPageBasics(page, `${path} at 375 px [${locale}]`, locale);
        await assertAccessible(page, `${path} at 375 px [${locale}]`);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `${path} scrolls sideways by ${overflow} px`);
      }
    } finally {
      await context.close();
    }
  }
});

test('the composer: formatting buttons work from the keyboard (one tab stop, arrow keys) and Preview shows the reply before it is posted', async () => {
  const context = await contextFor(env, { email: MEMBER });
  try {
    const page = await context.newPage();
    const thread = await familiesThread('asc');
    await page.goto(`${env.baseUrl}/threads/${thread.id}`);
    const bar = page.locator('.convene-md-toolbar');
    assert.ok(await bar.isVisible(), 'the toolbar shows once the script runs');
    await page.fill('#field-body', 'Try ');
    await page.focus('#field-body');
    await page.keyboard.press('End');
    await page.locator('.convene-md-toolbar button[data-md=bold]').focus();
    await page.keyboard.press('Enter');
    assert.equal(await page.inputValue('#field-body'), 'Try **text**');
    await page.locator('.convene-md-toolbar button[data-md=bold]').focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-md')), 'italic');
    assert.equal(await page.locator('.convene-md-toolbar button[tabindex="0"]').count(), 1, 'one tab stop');
    await page.fill('#field-body', 'We tried **morning huddles** this week.');
    await Promise.all([page.waitForLoadState('load'), page.click('button[name=preview]')]);
    await page.waitForSelector('#reply-preview');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'reply-preview', 'focus moves to the preview');
    assert.match(await page.locator('.convene-preview').innerText(), /morning huddles/);
    assert.equal(await page.inputValue('#field-body'), 'We tried **morning huddles** this week.');
    await assertAccessible(page, 'reply preview');
  } finally {
    await context.close();
  }
});

test('a reply being written is kept in the browser per thread, restored after a reload, discarded on request, and gone after posting or signing out', async () => {
  const context = await contextFor(env, { email: MEMBER });
  try {
    const page = await context.newPage();
    const thread = await familiesThread('desc');
    const url = `${env.baseUrl}/threads/${thread.id}`;
    await page.goto(url);
    await page.fill('#field-body', 'Half a thought about family nights');
    await page.waitForTimeout(600);
    await page.reload();
    assert.equal(await page.inputValue('#field-body'), 'Half a thought about family nights');
    assert.match(await page.locator('.convene-draft-note').innerText(), /kept in this browser/);
    await assertAccessible(page, 'restored draft');
    // Discard: the box empties and the next visit has nothing.
    await page.click('.convene-draft-note button');
    assert.equal(await page.inputValue('#field-body'), '');
    await page.reload();
    assert.equal(await page.inputValue('#field-body'), '');
    // Posting ends the draft.
    await page.fill('#field-body', 'A draft that gets posted about family nights.');
    await page.waitForTimeout(600);
    await Promise.all([page.waitForURL(/#post-\d+$/), page.click('form[action$="/replies"] button[type=submit]:not([name])')]);
    await page.goto(url);
    assert.equal(await page.inputValue('#field-body'), '');
    // Signing out clears every draft on the device.
    await page.fill('#field-body', 'Kept until sign-out.');
    await page.waitForTimeout(600);
    await Promise.all([page.waitForLoadState('load'), page.click('form[action="/logout"] button')]);
    assert.equal(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('convene-draft:')).length), 0);
  } finally {
    await context.close();
  }
});

test('reactions: reached with Tab, pressed with Space, announced as pressed, counted; "Who reacted" lists the reader', async () => {
  const context = await contextFor(env, { email: MEMBER, width: 375 });
  try {
    const page = await context.newPage();
    const thread = await familiesThread('asc');
    const target = await env.db
      .selectFrom('posts as p')
      .innerJoin('users as u', 'u.id', 'p.author_id')
      .select(['p.id', sql<number>`coalesce((p.reactions ->> 'thanks')::int, 0)`.as('thanks')])
      .where('p.thread_id', '=', thread.id)
      .where('u.email', '!=', MEMBER)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('post_reactions as r').innerJoin('users as me', 'me.id', 'r.user_id').select('r.post_id').whereRef('r.post_id', '=', 'p.id').where('me.email', '=', MEMBER).where('r.kind', '=', 'thanks'))))
      .orderBy('p.id')
      .executeTakeFirstOrThrow();
    await page.goto(`${env.baseUrl}/threads/${thread.id}#post-${target.id}`);
    const button = page.locator(`#post-${target.id} .convene-reactions button`, { hasText: 'Thanks' });
    assert.equal(await button.getAttribute('aria-pressed'), 'false');
    // Tab from the button before it lands here: the reactions are ordinary stops in the tab order.
    await page.locator(`#post-${target.id} .convene-reactions button`, { hasText: 'Helpful' }).focus();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim().replace(/\s+/g, ' ')), `🙏 Thanks${target.thanks ? target.thanks : ''}`.replace(/\s+/g, ' '));
    // The form posts and comes back to this same address: wait for the new page itself (the address and
    // load state are already what they will be, so waiting for those alone could read the old page).
    await Promise.all([page.waitForEvent('framenavigated', (f) => f === page.mainFrame()), page.keyboard.press('Space')]);
    await page.waitForLoadState('load');
    assert.match(page.url(), new RegExp(`#post-${target.id}$`));
    const after = page.locator(`#post-${target.id} .convene-reactions button`, { hasText: 'Thanks' });
    await after.waitFor();
    assert.equal(await after.getAttribute('aria-pressed'), 'true');
    assert.match((await after.textContent()) ?? '', new RegExp(`Thanks${target.thanks + 1}$`));
    await assertAccessible(page, 'thread with reactions, 375 px');
    await page.click(`#post-${target.id} .convene-reactions__who`);
    assert.match(await page.locator('main').innerText(), /Thanks[\s\S]*Rosa/);
    await assertAccessible(page, 'who reacted, 375 px');
  } finally {
    await context.close();
  }
});

test('@mention suggestions: typing @ and letters offers people; Down highlights (the box points at it), Enter inserts the handle; Escape closes; axe passes with the list open', async () => {
  const context = await contextFor(env, { email: 'facilitator@demo.convene.test' });
  try {
    const page = await context.newPage();
    const thread = await familiesThread('asc');
    const rosa = await env.db.selectFrom('users').select(['handle', 'name']).where('email', '=', MEMBER).executeTakeFirstOrThrow();
    await page.goto(`${env.baseUrl}/threads/${thread.id}`);
    const box = page.locator('#field-body');
    await box.focus();
    await page.keyboard.type('Thanks @ros');
    const list = page.locator('#field-body-mentions');
    await list.locator('[role="option"]').first().waitFor();
    assert.equal(await box.getAttribute('aria-controls'), 'field-body-mentions');
    assert.equal(await box.getAttribute('aria-autocomplete'), 'list');
    assert.match(await page.locator('#field-body ~ [role="status"]').innerText(), /found/);
    const options = await list.locator('[role="option"]').allInnerTexts();
    assert.ok(options.some((o) => o.includes(rosa.name) && o.includes(`@${rosa.handle}`)), `offered: ${options.join(' | ')}`);
    await assertAccessible(page, 'reply box with mention suggestions');
    const index = options.findIndex((o) => o.includes(`@${rosa.handle}`));
    for (let i = 0; i <= index; i++) await page.keyboard.press('ArrowDown');
    const activeId = await box.getAttribute('aria-activedescendant');
    assert.equal(await page.locator(`#${activeId}`).getAttribute('aria-selected'), 'true');
    await page.keyboard.press('Enter');
    assert.equal(await box.inputValue(), `Thanks @${rosa.handle} `);
    assert.equal(await list.isVisible(), false, 'the list closes after a choice');
    assert.match(await page.locator('#field-body ~ [role="status"]').innerText(), new RegExp(`${rosa.name} mentioned`));
    // Escape closes the list and leaves the text alone.
    await page.keyboard.type('and @ros');
    await list.locator('[role="option"]').first().waitFor();
    await page.keyboard.press('Escape');
    assert.equal(await list.isVisible(), false);
    assert.equal(await box.inputValue(), `Thanks @${rosa.handle} and @ros`);
    await page.evaluate(() => window.localStorage.clear());
  } finally {
    await context.close();
  }
});

test('a picture in a reply: chosen with the keyboard-reachable picker, described, posted, shown with its description', async () => {
  const context = await contextFor(env, { email: MEMBER });
  try {
    const page = await context.newPage();
    const thread = await familiesThread('desc');
    await page.goto(`${env.baseUrl}/threads/${thread.id}`);
    await page.locator('.convene-attach > summary').focus();
    await page.keyboard.press('Enter');
    const png = await sharp({ create: { width: 900, height: 600, channels: 3, background: '#c63' } }).png().toBuffer();
    await page.setInputFiles('#field-attachment', { name: 'welcome-table.png', mimeType: 'image/png', buffer: png });
    await page.fill('#field-attachment_alt', 'Our welcome table with name tags');
    await page.fill('#field-body', 'This is how we set up the room.');
    await Promise.all([page.waitForURL(/#post-\d+$/), page.click('form[aria-label="Your reply"] button[type="submit"]:not([name])')]);
    const img = page.locator('.convene-attachment img[alt="Our welcome table with name tags"]');
    await img.waitFor();
    // Its width once it has loaded (or 0 if it failed): the element is there before the picture is.
    const width = await img.evaluate((el: HTMLImageElement) =>
      el.complete ? el.naturalWidth : new Promise<number>((resolve) => {
        el.addEventListener('load', () => resolve(el.naturalWidth));
        el.addEventListener('error', () => resolve(0));
      }),
    );
    assert.equal(width, 900, 'the picture loads');
    await assertAccessible(page, 'thread with a picture');
  } finally {
    await context.close();
  }
});
