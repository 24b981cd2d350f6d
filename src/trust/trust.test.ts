import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import JSZip from 'jszip';
import { Agent, PASSWORD, apiToken, bearer, buildGroup, buildTestApp, buildUser, textOf, type TestContext } from '../../test/helpers.js';
import { PNG_1PX, multipart } from '../../test/fixtures.js';
import { runRetention } from './data.js';
import { setRateLimitClock } from '../platform/auth/rate-limit.js';
import { ConfigError, loadConfig } from '../platform/config.js';

let t: TestContext;
before(async () => {
  t = await buildTestApp();
});

const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

async function startThread(agent: Agent, slug: string, title: string, body: string) {
  const res = await agent.post(`/groups/${slug}/threads`, { title, body, language: 'en' }, { csrf: await agent.csrf(`/groups/${slug}/threads/new`) });
  assert.equal(res.statusCode, 303, res.body.slice(0, 300));
  return Number(String(res.headers.location).match(/\/threads\/(\d+)/)![1]);
}

describe('guidelines, terms and privacy', () => {
  test('each page is public, in English and Spanish, and says student records and health information must not be posted', async () => {
    for (const url of ['/guidelines', '/terms', '/privacy']) {
      const en = await t.app.inject({ url, headers: { 'accept-language': 'en' } });
      assert.equal(en.statusCode, 200);
      assert.match(en.body, /<html lang="en"/);
      const es = await t.app.inject({ url, headers: { 'accept-language': 'es' } });
      assert.equal(es.statusCode, 200);
      assert.match(es.body, /<html lang="es"/);
    }
    const g = textOf((await t.app.inject('/guidelines')).body);
    assert.match(g, /Never post student records or health information/);
    assert.match(g, /988/);
    const home = await t.app.inject('/');
    for (const link of ['/guidelines', '/terms', '/privacy', '/contact', 'tel:988']) assert.match(home.body, new RegExp(`href="${link}"`), `footer links to ${link}`);
  });
});

