import { Jobs } from '../../src/platform/jobs/jobs.js';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { seedDemo } from '../../src/seed/seed.js';
import { ENGINE, MemoryMailer, createTestDatabase, onCleanup, testConfig } from '../helpers.js';
import type { Db } from '../../src/platform/db/db.js';

/**
 * Browser tests drive Debian's Chromium (installed by .ci/run) with
 * playwright-core against a real server on loopback with the demo community,
 * and check every page with axe-core for WCAG 2.0/2.1/2.2 A and AA.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

export interface BrowserEnv {
  app: FastifyInstance;
  db: Db;
  mailer: MemoryMailer;
  baseUrl: string;
  browser: Browser;
}

/** Starts a seeded server and a headless Chromium, both closed after the file. */
export async function startBrowserEnv(configOverrides: Parameters<typeof testConfig>[0] = {}): Promise<BrowserEnv> {
  assert.ok(existsSync(CHROMIUM), `Chromium is missing at ${CHROMIUM}: install Debian's chromium package (.ci/run does)`);
  const { db, url } = await createTestDatabase();
  await seedDemo(db);
  const mailer = new MemoryMailer();
  const config = testConfig(configOverrides);
  const app = await buildApp({ config, db, jobs: new Jobs(db), databaseUrl: url, engine: ENGINE, mailer, logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as { port: number }).port;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
  });
  onCleanup(async () => {
    await browser.close();
    await app.close();
    rmSync(config.dataDir, { recursive: true, force: true });
  });
  return { app, db, mailer, baseUrl: `http://127.0.0.1:${port}`, browser };
}

/** A browser context, signed in as `email` when given, in the given language. */
export async function contextFor(env: BrowserEnv, opts: { email?: string; password?: string; locale?: 'en' | 'es'; width?: number; /** The service worker stays out of other tests' way unless a test is about it. */ serviceWorkers?: boolean } = {}): Promise<BrowserContext> {
  const context = await env.browser.newContext({
    serviceWorkers: opts.serviceWorkers ? 'allow' : 'block',
    viewport: { width: opts.width ?? 1280, height: 900 },
    locale: opts.locale === 'es' ? 'es-US' : 'en-US',
    extraHTTPHeaders: { 'accept-language': opts.locale === 'es' ? 'es' : 'en' },
  });
  if (opts.email) {
    const page = await context.newPage();
    await page.goto(`${env.baseUrl}/login`);
    await page.fill('#field-email', opts.email);
    await page.fill('#field-password', opts.password ?? 'convene-demo-2026');
    await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('button[type=submit]:has-text("Sign in"), button[type=submit]:has-text("Iniciar sesión")')]);
    // Signed-in people see their own language setting; switch it the way a person does.
    await page.goto(`${env.baseUrl}/language/${opts.locale ?? 'en'}`);
    await page.close();
  }
  return context;
}

/** Runs axe on the current page and fails with a readable list of violations. */
export async function assertAccessible(page: Page, label: string): Promise<void> {
  // Evaluated through the DevTools protocol, so the page's CSP (no inline scripts) still holds.
  await page.evaluate(AXE);
  const result = (await page.evaluate(
    (tags) => (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<unknown> } }).axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    WCAG_TAGS,
  )) as { violations: { id: string; help: string; nodes: { target: string[] }[] }[] };
  const problems = result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join('; ')})`);
  assert.deepEqual(problems, [], `${label} has accessibility violations`);
}

/** The page-level checks every page must pass: one h1, landmarks, lang, skip link, no sideways scroll. */
export async function assertPageBasics(page: Page, label: string, locale: 'en' | 'es'): Promise<void> {
  const facts = await page.evaluate(() => ({
    h1: document.querySelectorAll('h1').length,
    main: document.querySelectorAll('main').length,
    banner: document.querySelectorAll('header[role=banner], body > header').length,
    footer: document.querySelectorAll('footer').length,
    lang: document.documentElement.lang,
    skip: document.querySelector('a.usa-skipnav')?.getAttribute('href'),
    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
  }));
  assert.equal(facts.h1, 1, `${label}: exactly one h1`);
  assert.equal(facts.main, 1, `${label}: a main landmark`);
  assert.ok(facts.banner >= 1 && facts.footer >= 1, `${label}: banner and contentinfo landmarks`);
  assert.equal(facts.lang, locale, `${label}: lang attribute`);
  assert.equal(facts.skip, '#main-content', `${label}: skip link`);
  assert.ok(facts.overflow <= 1, `${label}: no horizontal scrolling (overflow ${facts.overflow}px)`);
}

/** Visits a page and applies every check. Adding a page to a test is one call. */
export async function checkPage(context: BrowserContext, url: string, opts: { locale?: 'en' | 'es'; status?: number; /** false: the page-level checks and reflow only. */ axe?: boolean } = {}): Promise<Page> {
  const page = await context.newPage();
  // Stylesheets apply before DOMContentLoaded (our script is deferred), which is all axe needs.
  const res = await page.goto(url, { waitUntil: 'domcontentloaded' });
  const label = `${url} [${opts.locale ?? 'en'}, ${page.viewportSize()?.width}px]`;
  assert.equal(res?.status(), opts.status ?? 200, `${label}: status`);
  await assertPageBasics(page, label, opts.locale ?? 'en');
  if (opts.axe !== false) await assertAccessible(page, label);
  return page;
}
