import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { Agent, PASSWORD, apiToken, bearer, buildTestApp, buildUser, textOf, type TestContext } from '../../test/helpers.js';

let t: TestContext;
before(async () => {
  t = await buildTestApp();
});

const thisYear = new Date().getUTCFullYear();
const signupForm = (over: Record<string, string | string[]> = {}) => ({
  name: 'Maria Santos',
  email: `maria-${Math.random().toString(36).slice(2)}@example.org`,
  password: 'tulips under a blue umbrella',
  birth_year: String(thisYear - 40),
  perspectives: ['family', 'educator'],
  state_code: 'OH',
  ...over,
});

/** Signs up and follows the emailed link, which confirms the address and signs in. */
async function signUpAndVerify(agent: Agent, form: Record<string, string | string[]>) {
  const res = await agent.post('/signup', form);
  assert.equal(res.statusCode, 303, res.body.slice(0, 300));
  const link = t.mailer.linkIn(t.mailer.lastTo(String(form.email))!, 'http://convene.test/verify?token=');
  assert.ok(link);
  return agent.get(link!.replace('http://convene.test', ''));
}

describe('sign up', () => {
  test('creates an account and mails a link that confirms the address and signs in', async () => {
    const agent = new Agent(t.app);
    const form = signupForm();
    const res = await agent.post('/signup', form);
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/signup/sent');
    assert.equal(agent.has('convene_sid'), false, 'not signed in before the address is confirmed');
    assert.match((await agent.get('/signup/sent')).body, /Check your email/);

    const user = await t.db.selectFrom('users').selectAll().where('email', '=', form.email).executeTakeFirstOrThrow();
    assert.equal(user.name, 'Maria Santos');
    assert.deepEqual(user.perspectives, ['family', 'educator']);
    assert.equal(user.is_youth, false);
    assert.equal(user.email_verified_at, null);
    assert.match(user.password_hash!, /^\$argon2id\$/);

    const mail = t.mailer.lastTo(form.email);
    assert.ok(mail, 'a verification mail was sent');
    assert.ok(mail.text.length > 0 && mail.html.length > 0, 'plain-text and HTML parts');
    const link = t.mailer.linkIn(mail, 'http://convene.test/verify?token=');
    assert.ok(link);
    const verify = await agent.get(link.replace('http://convene.test', ''));
    assert.equal(verify.statusCode, 303);
    const cookie = [verify.headers['set-cookie']].flat().join('\n');
    assert.match(cookie, /convene_sid=[^;]+;.*HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
    const after = await t.db.selectFrom('users').select('email_verified_at').where('id', '=', user.id).executeTakeFirstOrThrow();
    assert.ok(after.email_verified_at);

    const again = await agent.get(link.replace('http://convene.test', ''));
    assert.equal(again.statusCode, 303, 'a used link is refused politely');
    const settings = await agent.get('/settings');
    assert.equal(settings.statusCode, 200);
    assert.match(settings.body, /Maria Santos/);
  });

  test('bad input re-renders the form with field errors, keeps values, never echoes the password', async () => {
    const agent = new Agent(t.app);
    const before = await t.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const res = await agent.post('/signup', { name: '  ', email: 'not-an-email', password: 'short', birth_year: 'abc', perspectives: ['family', 'astronaut'] });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /<title>Error:/);
    assert.match(res.body, /id="error-summary"/);
    for (const field of ['name', 'email', 'password', 'birth_year', 'perspectives']) {
      assert.match(res.body, new RegExp(`id="field-${field}-error"`), `${field} has an error message`);
      assert.match(res.body, new RegExp(`href="#field-${field}"`), `${field} is linked from the summary`);
    }
    assert.match(res.body, /aria-describedby="[^"]*field-email-error/);
    assert.match(res.body, /value="not-an-email"/);
    assert.doesNotMatch(res.body, /value="short"/);
    const afterCount = await t.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    assert.equal(Number(afterCount.n), Number(before.n), 'nothing was written');
  });

  test('script in the name is stored as text and escaped on every page', async () => {
    const agent = new Agent(t.app);
    const form = signupForm({ name: '<script>alert(1)</script> Evil' });
    await signUpAndVerify(agent, form);
    const page = await agent.get('/settings');
    assert.doesNotMatch(page.body, /<script>alert\(1\)<\/script>/);
    assert.match(page.body, /&lt;script>alert\(1\)&lt;\/script> Evil/, 'escaped inside the attribute value');
  });

  test('someone under 13 gets a neutral refusal and nothing is stored', async () => {
    const agent = new Agent(t.app);
    const email = `kid-${Date.now()}@example.org`;
    const res = await agent.post('/signup', signupForm({ email, name: 'Little Kid', birth_year: String(thisYear - 10) }));
    assert.equal(res.statusCode, 403);
    assert.doesNotMatch(res.body, /Little Kid/);
    assert.doesNotMatch(res.body, new RegExp(email));
    assert.doesNotMatch(textOf(res.body), /13/, 'the threshold is not revealed');
    const found = await t.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
    assert.equal(found, undefined);
    assert.equal(t.mailer.lastTo(email), undefined);
    assert.equal(agent.has('convene_sid'), false);
  });

  test('13–17 become youth accounts with members-only profiles', async () => {
    const agent = new Agent(t.app);
    const form = signupForm({ birth_year: String(thisYear - 16), perspectives: 'youth' });
    assert.equal((await signUpAndVerify(agent, form)).statusCode, 303);
    const user = await t.db.selectFrom('users').select(['id', 'is_youth', 'visibility']).where('email', '=', form.email).executeTakeFirstOrThrow();
    assert.equal(user.is_youth, true);
    assert.ok(Object.values(user.visibility).every((v) => v === 'members'));
    const anon = await t.app.inject(`/people/${user.id}`);
    assert.equal(anon.statusCode, 404, 'anonymous visitors cannot see a youth profile');
    // Even choosing "public" in settings is capped at members.
    await agent.post('/settings/profile', { name: 'Teen Person', visibility_bio: 'public', bio: 'hello' });
    const after = await t.db.selectFrom('users').select('visibility').where('id', '=', user.id).executeTakeFirstOrThrow();
    assert.equal(after.visibility.bio, 'members');
  });

  test('an address that has an account (any case) gets the same answer as a new one; its owner is emailed', async () => {
    const existing = await buildUser(t.db, { name: 'Owner Person' });
    const fresh = await new Agent(t.app).post('/signup', signupForm());
    const agent = new Agent(t.app);
    const res = await agent.post('/signup', signupForm({ email: existing.email.toUpperCase(), name: 'Someone Else' }));
    assert.equal(res.statusCode, fresh.statusCode);
    assert.equal(res.headers.location, fresh.headers.location);
    assert.equal(agent.has('convene_sid'), false);
    const mail = t.mailer.lastTo(existing.email);
    assert.ok(mail, 'the owner is told');
    assert.match(mail!.subject, /tried to create an account/);
    const users = await t.db.selectFrom('users').select('name').where(sql<string>`lower(email)`, '=', existing.email.toLowerCase()).execute();
    assert.deepEqual(users.map((u) => u.name), ['Owner Person'], 'nothing changed');
  });

  test('a form without its CSRF token is refused', async () => {
    const res = await new Agent(t.app).post('/signup', signupForm(), { csrf: false });
    assert.equal(res.statusCode, 403);
    const wrong = await new Agent(t.app).post('/signup', signupForm(), { csrf: 'forged-token' });
    assert.equal(wrong.statusCode, 403);
  });
});

