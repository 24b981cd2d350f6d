import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { Agent, buildOrganization, buildTestApp, buildUser, onCleanup, textOf, type TestContext } from '../../test/helpers.js';
import { currentCode } from './two-factor.js';
import { accountFor, getProvider } from './oidc.js';

/**
 * End to end against a real OpenID provider (oidc-provider) on loopback: the
 * app discovers it, sends the browser there with PKCE, state and nonce, and
 * exchanges the code over HTTP. The provider's own login and consent pages
 * are filled in by this test the way a browser would.
 */
let t: TestContext;
let issuer: string;
let server: http.Server;
const CLIENT_SECRET = 'a-client-secret-long-enough-for-hs256-0123456789';

before(async () => {
  t = await buildTestApp();
  server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: ['agency', 'closed'].map((slug) => ({
      client_id: `convene-${slug}`,
      client_secret: CLIENT_SECRET,
      redirect_uris: [`${t.config.baseUrl}/auth/oidc/${slug}/callback`],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    })),
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    cookies: { keys: ['test-cookie-key-0123456789'] },
    // Login names decide the claims: "unverified-…" has an unconfirmed email.
    findAccount: async (_ctx: unknown, id: string) => ({
      accountId: id,
      claims: async () => ({ sub: id, email: `${id.replace(/^unverified-/, '')}@agency.example`, email_verified: !id.startsWith('unverified-'), name: `Agency ${id}` }),
    }),
  });
  server.on('request', provider.callback());
  onCleanup(() => new Promise<void>((r) => server.close(() => r())));
});
after(() => server.closeAllConnections());

/** Adds a provider through the admin form, as an admin. */
async function addProvider(admin: Agent, slug: string, over: Record<string, string> = {}) {
  const res = await admin.post(
    '/admin/identity-providers',
    { name: `State agency ${slug}`, slug, issuer, client_id: `convene-${slug}`, client_secret: CLIENT_SECRET, scopes: 'openid email profile', allow_signup: 'true', enabled: 'true', organization_id: '', ...over },
    { csrf: await admin.csrf('/admin/identity-providers/new') },
  );
  assert.equal(res.statusCode, 303, res.body.slice(0, 500));
}

/** Follows the provider's pages (login, consent) like a browser; returns our callback path. */
async function throughProvider(start: string, login: string): Promise<string> {
  const jar = new Map<string, string>();
  const remember = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      jar.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  let url = new URL(start);
  let body: string | undefined;
  for (let i = 0; i < 20; i++) {
    const res = await fetch(url, { method: body ? 'POST' : 'GET', redirect: 'manual', body, headers: { cookie: cookie(), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) } });
    remember(res);
    body = undefined;
    if (res.status >= 300 && res.status < 400) {
      url = new URL(res.headers.get('location')!, url);
      if (url.origin === t.config.baseUrl) return url.pathname + url.search;
      continue;
    }
    const html = await res.text();
    assert.equal(res.status, 200, html.slice(0, 300));
    const action = html.match(/<form[^>]*action="([^"]+)"/)?.[1];
    const prompt = html.match(/name="prompt" value="([a-z]+)"/)?.[1];
    assert.ok(action && prompt, 'the provider shows a form');
    url = new URL(action.replace(/&amp;/g, '&'), url);
    body = new URLSearchParams(prompt === 'login' ? { prompt, login, password: 'anything' } : { prompt }).toString();
  }
  throw new Error('too many steps at the provider');
}

async function signInWith(slug: string, login: string, next = '/groups') {
  const agent = new Agent(t.app);
  const start = await agent.get(`/auth/oidc/${slug}?next=${encodeURIComponent(next)}`);
  assert.equal(start.statusCode, 303);
  const location = String(start.headers.location);
  assert.ok(location.startsWith(`${issuer}/`), 'sent to the provider');
  const q = new URL(location).searchParams;
  assert.equal(q.get('code_challenge_method'), 'S256');
  assert.ok(q.get('state') && q.get('nonce') && q.get('code_challenge'));
  const callback = await throughProvider(location, login);
  const res = await agent.get(callback);
  return { agent, res, callback };
}

