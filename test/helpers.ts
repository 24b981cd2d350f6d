import { setRateLimitClock } from '../src/platform/auth/rate-limit.js';
import { Jobs } from '../src/platform/jobs/jobs.js';
import { after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp, type AppDeps } from '../src/app.js';
import { connect, type Db, type Engine } from '../src/platform/db/db.js';
import { startEmbedded } from '../src/platform/db/embedded.js';
import { migrate } from '../src/platform/db/migrate.js';
import type { Mailer, MailMessage } from '../src/platform/mail/mailer.js';
import type { Config } from '../src/platform/config.js';
import { createAccount } from '../src/accounts/commands.js';
import { randomToken } from '../src/platform/auth/secrets.js';

/**
 * Test databases. The runner (scripts/run-tests.ts) starts the engines, makes
 * a migrated template database on each, and tells test processes where it is
 * through CONVENE_TEST_ADMIN_URL / CONVENE_TEST_TEMPLATE / CONVENE_TEST_ENGINE.
 * Each test file clones the template into its own database (fast: a file
 * copy), so files never share state; the clone is dropped when the file ends.
 * Run alone (`node --import tsx --test file`), a file starts its own embedded
 * PostgreSQL instead.
 */
// Cleanups run once the file's tests are done, newest first. Registered here at
// import time (top level), because after() called inside a hook or test would
// attach to that hook instead of to the file.
const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const fn of cleanups.reverse()) await fn();
});
export const onCleanup = (fn: () => Promise<void> | void) => cleanups.push(fn);

export const ENGINE: Engine = (process.env.CONVENE_TEST_ENGINE as Engine) || 'embedded';

let serverPromise: Promise<{ adminUrl: string; template: string }> | undefined;