describe('sign in and out', () => {
  test('signs in with a fresh session id, signs out and revokes it', async () => {
    const user = await buildUser(t.db);
    const agent = new Agent(t.app);
    const res = await agent.post('/login', { email: user.email, password: PASSWORD, next: '/groups' });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/groups');
    const sessions = await t.db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute();
    assert.equal(sessions.length, 1);
    const cookieValue = [res.headers['set-cookie']].flat().find((c) => c?.startsWith('convene_sid='))!;
    assert.ok(!cookieValue.includes(sessions[0]!.id), 'the cookie holds the token, the database only its hash');

    const out = await agent.post('/logout', {}, { csrf: await agent.csrf('/settings') });
    assert.equal(out.statusCode, 303);
    assert.equal((await t.db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute()).length, 0);
    const settings = await agent.get('/settings');
    assert.equal(settings.statusCode, 302);
  });

  test('a wrong password is refused without saying whether the account exists', async () => {
    const user = await buildUser(t.db);
    const wrong = await new Agent(t.app).post('/login', { email: user.email, password: 'not the password at all' });
    const unknown = await new Agent(t.app).post('/login', { email: 'nobody-here@example.org', password: 'not the password at all' });
    assert.equal(wrong.statusCode, 401);
    assert.equal(unknown.statusCode, 401);
    assert.equal(textOf(wrong.body).includes('not correct'), true);
    assert.match(wrong.body, new RegExp(`value="${user.email}"`), 'the email is kept');
  });

  test('an open redirect through next= is refused', async () => {
    const user = await buildUser(t.db);
    const res = await new Agent(t.app).post('/login', { email: user.email, password: PASSWORD, next: '//evil.example/x' });
    assert.equal(res.headers.location, '/');
  });

  test('wrong guesses are throttled per account and address: a stranger cannot lock the owner out', async () => {
    const user = await buildUser(t.db);
    const guess = (password: string) =>
      t.app.inject({ method: 'POST', url: '/api/v1/tokens', remoteAddress: '203.0.113.9', payload: { email: user.email, password } });
    let last;
    for (let i = 0; i < 11; i++) last = await guess('wrong password here');
    assert.equal(last!.statusCode, 429);
    assert.ok(Number(last!.headers['retry-after']) > 0);
    assert.equal((await guess(PASSWORD)).statusCode, 429, 'the limit holds for that address even with the right password');
    // The owner, from their own address, still gets in.
    const owner = await new Agent(t.app).post('/login', { email: user.email, password: PASSWORD });
    assert.equal(owner.statusCode, 303);
  });

  test('a throttled sign-in mails the owner a one-time link that works once', async () => {
    const user = await buildUser(t.db);
    const agent = new Agent(t.app);
    let last;
    for (let i = 0; i < 11; i++) last = await agent.post('/login', { email: user.email, password: 'wrong password here' });
    assert.equal(last!.statusCode, 429);
    assert.match(last!.body, /one-time sign-in link/);
    const unknown = await new Agent(t.app).post('/login', { email: 'nobody-here@example.org', password: 'x' });
    assert.notEqual(unknown.statusCode, 500);
    const link = t.mailer.linkIn(t.mailer.lastTo(user.email)!, 'http://convene.test/login/link?token=');
    assert.ok(link, 'a sign-in link was mailed');
    const use = await agent.get(link!.replace('http://convene.test', ''));
    assert.equal(use.statusCode, 303);
    assert.equal((await agent.get('/settings')).statusCode, 200, 'signed in');
    const again = await new Agent(t.app).get(link!.replace('http://convene.test', ''));
    assert.equal(again.headers.location, '/login', 'used once only');
  });

  test('a deactivated account cannot sign in, and its sessions end', async () => {
    const user = await buildUser(t.db);
    const agent = await new Agent(t.app).signIn(user.email);
    await t.db.updateTable('users').set({ deactivated_at: new Date() }).where('id', '=', user.id).execute();
    assert.equal((await agent.get('/settings')).statusCode, 302);
    assert.equal((await new Agent(t.app).post('/login', { email: user.email, password: PASSWORD })).statusCode, 401);
  });
});

