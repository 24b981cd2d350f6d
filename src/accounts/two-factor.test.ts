import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, PASSWORD, buildTestApp, buildUser, textOf, type TestContext } from '../../test/helpers.js';
import { currentCode } from './two-factor.js';

let t: TestContext;
before(async () => {
  t = await buildTestApp({ twoFactorRoles: ['facilitator', 'admin'] });
});

const secretOn = (html: string) => {
  const m = html.match(/<code class="convene-secret">([A-Z2-7 ]+)<\/code>/);
  assert.ok(m, 'the set-up page shows the key');
  return m[1]!.replace(/ /g, '');
};
const codesOn = (html: string) => [...html.matchAll(/<li><code>([a-z0-9]{5}-[a-z0-9]{5})<\/code><\/li>/g)].map((m) => m[1]!);
const STEP = 30_000;

/** Turns two-factor sign-in on for a signed-in agent; returns the seed and recovery codes. */
async function enroll(agent: Agent) {
  await agent.post('/settings/two-factor/begin');
  const page = await agent.get('/settings/two-factor');
  const secret = secretOn(page.body);
  const at = Date.now();
  const res = await agent.post('/settings/two-factor/enable', { code: currentCode(secret, at) });
  assert.equal(res.statusCode, 201);
  return { secret, codes: codesOn(res.body), at };
}