async function server(): Promise<{ adminUrl: string; template: string }> {
  if (process.env.CONVENE_TEST_ADMIN_URL && process.env.CONVENE_TEST_TEMPLATE) {
    return { adminUrl: process.env.CONVENE_TEST_ADMIN_URL, template: process.env.CONVENE_TEST_TEMPLATE };
  }
  serverPromise ??= (async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'convene-test-'));
    const embedded = await startEmbedded({ dataDir: dir, settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' } });
    onCleanup(async () => {
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    const adminUrl = embedded.url.replace(/\/convene$/, '/postgres');
    const template = 'convene_tpl_solo';
    await adminQuery(adminUrl, `CREATE DATABASE ${template}`);
    await migrate(adminUrl.replace(/\/postgres$/, `/${template}`));
    return { adminUrl, template };
  })();
  return serverPromise;
}

async function adminQuery(adminUrl: string, text: string) {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

let counter = 0;

/** A fresh, migrated database for this test file; dropped after the file's tests. */
export async function createTestDatabase(): Promise<{ db: Db; url: string; close(): Promise<void> }> {
  const { adminUrl, template } = await server();
  const name = `${template}_${process.pid}_${++counter}`.slice(0, 63);
  await adminQuery(adminUrl, `CREATE DATABASE ${name} TEMPLATE ${template}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handle = connect(url.toString(), ENGINE, { max: 10 });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await handle.close();
    await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  };
  onCleanup(close);
  return { db: handle.db, url: url.toString(), close };
}

/** Collects mail in memory (request tests); the SMTP path has its own test with a real server. */
export class MemoryMailer implements Mailer {
  readonly sent: MailMessage[] = [];
  async send(msg: MailMessage) {
    this.sent.push(msg);
  }
  describe() {
    return 'memory';
  }
  close() {}
  /** The last message to an address. */
  lastTo(address: string): MailMessage | undefined {
    return [...this.sent].reverse().find((m) => m.to.toLowerCase() === address.toLowerCase());
  }
  /** The first link in a message's text that starts with `prefix`. */
  linkIn(msg: MailMessage | undefined, prefix: string): string | undefined {
    const m = msg?.text.match(new RegExp(`${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\S+`));
    return m?.[0];
  }
}

export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    port: 0,
    host: '127.0.0.1',
    databaseUrl: undefined,
    replicaUrl: undefined,
    databasePoolSize: 10,
    dataDir: mkdtempSync(path.join(tmpdir(), 'convene-data-')),
    baseUrl: 'http://convene.test',
    secure: false,
    sessionSecret: 'test-secret-that-is-long-enough-for-cookies-0123456789',
    smtpUrl: undefined,
    logLevel: 'silent',
    seed: 'none',
    env: 'test',
    // Off here; the trust tests turn it on and check it is enforced.
    twoFactorRoles: [],
    // Off here (tests change rows directly and read pages at once); page-cache tests turn it on.
    pageCacheSeconds: 0,
    pageCacheMb: 32,
    // As the page cache: tests that write rows directly and read them back at once run without it; its own tests turn it on.
    sessionCacheSeconds: 0,
    trustProxy: [],
    ...overrides,
  };
}

export interface TestContext {
  app: FastifyInstance;
  db: Db;
  mailer: MemoryMailer;
  config: Config;
  jobs: Jobs;
  /** The test database's URL. */
  url: string;
}

/** An app on its own fresh database, closed after the file's tests. */
/**
 * Rate-limit windows are counted on a clock fixed at one second past the start
 * of today (UTC) while tests run: a window (a minute, a quarter, an hour, a
 * day) never turns in the middle of a test, so "the 31st request is refused"
 * holds at 22:59:58 as at any other time. Tests about windows set their own.
 */
const RATE_LIMIT_NOW = Math.floor(Date.now() / 86_400_000) * 86_400_000 + 1_000;
setRateLimitClock(() => RATE_LIMIT_NOW);

export async function buildTestApp(configOverrides: Partial<Config> = {}, opts: { readDb?: (db: Db) => Db; dnsResolver?: AppDeps['dnsResolver'] } = {}): Promise<TestContext> {
  const { db, url } = await createTestDatabase();
  const mailer = new MemoryMailer();
  const config = testConfig(configOverrides);
  const jobs = new Jobs(db);
  const app = await buildApp({ config, db, readDb: opts.readDb?.(db), jobs, databaseUrl: url, engine: ENGINE, mailer, logger: false, dnsResolver: opts.dnsResolver });
  await app.ready();
  onCleanup(async () => {
    await jobs.stop();
    await app.close();
    rmSync(config.dataDir, { recursive: true, force: true });
  });
  return { app, db, mailer, config, jobs, url };
}

// ---- factories -----------------------------------------------------------------

export const PASSWORD = 'correct horse battery staple';
let seq = 0;
const unique = () => `${process.pid}-${++seq}-${randomToken(4).toLowerCase().replace(/[^a-z0-9]/g, '')}`;

export async function buildUser(
  db: Db,
  over: { name?: string; email?: string; role?: 'member' | 'facilitator' | 'admin'; perspectives?: string[]; is_youth?: boolean; state_code?: string; hidden?: boolean; verified?: boolean } = {},
) {
  const email = over.email ?? `person-${unique()}@example.org`;
  const id = await createAccount(db, {
    email,
    password: PASSWORD,
    name: over.name ?? `Person ${seq}`,
    role: over.role,
    perspectives: over.perspectives,
    is_youth: over.is_youth,
    state_code: over.state_code,
  });
  if (over.hidden) await db.updateTable('users').set({ hidden: true }).where('id', '=', id).execute();
  if (over.verified === false) await db.updateTable('users').set({ email_verified_at: null }).where('id', '=', id).execute();
  return { id, email, password: PASSWORD, name: over.name ?? `Person ${seq}` };
}

export async function buildGroup(
  db: Db,
  over: { slug?: string; name?: string; visibility?: 'public' | 'members' | 'private'; join_policy?: 'open' | 'request' | 'invite'; leadId?: number; memberIds?: number[]; priorities?: string[] } = {},
) {
  const slug = over.slug ?? `group-${unique()}`;
  const row = await db
    .insertInto('practice_groups')
    .values({ slug, name: over.name ?? `Group ${slug}`, mission: 'A mission statement.', visibility: over.visibility ?? 'public', join_policy: over.join_policy ?? 'open' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const members: { group_id: number; user_id: number; role: 'lead' | 'member'; status: 'active' }[] = [];
  if (over.leadId) members.push({ group_id: row.id, user_id: over.leadId, role: 'lead', status: 'active' });
  for (const id of over.memberIds ?? []) members.push({ group_id: row.id, user_id: id, role: 'member', status: 'active' });
  if (members.length) await db.insertInto('group_memberships').values(members).execute();
  if (over.priorities?.length) await db.insertInto('group_priorities').values(over.priorities.map((text, i) => ({ group_id: row.id, position: i + 1, text }))).execute();
  await db.updateTable('practice_groups').set({ member_count: members.length }).where('id', '=', row.id).execute();
  return { id: row.id, slug };
}

export async function buildOrganization(db: Db, over: { slug?: string; name?: string; kind?: string } = {}) {
  const slug = over.slug ?? `org-${unique()}`;
  const row = await db
    .insertInto('organizations')
    .values({ slug, name: over.name ?? `Organization ${slug}`, kind: over.kind ?? 'member', level: 'national' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, slug };
}

// ---- a browser-like client for app.inject() ---------------------------------------------

/**
 * Keeps cookies between requests and reads the CSRF token from forms, so
 * tests can drive HTML forms the way a browser does.
 */
export class Agent {
  private cookies = new Map<string, string>();
  constructor(private readonly app: FastifyInstance) {}

  private cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private remember(res: LightMyRequestResponse) {
    for (const c of res.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      if (c.value === '' || (c.maxAge !== undefined && c.maxAge <= 0) || (c.expires && c.expires.getTime() < Date.now())) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
  }

  async get(url: string, headers: Record<string, string> = {}) {
    const res = await this.app.inject({ method: 'GET', url, headers: { cookie: this.cookieHeader(), ...headers } });
    this.remember(res);
    return res;
  }

  /** Gets a CSRF token the way a browser would: from a page's form. */
  async csrf(page?: string): Promise<string> {
    for (const p of page ? [page] : ['/login', '/settings']) {
      const res = await this.get(p);
      const m = res.body.match(/name="_csrf" value="([^"]+)"/);
      if (m) return m[1]!;
    }
    throw new Error(`no CSRF token on ${page ?? '/login or /settings'}`);
  }

  /** Submits a form (urlencoded), adding the CSRF token unless `csrf: false`. */
  async post(url: string, form: Record<string, string | string[]> = {}, opts: { csrf?: boolean | string; headers?: Record<string, string> } = {}) {
    const params = new URLSearchParams();
    if (opts.csrf !== false) params.append('_csrf', typeof opts.csrf === 'string' ? opts.csrf : await this.csrf());
    for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) params.append(k, x);
    const res = await this.app.inject({
      method: 'POST',
      url,
      payload: params.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: this.cookieHeader(), ...opts.headers },
    });
    this.remember(res);
    return res;
  }

  /** Any request with this agent's cookies (multipart uploads, other methods). */
  async raw(opts: { method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; url: string; payload?: string | Buffer; headers?: Record<string, string> }) {
    const res = await this.app.inject({ method: opts.method, url: opts.url, payload: opts.payload, headers: { cookie: this.cookieHeader(), ...opts.headers } });
    this.remember(res);
    return res;
  }

  async signIn(email: string, password = PASSWORD) {
    const res = await this.post('/login', { email, password });
    if (res.statusCode !== 303) throw new Error(`sign-in failed with ${res.statusCode}`);
    return this;
  }

  has(cookie: string) {
    return this.cookies.has(cookie);
  }
}

/** Signs in through the API and returns a bearer token. */
export async function apiToken(app: FastifyInstance, email: string, password = PASSWORD): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/tokens', payload: { email, password } });
  if (res.statusCode !== 201) throw new Error(`token request failed: ${res.statusCode} ${res.body}`);
  return res.json().token as string;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** The text of an HTML page with tags removed (for asserting what a reader sees). */
export function textOf(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, ' ');
}

/** A real SMTP server on loopback that parses what it receives (closed after the file's tests). */
export async function startSmtpCapture(): Promise<{ port: number; received: ParsedMail[] }> {
  const received: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          received.push(mail);
          callback();
        },
        (err: Error) => callback(err),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.server.address() as { port: number }).port, received };
}