describe('password reset', () => {
  test('a mailed one-hour link sets a new password and ends every session', async () => {
    const user = await buildUser(t.db);
    const other = await new Agent(t.app).signIn(user.email);
    const res = await new Agent(t.app).post('/password/forgot', { email: user.email });
    assert.equal(res.statusCode, 200);
    const link = t.mailer.linkIn(t.mailer.lastTo(user.email), 'http://convene.test/password/reset?token=');
    assert.ok(link);
    const token = new URL(link).searchParams.get('token')!;
    const form = await new Agent(t.app).get(`/password/reset?token=${token}`);
    assert.equal(form.statusCode, 200);
    const weak = await new Agent(t.app).post('/password/reset', { token, password: 'aaaaaaaaaaaa' });
    assert.equal(weak.statusCode, 400);
    const done = await new Agent(t.app).post('/password/reset', { token, password: 'a brand new passphrase' });
    assert.equal(done.statusCode, 303);
    assert.equal((await other.get('/settings')).statusCode, 302, 'old sessions ended');
    assert.equal((await new Agent(t.app).post('/login', { email: user.email, password: 'a brand new passphrase' })).statusCode, 303);
    const reuse = await new Agent(t.app).post('/password/reset', { token, password: 'yet another passphrase' });
    assert.equal(reuse.statusCode, 400, 'the link works once');
  });

  test('an unknown address gets the same answer and no mail', async () => {
    const before = t.mailer.sent.length;
    const res = await new Agent(t.app).post('/password/forgot', { email: 'ghost@example.org' });
    assert.equal(res.statusCode, 200);
    assert.equal(t.mailer.sent.length, before);
  });
});