describe('sign-in with an organization’s identity provider', () => {
  let admin: Agent;
  let orgId: number;
  before(async () => {
    const a = await buildUser(t.db, { role: 'admin' });
    admin = await new Agent(t.app).signIn(a.email);
    orgId = (await buildOrganization(t.db, { name: 'Maryland State Department of Education' })).id;
    await addProvider(admin, 'agency', { organization_id: String(orgId) });
    await addProvider(admin, 'closed', { allow_signup: 'false' });
  });

  test('the sign-in page offers enabled providers; the client secret is stored sealed', async () => {
    const page = await new Agent(t.app).get('/login');
    assert.match(textOf(page.body), /Sign in with State agency agency/);
    const row = await t.db.selectFrom('oidc_providers').select(['client_secret', 'scopes']).where('slug', '=', 'agency').executeTakeFirstOrThrow();
    assert.ok(!row.client_secret.includes(CLIENT_SECRET));
    assert.equal(row.scopes, 'openid email profile');
  });

  test('a first sign-in creates a verified account linked to the provider and the organization', async () => {
    const { agent, res } = await signInWith('agency', 'dana');
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/groups');
    assert.ok(agent.has('convene_sid'));
    const user = await t.db.selectFrom('users').selectAll().where('email', '=', 'dana@agency.example').executeTakeFirstOrThrow();
    assert.equal(user.name, 'Agency dana');
    assert.ok(user.email_verified_at);
    assert.equal(user.password_hash, null);
    const link = await t.db.selectFrom('user_identities').selectAll().where('user_id', '=', user.id).executeTakeFirstOrThrow();
    assert.equal(link.subject, 'dana');
    const orgs = await t.db.selectFrom('user_organizations').select('organization_id').where('user_id', '=', user.id).execute();
    assert.deepEqual(orgs.map((o) => o.organization_id), [orgId]);
    const me = await agent.get('/settings');
    assert.equal(me.statusCode, 200);

    // The second time, the same account (matched by the provider's subject).
    const again = await signInWith('agency', 'dana', '/');
    assert.equal(again.res.statusCode, 303);
    const count = await t.db.selectFrom('users').select('id').where('email', '=', 'dana@agency.example').execute();
    assert.equal(count.length, 1);
  });

  test('first sign-ins of one person at the same moment (two tabs) make one account and one link, and neither fails', async () => {
    const agency = (await getProvider(t.db, { slug: 'agency' }))!;
    const closed = (await getProvider(t.db, { slug: 'closed' }))!;
    const claims = { sub: 'twin-tabs', email: 'twin@agency.example', email_verified: true, name: 'Twin Tabs' };
    const results = await Promise.all([1, 2, 3, 4].map(() => accountFor(t.db, agency, claims)));
    const ids = new Set(results.map((r) => ('userId' in r ? r.userId : r.refused)));
    assert.equal(ids.size, 1, JSON.stringify(results));
    assert.equal(results.filter((r) => 'created' in r && r.created).length, 1);
    assert.equal((await t.db.selectFrom('users').select('id').where('email', '=', 'twin@agency.example').execute()).length, 1);
    assert.equal((await t.db.selectFrom('user_identities').select('user_id').where('subject', '=', 'twin-tabs').execute()).length, 1);
    // Linking an existing account at once from two tabs: one link.
    const u = await buildUser(t.db, { email: 'pair@agency.example' });
    const linked = await Promise.all([1, 2, 3].map(() => accountFor(t.db, closed, { sub: 'pair', email: 'pair@agency.example', email_verified: true })));
    assert.deepEqual(linked.map((r) => ('userId' in r ? r.userId : r.refused)), [u.id, u.id, u.id]);
    assert.equal((await t.db.selectFrom('user_identities').select('user_id').where('subject', '=', 'pair').execute()).length, 1);
  });

  test('an existing account with the same verified email is linked, not duplicated', async () => {
    const u = await buildUser(t.db, { email: 'lee@agency.example' });
    const { res } = await signInWith('closed', 'lee');
    assert.equal(res.statusCode, 303);
    const link = await t.db.selectFrom('user_identities').select('user_id').where('subject', '=', 'lee').executeTakeFirstOrThrow();
    assert.equal(link.user_id, u.id);
  });

  test('an unverified email, or an unknown person where sign-up is off, gets no account', async () => {
    const unverified = await signInWith('agency', 'unverified-sam');
    assert.equal(unverified.res.statusCode, 303);
    assert.equal(unverified.res.headers.location, '/login');
    assert.ok(!unverified.agent.has('convene_sid'));
    assert.match(textOf((await unverified.agent.get('/login')).body), /did not confirm your email/);
    assert.equal((await t.db.selectFrom('users').select('id').where('email', '=', 'sam@agency.example').execute()).length, 0);

    const closed = await signInWith('closed', 'newcomer');
    assert.equal(closed.res.headers.location, '/login');
    assert.equal((await t.db.selectFrom('users').select('id').where('email', '=', 'newcomer@agency.example').execute()).length, 0);
  });

  test('a callback with a wrong state, or without the browser that started it, signs no one in', async () => {
    const { callback } = await signInWith('agency', 'robin');
    // Replaying the callback in another browser: no pending cookie.
    const other = new Agent(t.app);
    const res = await other.get(callback);
    assert.equal(res.headers.location, '/login');
    assert.ok(!other.has('convene_sid'));
    // Same browser, altered state.
    const agent = new Agent(t.app);
    const start = await agent.get('/auth/oidc/agency');
    const cb = await throughProvider(String(start.headers.location), 'robin');
    const tampered = await agent.get(cb.replace(/state=[^&]+/, 'state=forged'));
    assert.equal(tampered.headers.location, '/login');
    assert.ok(!agent.has('convene_sid'));
  });

  test('an account with two-factor sign-in still gives its code after the provider', async () => {
    const u = await buildUser(t.db, { email: 'kim@agency.example' });
    const me = await new Agent(t.app).signIn(u.email);
    await me.post('/settings/two-factor/begin');
    const secret = (await me.get('/settings/two-factor')).body.match(/<code class="convene-secret">([A-Z2-7 ]+)<\/code>/)![1]!.replace(/ /g, '');
    assert.equal((await me.post('/settings/two-factor/enable', { code: currentCode(secret) })).statusCode, 201);
    const { agent, res } = await signInWith('agency', 'kim');
    assert.equal(res.headers.location, '/login/two-factor');
    assert.ok(!agent.has('convene_sid'));
    const done = await agent.post('/login/two-factor', { code: currentCode(secret, Date.now() + 30_000) });
    assert.equal(done.headers.location, '/groups');
    assert.ok(agent.has('convene_sid'));
  });

  test('only admins configure providers; bad input gets field messages; unknown or disabled providers are 404', async () => {
    const member = await new Agent(t.app).signIn((await buildUser(t.db)).email);
    assert.equal((await member.get('/admin/identity-providers')).statusCode, 403);
    const f = await new Agent(t.app).signIn((await buildUser(t.db, { role: 'facilitator' })).email);
    assert.equal((await f.get('/admin/identity-providers')).statusCode, 403);
    const anon = await new Agent(t.app).get('/admin/identity-providers');
    assert.equal(anon.statusCode, 303);
    assert.match(String(anon.headers.location), /^\/login/);

    const bad = await admin.post('/admin/identity-providers', { name: '', slug: 'Bad Slug', issuer: 'ftp://x', client_id: '', client_secret: '' }, { csrf: await admin.csrf('/admin/identity-providers/new') });
    assert.equal(bad.statusCode, 400);
    for (const f of ['name', 'slug', 'issuer', 'client_id']) assert.match(bad.body, new RegExp(`field-${f}-error`));
    const dup = await admin.post('/admin/identity-providers', { name: 'Again', slug: 'agency', issuer, client_id: 'x', client_secret: 'y' }, { csrf: await admin.csrf('/admin/identity-providers/new') });
    assert.equal(dup.statusCode, 409);

    assert.equal((await new Agent(t.app).get('/auth/oidc/nope')).statusCode, 404);
    const row = await t.db.selectFrom('oidc_providers').select('id').where('slug', '=', 'closed').executeTakeFirstOrThrow();
    const edit = await admin.post(`/admin/identity-providers/${row.id}`, { name: 'Closed', slug: 'closed', issuer, client_id: 'convene-closed', client_secret: '', enabled: 'false', allow_signup: 'false' }, { csrf: await admin.csrf(`/admin/identity-providers/${row.id}`) });
    assert.equal(edit.statusCode, 303);
    assert.equal((await new Agent(t.app).get('/auth/oidc/closed')).statusCode, 404);
    assert.doesNotMatch(textOf((await new Agent(t.app).get('/login')).body), /Sign in with Closed/);
    const kept = await t.db.selectFrom('oidc_providers').select('client_secret').where('id', '=', row.id).executeTakeFirstOrThrow();
    assert.ok(kept.client_secret.length > 20, 'a blank secret keeps the stored one');
    const audit = await t.db.selectFrom('audit_log').select(['action', 'data']).where('action', 'like', 'oidc.provider_%').execute();
    assert.ok(audit.length >= 3);
    assert.ok(audit.every((a) => !JSON.stringify(a.data).includes(CLIENT_SECRET)), 'the audit log never holds the secret');
  });
});