describe('two-factor sign-in', () => {
  test('set-up: a wrong code is refused with a field message, the right one turns it on and shows ten recovery codes once', async () => {
    const u = await buildUser(t.db);
    const agent = await new Agent(t.app).signIn(u.email);
    const off = await agent.get('/settings/two-factor');
    assert.equal(off.statusCode, 200);
    assert.match(textOf(off.body), /Two-factor sign-in is off/);

    await agent.post('/settings/two-factor/begin');
    const page = await agent.get('/settings/two-factor');
    const secret = secretOn(page.body);
    assert.match(page.body, /<svg[^>]*>/, 'a QR code is drawn');
    // The same pending key survives a reload.
    assert.equal(secretOn((await agent.get('/settings/two-factor')).body), secret);

    const wrong = await agent.post('/settings/two-factor/enable', { code: '000000' === currentCode(secret) ? '111111' : '000000' });
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /usa-error-message[^>]*>That code is not right/);
    const bad = await agent.post('/settings/two-factor/enable', { code: '' });
    assert.equal(bad.statusCode, 400);

    const ok = await agent.post('/settings/two-factor/enable', { code: currentCode(secret) });
    assert.equal(ok.statusCode, 201);
    const codes = codesOn(ok.body);
    assert.equal(codes.length, 10);
    assert.equal(new Set(codes).size, 10);

    const row = await t.db.selectFrom('users').select(['totp_secret', 'totp_pending', 'totp_enabled_at']).where('id', '=', u.id).executeTakeFirstOrThrow();
    assert.ok(row.totp_enabled_at);
    assert.equal(row.totp_pending, null);
    assert.ok(row.totp_secret && !row.totp_secret.includes(secret), 'the seed is stored sealed, not as typed');
    const stored = await t.db.selectFrom('totp_recovery_codes').select('code_hash').where('user_id', '=', u.id).execute();
    assert.equal(stored.length, 10);
    assert.ok(stored.every((s) => !codes.includes(s.code_hash)), 'recovery codes are stored hashed');
    // Shown once: the page no longer lists them.
    const after = await agent.get('/settings/two-factor');
    assert.deepEqual(codesOn(after.body), []);
    assert.match(textOf(after.body), /10 unused recovery codes/);
    const audit = await t.db.selectFrom('audit_log').select('action').where('actor_id', '=', u.id).where('action', '=', 'two_factor.enable').execute();
    assert.equal(audit.length, 1);
  });

  test('sign-in asks for the code; a wrong code, a replayed code and a forged step are refused; recovery codes work once', async () => {
    const u = await buildUser(t.db);
    const { secret, codes, at } = await enroll(await new Agent(t.app).signIn(u.email));

    const agent = new Agent(t.app);
    const first = await agent.post('/login', { email: u.email, password: PASSWORD, next: '/groups' });
    assert.equal(first.statusCode, 303);
    assert.equal(first.headers.location, '/login/two-factor');
    assert.ok(!agent.has('convene_sid'), 'no session before the second step');
    assert.equal((await agent.get('/settings')).statusCode, 302, 'still signed out');

    const wrong = await agent.post('/login/two-factor', { code: '12345' });
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /That code is not right/);

    // The code used at set-up cannot be used again. It is computed for the set-up's own time, not
    // for now: a slow run may cross into the next 30-second step, whose code is genuinely new.
    const replay = await agent.post('/login/two-factor', { code: currentCode(secret, at) });
    assert.equal(replay.statusCode, 400, 'a code already accepted is refused');

    const next = await agent.post('/login/two-factor', { code: currentCode(secret, at + STEP) });
    assert.equal(next.statusCode, 303);
    assert.equal(next.headers.location, '/groups');
    assert.ok(agent.has('convene_sid'));
    assert.equal((await agent.get('/settings')).statusCode, 200);

    // A recovery code works once, in place of a code.
    const other = new Agent(t.app);
    await other.post('/login', { email: u.email, password: PASSWORD });
    const rec = await other.post('/login/two-factor', { code: codes[0]!.toUpperCase() });
    assert.equal(rec.statusCode, 303);
    const third = new Agent(t.app);
    await third.post('/login', { email: u.email, password: PASSWORD });
    assert.equal((await third.post('/login/two-factor', { code: codes[0]! })).statusCode, 400);
    const left = await t.db.selectFrom('totp_recovery_codes').select('id').where('user_id', '=', u.id).where('used_at', 'is', null).execute();
    assert.equal(left.length, 9);
  });

  test('the second step needs a genuine, fresh first step, and wrong codes are rate limited per account', async () => {
    const u = await buildUser(t.db);
    const { secret } = await enroll(await new Agent(t.app).signIn(u.email));
    const stranger = new Agent(t.app);
    const direct = await stranger.get('/login/two-factor');
    assert.equal(direct.statusCode, 303);
    assert.equal(direct.headers.location, '/login');
    const forged = await stranger.get('/login/two-factor', { cookie: `convene_2fa=${Buffer.from(JSON.stringify({ u: u.id, n: '/', m: 'password', e: Date.now() + 60000 })).toString('base64url')}` });
    assert.equal(forged.statusCode, 303);
    assert.equal(forged.headers.location, '/login', 'an unsigned pending cookie is ignored');

    const agent = new Agent(t.app);
    await agent.post('/login', { email: u.email, password: PASSWORD });
    let last = 0;
    for (let i = 0; i < 9; i++) last = (await agent.post('/login/two-factor', { code: '999999' === currentCode(secret) ? '888888' : '999999' })).statusCode;
    assert.equal(last, 429);
    const res = await agent.post('/login/two-factor', { code: currentCode(secret, Date.now() + STEP) });
    assert.equal(res.statusCode, 429, 'even the right code waits once the budget is spent');
    assert.ok(Number(res.headers['retry-after']) > 0);
  });

  test('API tokens from a password need the code too', async () => {
    const u = await buildUser(t.db);
    const { secret } = await enroll(await new Agent(t.app).signIn(u.email));
    const without = await t.app.inject({ method: 'POST', url: '/api/v1/tokens', payload: { email: u.email, password: PASSWORD } });
    assert.equal(without.statusCode, 401);
    assert.ok(without.json().error.fields.code);
    const wrong = await t.app.inject({ method: 'POST', url: '/api/v1/tokens', payload: { email: u.email, password: PASSWORD, code: '000000' === currentCode(secret, Date.now() + STEP) ? '111111' : '000000' } });
    assert.equal(wrong.statusCode, 401);
    const ok = await t.app.inject({ method: 'POST', url: '/api/v1/tokens', payload: { email: u.email, password: PASSWORD, code: currentCode(secret, Date.now() + STEP) } });
    assert.equal(ok.statusCode, 201);
  });

  test('facilitators and admins must set it up before anything else, and cannot turn it off', async () => {
    const f = await buildUser(t.db, { role: 'facilitator' });
    const agent = await new Agent(t.app).signIn(f.email);
    const page = await agent.get('/groups');
    assert.equal(page.statusCode, 303);
    assert.equal(page.headers.location, '/settings/two-factor');
    const setup = await agent.get('/settings/two-factor');
    assert.equal(setup.statusCode, 200);
    const secret = secretOn(setup.body);
    assert.match(textOf(setup.body), /must use two-factor sign-in/);
    // Writes and the API are refused until then.
    const write = await agent.post('/groups', { name: 'A new group' }, { csrf: await agent.csrf('/settings/two-factor') });
    assert.equal(write.statusCode, 403);
    const token = await t.app.inject({ method: 'POST', url: '/api/v1/tokens', payload: { email: f.email, password: PASSWORD } });
    assert.equal(token.statusCode, 403);
    // What stays open: signing out, the language switch, the guidelines.
    assert.equal((await agent.get('/language/es?next=/settings/two-factor')).statusCode, 303);

    assert.equal((await agent.post('/settings/two-factor/enable', { code: currentCode(secret) }, { csrf: await agent.csrf('/settings/two-factor') })).statusCode, 201);
    assert.equal((await agent.get('/groups')).statusCode, 200);

    const off = await agent.post('/settings/two-factor/disable', { password: PASSWORD, disable_code: currentCode(secret, Date.now() + STEP) }, { csrf: await agent.csrf('/settings/two-factor') });
    assert.equal(off.statusCode, 409);
    const still = await t.db.selectFrom('users').select('totp_enabled_at').where('id', '=', f.id).executeTakeFirstOrThrow();
    assert.ok(still.totp_enabled_at);
  });

  test('members can turn it off with their password and a code; other sessions end when it is turned on', async () => {
    const u = await buildUser(t.db);
    const elsewhere = await new Agent(t.app).signIn(u.email);
    const agent = await new Agent(t.app).signIn(u.email);
    const { secret } = await enroll(agent);
    assert.equal((await elsewhere.get('/settings')).statusCode, 302, 'the other browser was signed out');
    assert.equal((await agent.get('/settings')).statusCode, 200, 'this one stays');

    const badPw = await agent.post('/settings/two-factor/disable', { password: 'not it', disable_code: currentCode(secret, Date.now() + STEP) });
    assert.equal(badPw.statusCode, 400);
    assert.match(badPw.body, /field-password-error/);
    const ok = await agent.post('/settings/two-factor/disable', { password: PASSWORD, disable_code: currentCode(secret, Date.now() + STEP) });
    assert.equal(ok.statusCode, 303);
    const row = await t.db.selectFrom('users').select(['totp_enabled_at', 'totp_secret']).where('id', '=', u.id).executeTakeFirstOrThrow();
    assert.equal(row.totp_enabled_at, null);
    assert.equal(row.totp_secret, null);
    const fresh = new Agent(t.app);
    const res = await fresh.post('/login', { email: u.email, password: PASSWORD });
    assert.equal(res.headers.location, '/', 'no second step any more');
  });

  test('signed-out visitors are sent to sign in', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/settings/two-factor' });
    assert.equal(res.statusCode, 302);
    const post = await new Agent(t.app).post('/settings/two-factor/begin');
    assert.equal(post.statusCode, 401);
  });
});