describe('settings', () => {
  test('anonymous visitors are sent to sign in', async () => {
    const res = await t.app.inject('/settings');
    assert.equal(res.statusCode, 302);
    assert.match(res.headers.location as string, /^\/login/);
    const post = await new Agent(t.app).post('/settings/profile', { name: 'x' }, { csrf: await new Agent(t.app).csrf() });
    assert.ok([401, 403].includes(post.statusCode));
  });

  test('profile updates are saved, with organizations and field visibility', async () => {
    const user = await buildUser(t.db);
    const org = await t.db.insertInto('organizations').values({ slug: `o-${user.id}`, name: 'Helpers United', kind: 'member', level: 'state' }).returning('id').executeTakeFirstOrThrow();
    const agent = await new Agent(t.app).signIn(user.email);
    const res = await agent.post('/settings/profile', {
      name: 'New Name',
      pronouns: 'she/her',
      bio: 'Works with families.',
      state_code: 'MD',
      perspectives: ['family'],
      expertise: 'IEP meetings, family engagement',
      organizations: String(org.id),
      locale: 'es',
      visibility_bio: 'private',
    });
    assert.equal(res.statusCode, 303);
    const row = await t.db.selectFrom('users').selectAll().where('id', '=', user.id).executeTakeFirstOrThrow();
    assert.equal(row.name, 'New Name');
    assert.deepEqual(row.expertise, ['iep meetings', 'family engagement']);
    assert.equal(row.locale, 'es');
    assert.equal(row.visibility.bio, 'private');
    const page = await agent.get('/settings');
    assert.match(page.body, /<html lang="es">/, 'the chosen language applies');
    const anon = await t.app.inject(`/people/${user.id}`);
    assert.equal(anon.statusCode, 200);
    assert.doesNotMatch(anon.body, /Works with families/, 'a private bio is not shown');
    assert.match(anon.body, /Helpers United/);
  });

  test('profile bad input keeps the other values and names the field', async () => {
    const user = await buildUser(t.db);
    const agent = await new Agent(t.app).signIn(user.email);
    const res = await agent.post('/settings/profile', { name: '', bio: 'kept text', state_code: 'ZZ' });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /id="field-name-error"/);
    assert.match(res.body, /id="field-state_code-error"/);
    assert.match(res.body, /kept text/);
  });

  test('changing the password needs the current one, ends other sessions and notifies', async () => {
    const user = await buildUser(t.db);
    const agent = await new Agent(t.app).signIn(user.email);
    const other = await new Agent(t.app).signIn(user.email);
    const wrong = await agent.post('/settings/password', { current_password: 'nope nope nope', new_password: 'an entirely new phrase' }, { csrf: await agent.csrf('/settings') });
    assert.equal(wrong.statusCode, 400);
    const ok = await agent.post('/settings/password', { current_password: PASSWORD, new_password: 'an entirely new phrase' }, { csrf: await agent.csrf('/settings') });
    assert.equal(ok.statusCode, 303);
    assert.equal((await agent.get('/settings')).statusCode, 200, 'this session continues');
    assert.equal((await other.get('/settings')).statusCode, 302, 'the other session ended');
    assert.match(t.mailer.lastTo(user.email)!.subject, /password was changed/i);
  });

  test('changing the email confirms the new address and notifies the old one', async () => {
    const user = await buildUser(t.db);
    const agent = await new Agent(t.app).signIn(user.email);
    const newEmail = `moved-${user.id}@example.org`;
    const res = await agent.post('/settings/email', { new_email: newEmail, password: PASSWORD }, { csrf: await agent.csrf('/settings') });
    assert.equal(res.statusCode, 303);
    assert.match(t.mailer.lastTo(user.email)!.subject, /change of email/i);
    const link = t.mailer.linkIn(t.mailer.lastTo(newEmail), 'http://convene.test/settings/email/confirm?token=');
    assert.ok(link);
    await agent.get(link.replace('http://convene.test', ''));
    const row = await t.db.selectFrom('users').select('email').where('id', '=', user.id).executeTakeFirstOrThrow();
    assert.equal(row.email, newEmail);
  });

  test('the unverified banner offers a new link', async () => {
    const user = await buildUser(t.db, { verified: false });
    const agent = await new Agent(t.app).signIn(user.email);
    const page = await agent.get('/settings');
    assert.match(page.body, /action="\/verify\/resend"/);
    const res = await agent.post('/verify/resend', {}, { csrf: await agent.csrf('/settings') });
    assert.equal(res.statusCode, 303);
    assert.ok(t.mailer.linkIn(t.mailer.lastTo(user.email), 'http://convene.test/verify?token='));
  });
});