describe('reach a facilitator', () => {
  test('a member writes; facilitators are emailed and see it in their inbox; members cannot read the inbox', async () => {
    const youth = await buildUser(t.db, { is_youth: true, name: 'Yara Youth' });
    const f = await buildUser(t.db, { role: 'facilitator' });
    const agent = await new Agent(t.app).signIn(youth.email);
    const bad = await agent.post('/contact', { topic: 'nope', body: '' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /field-topic-error/);
    assert.match(bad.body, /field-body-error/);
    const ok = await agent.post('/contact', { topic: 'safety', body: 'Someone keeps messaging me about things I do not like.' });
    assert.equal(ok.statusCode, 303);
    const mail = t.mailer.lastTo(f.email);
    assert.ok(mail, 'facilitators are told');
    assert.doesNotMatch(mail!.text, /keeps messaging me/, 'the message itself stays on the site');

    assert.equal((await agent.get('/admin/contact')).statusCode, 403);
    const fa = await new Agent(t.app).signIn(f.email);
    const inbox = await fa.get('/admin/contact');
    assert.equal(inbox.statusCode, 200);
    assert.match(textOf(inbox.body), /Someone keeps messaging me/);
    assert.match(textOf(inbox.body), /Youth member/);
    const row = await t.db.selectFrom('contact_requests').select('id').where('user_id', '=', youth.id).executeTakeFirstOrThrow();
    assert.equal((await fa.post(`/admin/contact/${row.id}/close`)).statusCode, 303);
    assert.equal((await fa.post(`/admin/contact/${row.id}/close`)).statusCode, 404, 'closing twice finds nothing open');
    const reads = await t.db.selectFrom('audit_log').select('action').where('actor_id', '=', f.id).where('action', 'in', ['contact.read', 'contact.close']).execute();
    assert.ok(reads.length >= 2, 'reading and closing are audited');
  });

  test('signed-out visitors see how to sign in or call 988; they cannot post; messages are rate limited', async () => {
    const page = await t.app.inject('/contact');
    assert.equal(page.statusCode, 200);
    assert.match(textOf(page.body), /Sign in to write/);
    const anon = await new Agent(t.app).post('/contact', { topic: 'other', body: 'hello' });
    assert.equal(anon.statusCode, 401);
    const u = await buildUser(t.db);
    const agent = await new Agent(t.app).signIn(u.email);
    let last = 0;
    for (let i = 0; i < 6; i++) last = (await agent.post('/contact', { topic: 'other', body: `message ${i}` })).statusCode;
    assert.equal(last, 429);
    const stored = await t.db.selectFrom('contact_requests').select('id').where('user_id', '=', u.id).execute();
    assert.equal(stored.length, 5);
  });
});

describe('youth members and direct contact', () => {
  test('an adult outside the youth member’s groups cannot reach them by mention or reply; one in a shared group can', async () => {
    const youth = await buildUser(t.db, { is_youth: true, name: 'Quinn Young' });
    const insider = await buildUser(t.db, { name: 'Ines Insider' });
    const outsider = await buildUser(t.db, { name: 'Otto Outsider' });
    const shared = await buildGroup(t.db, { leadId: insider.id, memberIds: [youth.id] });
    const open = await buildGroup(t.db, { leadId: outsider.id, memberIds: [] });
    const handle = (await t.db.selectFrom('users').select('handle').where('id', '=', youth.id).executeTakeFirstOrThrow()).handle;

    await startThread(await new Agent(t.app).signIn(outsider.email), open.slug, 'Open question', `What do you think, @${handle}?`);
    await startThread(await new Agent(t.app).signIn(insider.email), shared.slug, 'Group question', `What do you think, @${handle}?`);
    await t.jobs.drain();
    const got = await t.db.selectFrom('notifications as n').innerJoin('users as a', 'a.id', 'n.actor_id').select(['a.name', 'n.kind']).where('n.user_id', '=', youth.id).execute();
    assert.deepEqual(
      got.map((g) => `${g.name}:${g.kind}`),
      ['Ines Insider:mention'],
    );
  });

  test('youth profiles never appear to the public', async () => {
    const youth = await buildUser(t.db, { is_youth: true, name: 'Private Youth' });
    assert.equal((await t.app.inject(`/people/${youth.id}`)).statusCode, 404);
    assert.doesNotMatch(textOf((await t.app.inject('/people?q=Private')).body), /Private Youth/);
  });
});

describe('download your data', () => {
  test('a request is done by a job: a ZIP with the person’s data and uploads, emailed, downloadable only by them', async () => {
    const u = await buildUser(t.db, { name: 'Dee Download' });
    const g = await buildGroup(t.db, { leadId: u.id });
    const agent = await new Agent(t.app).signIn(u.email);
    await startThread(agent, g.slug, 'My exported thread', 'A body that should be in the archive.');
    const csrf = await agent.csrf('/resources/new');
    const up = multipart(
      { _csrf: csrf, title: 'Picture of our team', kind: 'infographic', summary: 'A photo.', audiences: ['educator'], visibility: 'public', alt_text: 'Five people smiling', _idem: 'export-upload-1' },
      [{ field: 'file', filename: 'team.png', contentType: 'image/png', data: PNG_1PX }],
    );
    assert.equal((await agent.raw({ method: 'POST', url: '/resources', payload: up.payload, headers: up.headers })).statusCode, 303);

    // A double click makes one request.
    const [a, b] = await Promise.all([agent.post('/settings/data/export'), agent.post('/settings/data/export')]);
    assert.equal(a.statusCode, 303);
    assert.equal(b.statusCode, 303);
    const reqs = await t.db.selectFrom('account_requests').selectAll().where('user_id', '=', u.id).execute();
    assert.equal(reqs.length, 1);
    assert.match(textOf((await agent.get('/settings/data')).body), /being prepared/);
    assert.equal((await agent.get('/settings/data/download')).statusCode, 404, 'nothing to download yet');

    await t.jobs.drain();
    const mail = t.mailer.lastTo(u.email);
    assert.match(mail!.subject, /ready to download/);
    const dl = await agent.get('/settings/data/download');
    assert.equal(dl.statusCode, 200);
    assert.equal(dl.headers['content-type'], 'application/zip');
    const zip = await JSZip.loadAsync(dl.rawPayload);
    const data = JSON.parse(await zip.file('data.json')!.async('string'));
    assert.equal(data.user.name, 'Dee Download');
    assert.equal(data.user.password_hash, undefined, 'no password hash');
    assert.ok(data.posts.some((p: { body: string }) => p.body === 'A body that should be in the archive.'));
    assert.ok(data.threads.some((th: { title: string }) => th.title === 'My exported thread'));
    const files = Object.keys(zip.files).filter((f) => f.startsWith('files/'));
    assert.equal(files.length, 1);
    assert.match(files[0]!, /team\.png$/);
    assert.deepEqual(Buffer.from(await zip.file(files[0]!)!.async('uint8array')), PNG_1PX);

    // Someone else gets nothing.
    const other = await new Agent(t.app).signIn((await buildUser(t.db)).email);
    assert.equal((await other.get('/settings/data/download')).statusCode, 404);
    const anon = await new Agent(t.app).get('/settings/data/download');
    assert.equal(anon.statusCode, 303);
    assert.match(String(anon.headers.location), /^\/login/);
  });
});

describe('delete your account', () => {
  test('wrong confirmation is refused with field messages and nothing changes', async () => {
    const u = await buildUser(t.db);
    const agent = await new Agent(t.app).signIn(u.email);
    const res = await agent.post('/settings/data/delete', { posts: 'anonymize', email: 'someone@else.example', password: 'wrong' });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /field-email-error/);
    assert.match(res.body, /field-password-error/);
    const bad = await agent.post('/settings/data/delete', { posts: 'shred', email: u.email, password: PASSWORD });
    assert.equal(bad.statusCode, 400);
    const row = await t.db.selectFrom('users').select('deactivated_at').where('id', '=', u.id).executeTakeFirstOrThrow();
    assert.equal(row.deactivated_at, null);
    assert.equal((await t.db.selectFrom('account_requests').select('id').where('user_id', '=', u.id).execute()).length, 0);
  });

  test('keeping posts: the account goes, posts stay under “Former member”, the seat goes to the waitlist, counts stay true', async () => {
    const lead = await buildUser(t.db, { role: 'facilitator' });
    const u = await buildUser(t.db, { name: 'Leaving Person' });
    const waiting = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: lead.id, memberIds: [u.id] });
    const agent = await new Agent(t.app).signIn(u.email);
    const threadId = await startThread(agent, g.slug, 'A thread I started', 'My words, kept without my name.');
    const token = await apiToken(t.app, lead.email);
    const ev = await t.app.inject({ method: 'POST', url: '/api/v1/events', headers: bearer(token), payload: { title: 'Small call', kind: 'group_call', scope: 'community', start_date: inDays(5), start_time: '15:00', end_time: '16:00', time_zone: 'America/New_York', capacity: 1 } });
    const eventId = ev.json().id as number;
    assert.equal((await t.app.inject({ method: 'POST', url: `/api/v1/events/${eventId}/registrations`, headers: bearer(await apiToken(t.app, u.email)), payload: { response: 'going' } })).json().status, 'confirmed');
    assert.equal((await t.app.inject({ method: 'POST', url: `/api/v1/events/${eventId}/registrations`, headers: bearer(await apiToken(t.app, waiting.email)), payload: { response: 'going' } })).json().status, 'waitlisted');

    const res = await agent.post('/settings/data/delete', { posts: 'anonymize', email: u.email.toUpperCase(), password: PASSWORD });
    assert.equal(res.statusCode, 303);
    // Signed out at once, everywhere; the API token stops working.
    assert.equal((await agent.get('/settings')).statusCode, 302);
    await t.jobs.drain();
    assert.equal(await t.db.selectFrom('users').select('id').where('id', '=', u.id).executeTakeFirst(), undefined);
    const post = await t.db.selectFrom('posts').select(['author_id', 'body']).where('thread_id', '=', threadId).executeTakeFirstOrThrow();
    assert.equal(post.author_id, null);
    assert.equal(post.body, 'My words, kept without my name.');
    assert.match(textOf((await t.app.inject(`/threads/${threadId}`)).body), /Former member/);
    const reg = await t.db.selectFrom('event_registrations').select('status').where('event_id', '=', eventId).where('user_id', '=', waiting.id).executeTakeFirstOrThrow();
    assert.equal(reg.status, 'confirmed', 'the waitlisted person got the seat');
    const e = await t.db.selectFrom('events').select('going_count').where('id', '=', eventId).executeTakeFirstOrThrow();
    assert.equal(e.going_count, 1);
    const group = await t.db.selectFrom('practice_groups').select('member_count').where('id', '=', g.id).executeTakeFirstOrThrow();
    assert.equal(group.member_count, 1);
    assert.match(t.mailer.lastTo(u.email)!.subject, /has been deleted/);
    const log = await t.db.selectFrom('audit_log').select(['action', 'data']).where('action', '=', 'account.deleted').where('subject_id', '=', String(u.id)).executeTakeFirstOrThrow();
    assert.doesNotMatch(JSON.stringify(log.data), /Leaving Person|@/, 'the audit entry holds no personal data');
  });

  test('erasing posts removes their text and revisions; threads nobody else joined go too', async () => {
    const u = await buildUser(t.db);
    const other = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: u.id, memberIds: [other.id] });
    const agent = await new Agent(t.app).signIn(u.email);
    const lonely = await startThread(agent, g.slug, 'Nobody answered', 'Only my words here.');
    const busy = await startThread(agent, g.slug, 'Others answered', 'My opening words.');
    const otherAgent = await new Agent(t.app).signIn(other.email);
    assert.equal((await otherAgent.post(`/threads/${busy}/replies`, { body: 'A reply from someone else.', language: 'en' })).statusCode, 303);
    assert.equal((await agent.post('/settings/data/delete', { posts: 'erase', email: u.email, password: PASSWORD })).statusCode, 303);
    await t.jobs.drain();
    const mine = await t.db.selectFrom('posts').select(['body', 'deleted_at']).where('thread_id', 'in', [lonely, busy]).where('is_opening', '=', true).execute();
    assert.ok(mine.length === 2 && mine.every((p) => p.body === '[removed]' && p.deleted_at), JSON.stringify(mine));
    const threads = await t.db.selectFrom('threads').select(['id', 'deleted_at']).where('id', 'in', [lonely, busy]).execute();
    assert.ok(threads.find((x) => x.id === lonely)!.deleted_at);
    assert.equal(threads.find((x) => x.id === busy)!.deleted_at, null, 'the conversation others joined stays');
    const theirs = await t.db.selectFrom('posts').select('body').where('thread_id', '=', busy).where('is_opening', '=', false).executeTakeFirstOrThrow();
    assert.equal(theirs.body, 'A reply from someone else.');
  });

  test('the only administrator cannot delete their account', async () => {
    await t.db.updateTable('users').set({ role: 'member' }).where('role', '=', 'admin').execute();
    const admin = await buildUser(t.db, { role: 'admin' });
    const agent = await new Agent(t.app).signIn(admin.email);
    const res = await agent.post('/settings/data/delete', { posts: 'anonymize', email: admin.email, password: PASSWORD });
    assert.equal(res.statusCode, 409);
    assert.match(textOf(res.body), /only administrator/);
  });
});