describe('API tokens', () => {
  test('POST /api/v1/tokens returns a token that authenticates the API', async () => {
    const user = await buildUser(t.db, { name: 'Token Person' });
    const token = await apiToken(t.app, user.email);
    assert.match(token, /^cvn_/);
    const me = await t.app.inject({ url: '/api/v1/me', headers: bearer(token) });
    assert.equal(me.statusCode, 200);
    assert.equal(me.json().name, 'Token Person');
    assert.equal(me.json().email, user.email);
    assert.equal(me.json().password_hash, undefined);
    const stored = await t.db.selectFrom('api_tokens').select('token_hash').where('user_id', '=', user.id).execute();
    assert.ok(stored.every((s) => s.token_hash !== token), 'only a hash is stored');
  });

  test('bad credentials answer 401; a bad bearer token answers 401', async () => {
    const user = await buildUser(t.db);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/tokens', payload: { email: user.email, password: 'wrong wrong wrong' } });
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().error.code, 'unauthenticated');
    const me = await t.app.inject({ url: '/api/v1/me', headers: bearer('cvn_made_up_token') });
    assert.equal(me.statusCode, 401);
    assert.equal((await t.app.inject('/api/v1/me')).statusCode, 401);
  });

  test('tokens can be listed and revoked, from the API and from settings', async () => {
    const user = await buildUser(t.db);
    const token = await apiToken(t.app, user.email);
    const list = await t.app.inject({ url: '/api/v1/tokens', headers: bearer(token) });
    assert.equal(list.statusCode, 200);
    const [info] = list.json().tokens;
    assert.ok(info.prefix && !('token_hash' in info));
    const agent = await new Agent(t.app).signIn(user.email);
    const created = await agent.post('/settings/tokens', { name: 'newsletter script' }, { csrf: await agent.csrf('/settings') });
    assert.equal(created.statusCode, 201);
    const shown = /<code class="convene-token">([^<]+)<\/code>/.exec(created.body)![1]!;
    assert.equal((await t.app.inject({ url: '/api/v1/me', headers: bearer(shown) })).statusCode, 200);
    const page = await agent.get('/settings');
    assert.doesNotMatch(page.body, new RegExp(shown), 'a token is shown once');
    const other = await buildUser(t.db);
    const otherToken = await apiToken(t.app, other.email);
    const steal = await t.app.inject({ method: 'DELETE', url: `/api/v1/tokens/${info.id}`, headers: bearer(otherToken) });
    assert.equal(steal.statusCode, 404, "someone else's token cannot be revoked");
    const del = await t.app.inject({ method: 'DELETE', url: `/api/v1/tokens/${info.id}`, headers: bearer(token) });
    assert.equal(del.statusCode, 204);
    assert.equal((await t.app.inject({ url: '/api/v1/me', headers: bearer(token) })).statusCode, 401);
    const revokeForm = await agent.post(`/settings/tokens/999999/revoke`, {}, { csrf: await agent.csrf('/settings') });
    assert.equal(revokeForm.statusCode, 404);
  });

  test('PATCH /api/v1/me validates and updates the profile', async () => {
    const user = await buildUser(t.db);
    const token = await apiToken(t.app, user.email);
    const bad = await t.app.inject({ method: 'PATCH', url: '/api/v1/me', headers: bearer(token), payload: { name: '', perspectives: ['wizard'] } });
    assert.equal(bad.statusCode, 400);
    assert.ok(bad.json().error.fields.name);
    const ok = await t.app.inject({ method: 'PATCH', url: '/api/v1/me', headers: bearer(token), payload: { name: 'Via API', perspectives: ['researcher'], expertise: ['evaluation'] } });
    assert.equal(ok.statusCode, 204);
    const row = await t.db.selectFrom('users').select(['name', 'perspectives', 'expertise']).where('id', '=', user.id).executeTakeFirstOrThrow();
    assert.deepEqual(row, { name: 'Via API', perspectives: ['researcher'], expertise: ['evaluation'] });
  });

  test('sessions are stored in PostgreSQL, so any app process can serve a signed-in person', async () => {
    const user = await buildUser(t.db);
    const agent = await new Agent(t.app).signIn(user.email);
    const count = await sql<{ n: number }>`SELECT count(*)::int AS n FROM sessions WHERE user_id = ${user.id}`.execute(t.db);
    assert.equal(count.rows[0]!.n, 1);
    const second = await buildTestApp();
    void second;
    assert.equal((await agent.get('/settings')).statusCode, 200);
  });
});