describe('retention', () => {
  test('admins set it (members and facilitators cannot); bad values get field messages', async () => {
    const admin = await buildUser(t.db, { role: 'admin' });
    const f = await buildUser(t.db, { role: 'facilitator' });
    assert.equal((await (await new Agent(t.app).signIn(f.email)).get('/admin/retention')).statusCode, 403);
    const agent = await new Agent(t.app).signIn(admin.email);
    const bad = await agent.post('/admin/retention', { retention_inactive_days: '10', retention_notification_days: 'soon' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /field-retention_inactive_days-error/);
    assert.match(bad.body, /field-retention_notification_days-error/);
    const ok = await agent.post('/admin/retention', { retention_inactive_days: '365', retention_notification_days: '' });
    assert.equal(ok.statusCode, 303);
    const c = await t.db.selectFrom('community').select(['retention_inactive_days', 'retention_notification_days']).executeTakeFirstOrThrow();
    assert.deepEqual(c, { retention_inactive_days: 365, retention_notification_days: null });
  });

  test('the job deletes old notifications, warns inactive members, then removes them if they stay away; facilitators stay', async () => {
    await t.db
      .insertInto('community')
      .values({ id: 1, name: 'Test community', retention_inactive_days: 365, retention_notification_days: 90 })
      .onConflict((oc) => oc.column('id').doUpdateSet({ retention_inactive_days: 365, retention_notification_days: 90 }))
      .execute();
    const old = new Date(Date.now() - 400 * 86400_000);
    const sleeper = await buildUser(t.db, { name: 'Sam Sleeper' });
    const active = await buildUser(t.db);
    const fac = await buildUser(t.db, { role: 'facilitator' });
    await t.db.updateTable('users').set({ last_seen_at: old, created_at: old }).where('id', 'in', [sleeper.id, fac.id]).execute();
    await t.db.insertInto('notifications').values([
      { user_id: active.id, kind: 'reply', data: '{}', created_at: old },
      { user_id: active.id, kind: 'reply', data: '{}', created_at: new Date() },
    ]).execute();

    const deps = { db: t.db, jobs: t.jobs, mailer: t.mailer, config: t.config };
    const first = await runRetention(deps);
    assert.ok(first.notifications >= 1);
    assert.equal((await t.db.selectFrom('notifications').select('id').where('user_id', '=', active.id).execute()).length, 1);
    assert.match(t.mailer.lastTo(sleeper.email)!.subject, /removed for inactivity/);
    assert.equal(t.mailer.lastTo(fac.email), undefined, 'facilitators are not warned or removed');
    assert.ok(await t.db.selectFrom('users').select('id').where('id', '=', sleeper.id).executeTakeFirst(), 'warned, not yet removed');
    // Running again the same day warns no one twice.
    const again = await runRetention(deps);
    assert.equal(again.warned, 0);
    // 31 days later, still away: removed.
    const later = await runRetention(deps, new Date(Date.now() + 31 * 86400_000));
    assert.ok(later.removed >= 1);
    assert.equal(await t.db.selectFrom('users').select('id').where('id', '=', sleeper.id).executeTakeFirst(), undefined);
    assert.ok(await t.db.selectFrom('users').select('id').where('id', '=', fac.id).executeTakeFirst());
    await t.db.updateTable('community').set({ retention_inactive_days: null }).execute();
  });
});

describe('retention and activity', () => {
  test('using the site with a long-lived session counts as activity, so such a member is never warned', async () => {
    await t.db
      .insertInto('community')
      .values({ id: 1, name: 'Test community', retention_inactive_days: 365 })
      .onConflict((oc) => oc.column('id').doUpdateSet({ retention_inactive_days: 365 }))
      .execute();
    const u = await buildUser(t.db);
    const agent = await new Agent(t.app).signIn(u.email);
    const old = new Date(Date.now() - 400 * 86400_000);
    await t.db.updateTable('users').set({ last_seen_at: old, created_at: old }).where('id', '=', u.id).execute();
    await t.db.updateTable('sessions').set({ last_seen_at: new Date(Date.now() - 10 * 60_000) }).where('user_id', '=', u.id).execute();
    assert.equal((await agent.get('/settings')).statusCode, 200);
    const row = await t.db.selectFrom('users').select('last_seen_at').where('id', '=', u.id).executeTakeFirstOrThrow();
    assert.ok(row.last_seen_at! > new Date(Date.now() - 60_000));
    await runRetention({ db: t.db, jobs: t.jobs, mailer: t.mailer, config: t.config });
    assert.equal(t.mailer.lastTo(u.email), undefined);
    await t.db.updateTable('community').set({ retention_inactive_days: null }).execute();
  });
});

describe('the audit log', () => {
  test('facilitators read and filter it; members cannot', async () => {
    const f = await buildUser(t.db, { role: 'facilitator' });
    const agent = await new Agent(t.app).signIn(f.email);
    await agent.post('/settings/sessions/revoke-others');
    const page = await agent.get('/admin/audit?action=session.revoke_others');
    assert.equal(page.statusCode, 200);
    assert.match(textOf(page.body), /session\.revoke_others/);
    assert.doesNotMatch(textOf(page.body), /two_factor\.enable/);
    const member = await new Agent(t.app).signIn((await buildUser(t.db)).email);
    assert.equal((await member.get('/admin/audit')).statusCode, 403);
    assert.equal((await t.app.inject('/admin/audit?before=abc')).statusCode, 400);
  });
});

describe('per-address budgets', () => {
  /**
   * Budgets are counted in windows that start on the minute: the limiter's
   * clock is fixed just after a minute's start for these tests, so a run of
   * requests never crosses into a new window (and no test waits for one).
   */
  let restore: (() => number) | undefined;
  before(() => {
    const fixed = Math.floor(Date.now() / 60_000) * 60_000 + 1_000;
    restore = setRateLimitClock(() => fixed);
  });
  after(() => {
    if (restore) setRateLimitClock(restore);
  });
  test('searches and writes from one address are limited across people, with Retry-After; other addresses are not affected', async () => {
    const from = (ip: string) => ({ remoteAddress: ip });
    let last = 0;
    for (let i = 0; i < 121; i++) last = (await t.app.inject({ url: `/search?q=word${i}`, ...from('203.0.113.7') })).statusCode;
    assert.equal(last, 429);
    const limited = await t.app.inject({ url: '/api/v1/search?q=again', ...from('203.0.113.7') });
    assert.equal(limited.statusCode, 429);
    assert.ok(Number(limited.headers['retry-after']) > 0);
    assert.equal(limited.json().error.code, 'rate_limited');
    assert.equal((await t.app.inject({ url: '/search?q=word', ...from('203.0.113.8') })).statusCode, 200);
    // Browsing is never counted.
    assert.equal((await t.app.inject({ url: '/resources', ...from('203.0.113.7') })).statusCode, 200);

    for (let i = 0; i < 301; i++) last = (await t.app.inject({ method: 'POST', url: '/logout', ...from('198.51.100.9') })).statusCode;
    assert.equal(last, 429);
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/tokens', payload: { email: 'x@example.org', password: 'y' }, ...from('198.51.100.9') });
    assert.equal(login.statusCode, 429, 'sign-in from that address waits too');
  });

  // A visitor's own search budget: 60 a minute per address (runSearch), spent before the address's 120.
  const VISITOR_SEARCHES = 60;
  /** `n` searches from one peer, naming the given forwarded addresses: the status of the last one. */
  const searchRun = async (app: TestContext['app'], n: number, remoteAddress: string, forwarded: (i: number) => string) => {
    let last = 0;
    for (let i = 0; i < n; i++) last = (await app.inject({ url: `/search?q=budget${i}`, remoteAddress, headers: { 'x-forwarded-for': forwarded(i) } })).statusCode;
    return last;
  };

  test('without CONVENE_TRUST_PROXY, X-Forwarded-For is ignored: one peer is one address whatever it claims', async () => {
    assert.equal(await searchRun(t.app, VISITOR_SEARCHES + 1, '192.0.2.70', (i) => `203.0.113.${i % 200}`), 429);
  });

  test('behind a trusted balancer each visitor has a budget of its own; a peer that is not the balancer cannot claim one', async () => {
    const behind = await buildTestApp({ trustProxy: ['10.0.0.0/8'] });
    const balancer = '10.1.2.3';
    assert.equal(await searchRun(behind.app, VISITOR_SEARCHES, balancer, () => '203.0.113.60'), 200);
    const refused = await behind.app.inject({ url: '/search?q=again', remoteAddress: balancer, headers: { 'x-forwarded-for': '203.0.113.60' } });
    assert.equal(refused.statusCode, 429, 'the visitor behind the balancer spent its budget');
    assert.equal((await behind.app.inject({ url: '/search?q=again', remoteAddress: balancer, headers: { 'x-forwarded-for': '203.0.113.61' } })).statusCode, 200, 'the next visitor is not held back');
    // A client reaching the app directly names any address it likes: its own is what counts.
    assert.equal(await searchRun(behind.app, VISITOR_SEARCHES + 1, '198.51.100.20', (i) => `203.0.113.${100 + (i % 100)}`), 429);
  });

  test('CONVENE_TRUST_PROXY takes addresses, CIDR ranges and proxy-addr names, and refuses anything else at start', () => {
    const base = { SESSION_SECRET: 'x'.repeat(40), CONVENE_DATA_DIR: '/tmp/convene-trust-proxy-config' };
    assert.deepEqual(loadConfig(base).trustProxy, []);
    assert.deepEqual(loadConfig({ ...base, CONVENE_TRUST_PROXY: ' 10.0.0.0/8, 192.0.2.1 ,fd00::/8,loopback ' }).trustProxy, ['10.0.0.0/8', '192.0.2.1', 'fd00::/8', 'loopback']);
    for (const bad of ['true', '1', 'balancer.internal', '10.0.0.0/33', '10.0.0.0/8/1', '::1/129', '10.0.0.0/x']) {
      assert.throws(() => loadConfig({ ...base, CONVENE_TRUST_PROXY: bad }), (e: unknown) => e instanceof ConfigError && /CONVENE_TRUST_PROXY/.test(e.message), bad);
    }
  });
});