describe('sessions', () => {
  test('a person sees where they are signed in, ends one session or all the others, and cannot touch anyone else’s', async () => {
    const u = await buildUser(t.db);
    const firefox = { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0' };
    const phone = new Agent(t.app);
    await phone.post('/login', { email: u.email, password: PASSWORD }, { headers: { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Safari/604.1' } });
    const laptop = new Agent(t.app);
    await laptop.post('/login', { email: u.email, password: PASSWORD }, { headers: firefox });
    const page = await laptop.get('/settings/sessions');
    assert.equal(page.statusCode, 200);
    const text = textOf(page.body);
    assert.match(text, /Firefox on Windows\s+This browser/);
    assert.match(text, /Safari on iOS/);
    const ref = /action="\/settings\/sessions\/([0-9a-f]{16})\/revoke"/.exec(page.body)![1]!;
    // Someone else cannot end it.
    const other = await new Agent(t.app).signIn((await buildUser(t.db)).email);
    assert.equal((await other.post(`/settings/sessions/${ref}/revoke`)).statusCode, 404);
    assert.equal((await phone.get('/settings')).statusCode, 200);
    assert.equal((await laptop.post(`/settings/sessions/${ref}/revoke`)).statusCode, 303);
    assert.match(String((await phone.get('/settings')).headers.location), /^\/login/, 'the phone is signed out');
    // Sign in again on the phone, then end every other session from the laptop.
    await phone.post('/login', { email: u.email, password: PASSWORD });
    assert.equal((await laptop.post('/settings/sessions/revoke-others')).statusCode, 303);
    assert.match(String((await phone.get('/settings')).headers.location), /^\/login/);
    assert.equal((await laptop.get('/settings')).statusCode, 200, 'the laptop stays signed in');
    assert.equal((await t.app.inject('/settings/sessions')).statusCode, 303);
    assert.equal((await laptop.post('/settings/sessions/not-a-ref/revoke')).statusCode, 404);
  });
});
