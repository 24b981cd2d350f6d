import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHmac } from 'node:crypto';
import { Agent, apiToken, bearer, buildGroup, buildTestApp, buildUser, onCleanup, textOf, type TestContext } from '../../test/helpers.js';
import { DISABLE_AFTER, MAX_ATTEMPTS, deliverWebhook, fanout } from './deliver.js';
import { checkUrlAddress, isPublicAddress, postGuarded } from './address.js';

let t: TestContext;
before(async () => {
  t = await buildTestApp();
});

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}
/** A partner's system on loopback: records what arrives and answers with `status()`. */
async function receiver(status: () => number = () => 204) {
  const got: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.writeHead(status()).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  onCleanup(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hooks`, got };
}
async function drain() {
  const r = await t.jobs.drain();
  assert.equal(r.failed, 0, r.errors.map((e) => e.stack).join('\n'));
}
/** Registers an endpoint through the page, as its owner would; returns its id and the secret shown once. */
async function register(agent: Agent, fields: Record<string, string | string[]>) {
  const res = await agent.post('/admin/webhooks', fields);
  assert.equal(res.statusCode, 201, textOf(res.body).slice(0, 500));
  const secret = /whsec_[A-Za-z0-9+/=]+/.exec(res.body)![0];
  const row = await t.db.selectFrom('webhook_endpoints').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow();
  return { id: row.id, secret };
}
const verify = (secret: string, r: Received) => {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = `v1,${createHmac('sha256', key).update(`${r.headers['webhook-id']}.${r.headers['webhook-timestamp']}.${r.body}`).digest('base64')}`;
  return r.headers['webhook-signature'] === expected;
};

describe('registering an endpoint', () => {
  test('facilitators may; HTTPS and public addresses only, unless an admin allows a private network; private groups only by an admin', async () => {
    const member = await new Agent(t.app).signIn((await buildUser(t.db)).email);
    assert.equal((await member.get('/admin/webhooks/new')).statusCode, 403);
    assert.equal((await member.post('/admin/webhooks', { url: 'https://partner.example.org/h', events: 'post.created' })).statusCode, 403);
    assert.equal((await t.app.inject({ url: '/admin/webhooks' })).statusCode, 303);
    const fac = await new Agent(t.app).signIn((await buildUser(t.db, { role: 'facilitator' })).email);
    assert.equal((await fac.get('/admin/webhooks/new')).statusCode, 200);
    const cases: [Record<string, string | string[]>, RegExp][] = [
      [{ url: 'http://partner.example.org/h', events: 'post.created' }, /Use an HTTPS address/],
      [{ url: 'https://127.0.0.1/h', events: 'post.created' }, /private network/],
      [{ url: 'https://localhost:8443/h', events: 'post.created' }, /private network/],
      [{ url: 'https://[::ffff:10.0.0.1]/h', events: 'post.created' }, /private network/],
      [{ url: 'https://user:pw@partner.example.org/h', events: 'post.created' }, /user names and passwords/],
      [{ url: 'not a url', events: 'post.created' }, /full web address/],
      [{ url: 'https://partner.example.org/h' }, /Choose at least 1 option/],
      [{ url: 'https://partner.example.org/h', events: 'nonsense.event' }, /.+/],
      [{ url: 'https://partner.example.org/h', events: 'post.created', include_private: 'true' }, /Only admins/],
    ];
    for (const [fields, message] of cases) {
      const res = await fac.post('/admin/webhooks', fields);
      assert.equal(res.statusCode, 400, JSON.stringify(fields));
      assert.match(textOf(res.body), message, JSON.stringify(fields));
    }
    assert.equal(Number((await t.db.selectFrom('webhook_endpoints').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n), 0, 'nothing was saved');
    // A double submit registers one endpoint, and only the first answer shows the secret.
    const fields = { url: 'https://93.184.216.34/hooks', events: 'resource.published', _idem: 'webhook-form-key-1' };
    const once = await fac.post('/admin/webhooks', fields);
    const twice = await fac.post('/admin/webhooks', fields);
    assert.equal(once.statusCode, 201);
    assert.match(once.body, /whsec_/);
    assert.doesNotMatch(twice.body, /whsec_/);
    assert.equal(Number((await t.db.selectFrom('webhook_endpoints').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n), 1);
    await t.db.deleteFrom('webhook_endpoints').execute();
    assert.ok(isPublicAddress('93.184.216.34') && !isPublicAddress('169.254.169.254') && !isPublicAddress('fd00::1') && !isPublicAddress('100.64.0.1'));
    assert.equal(await checkUrlAddress('https://partner.example.org/h', false, async () => ['203.0.113.5', '10.1.2.3']), 'private', 'every address a name resolves to must be public');
    assert.equal(await checkUrlAddress('https://partner.example.org/h', false, async () => ['93.184.216.34']), undefined);
  });
});

describe('deliveries', () => {
  test('signed (Standard Webhooks), once per happening, only what the owner may read; private groups only when allowed', async () => {
    const rx = await receiver();
    const admin = await buildUser(t.db, { role: 'admin' });
    const agent = await new Agent(t.app).signIn(admin.email);
    const plain = await register(agent, { url: rx.url, events: ['post.created', 'thread.created'], allow_private_network: 'true' });
    const withPrivate = await register(agent, { url: `${rx.url}?private=1`, events: ['thread.created'], allow_private_network: 'true', include_private: 'true' });
    const lead = await buildUser(t.db, { name: 'Lia Lead' });
    const open = await buildGroup(t.db, { leadId: lead.id });
    const closed = await buildGroup(t.db, { leadId: lead.id, visibility: 'private' });
    const token = await apiToken(t.app, lead.email);
    const started = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${open.slug}/threads`, headers: bearer(token), payload: { title: 'Open thread', body: 'Hello partners.' } });
    const secretThread = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${closed.slug}/threads`, headers: bearer(token), payload: { title: 'Closed thread', body: 'Members only.' } });
    assert.equal(started.statusCode, 201);
    assert.equal(secretThread.statusCode, 201);
    await drain();
    await drain();

    assert.equal(rx.got.length, 4);
    const parsed = rx.got.map((r) => ({ r, body: JSON.parse(r.body) as { type: string; data: { thread: { title: string } } } }));
    // The open thread: thread.created and post.created to the first endpoint, thread.created to the second.
    const openOnes = parsed.filter((p) => p.body.data.thread.title === 'Open thread');
    assert.deepEqual(openOnes.map((p) => p.body.type).sort(), ['post.created', 'thread.created', 'thread.created']);
    // The private group's thread: only to the endpoint an admin allowed to carry it.
    const closedOnes = parsed.filter((p) => p.body.data.thread.title === 'Closed thread');
    assert.equal(closedOnes.length, 1);
    assert.equal(closedOnes[0]!.body.type, 'thread.created');
    for (const p of parsed) {
      assert.match(String(p.r.headers['webhook-id']), /^msg_/);
      const ok = verify(plain.secret, p.r) || verify(withPrivate.secret, p.r);
      assert.ok(ok, 'the signature checks out with the endpoint secret');
      assert.ok(Math.abs(Number(p.r.headers['webhook-timestamp']) - Date.now() / 1000) < 60);
      assert.equal(p.r.headers['content-type'], 'application/json');
    }
    assert.ok(!verify('whsec_' + Buffer.alloc(24).toString('base64'), parsed[0]!.r), 'a different secret does not verify');
    // Logged: delivered with the answer's code.
    const log = await t.db.selectFrom('webhook_deliveries').select(['status', 'response_code', 'attempts']).where('endpoint_id', '=', plain.id).execute();
    assert.ok(log.length === 2 && log.every((l) => l.status === 'delivered' && l.response_code === 204 && l.attempts === 1));
    const page = await agent.get(`/admin/webhooks/${plain.id}`);
    assert.match(textOf(page.body), /delivered/);
    assert.doesNotMatch(page.body, /whsec_/, 'the secret is never shown again');

    // The same happening again is not a second delivery.
    const postId = (await t.db.selectFrom('posts').select('id').where('thread_id', '=', started.json().id).executeTakeFirstOrThrow()).id;
    assert.equal(await fanout({ db: t.db, jobs: t.jobs, mailer: t.mailer, config: t.config }, 'post.created', postId, null), 0);

    // Another facilitator's endpoint is not found by someone else; an admin sees them all.
    const otherFac = await new Agent(t.app).signIn((await buildUser(t.db, { role: 'facilitator' })).email);
    assert.equal((await otherFac.get(`/admin/webhooks/${plain.id}`)).statusCode, 404);
    assert.equal((await otherFac.post(`/admin/webhooks/${plain.id}/delete`)).statusCode, 404);
    assert.ok(!(await otherFac.get('/admin/webhooks')).body.includes(rx.url));
  });

  test('failures are logged and retried until MAX_ATTEMPTS; repeated failures turn the endpoint off and email its owner; a private address is never reached', async () => {
    let code = 500;
    const rx = await receiver(() => code);
    const admin = await buildUser(t.db, { role: 'admin', name: 'Ada Admin' });
    const agent = await new Agent(t.app).signIn(admin.email);
    const ep = await register(agent, { url: rx.url, events: ['resource.published'], allow_private_network: 'true' });
    const token = await apiToken(t.app, admin.email);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/resources', headers: bearer(token), payload: { title: 'Webhook brief', kind: 'brief', external_url: 'https://example.org/b', audiences: ['educator'] } });
    assert.equal(res.statusCode, 201, res.body);
    // The queue's run fails (and pg-boss keeps it for a retry with backoff).
    const run = await t.jobs.drain();
    assert.ok(run.failed >= 1, 'a refused delivery fails its job so the queue retries it');
    const delivery = await t.db.selectFrom('webhook_deliveries').select(['id', 'attempts', 'status', 'response_code']).where('endpoint_id', '=', ep.id).executeTakeFirstOrThrow();
    assert.deepEqual([delivery.attempts, delivery.status, delivery.response_code], [1, 'pending', 500]);
    const deps = { db: t.db, jobs: t.jobs, mailer: t.mailer, config: t.config };
    for (let i = 2; i < MAX_ATTEMPTS; i++) assert.equal(await deliverWebhook(deps, delivery.id), 'retry');
    assert.equal(await deliverWebhook(deps, delivery.id), 'failed');
    assert.equal(await deliverWebhook(deps, delivery.id), 'skipped', 'a failed delivery is not tried again');
    assert.equal(rx.got.length, MAX_ATTEMPTS);
    // One failure short of the limit, then one more: off, and the owner is told.
    await t.db.updateTable('webhook_endpoints').set({ failure_count: DISABLE_AFTER - 1 }).where('id', '=', ep.id).execute();
    await t.db.updateTable('webhook_deliveries').set({ status: 'pending', attempts: 0 }).where('id', '=', delivery.id).execute();
    assert.equal(await deliverWebhook(deps, delivery.id), 'failed');
    const off = await t.db.selectFrom('webhook_endpoints').select(['disabled_at']).where('id', '=', ep.id).executeTakeFirstOrThrow();
    assert.ok(off.disabled_at);
    assert.match(t.mailer.lastTo(admin.email)!.subject, /webhook was turned off/);
    // A success after turning it back on clears the count.
    assert.equal((await agent.post(`/admin/webhooks/${ep.id}/enable`)).statusCode, 303);
    code = 200;
    await t.db.updateTable('webhook_deliveries').set({ status: 'pending', attempts: 0 }).where('id', '=', delivery.id).execute();
    assert.equal(await deliverWebhook(deps, delivery.id), 'delivered');
    assert.equal((await t.db.selectFrom('webhook_endpoints').select('failure_count').where('id', '=', ep.id).executeTakeFirstOrThrow()).failure_count, 0);

    // An endpoint not allowed a private network never connects to one, whatever its name resolves to when sent.
    await t.db.updateTable('webhook_endpoints').set({ allow_private_network: false, url: rx.url.replace('127.0.0.1', 'localhost') }).where('id', '=', ep.id).execute();
    await t.db.updateTable('webhook_deliveries').set({ status: 'pending', attempts: 0 }).where('id', '=', delivery.id).execute();
    const before = rx.got.length;
    assert.equal(await deliverWebhook(deps, delivery.id), 'retry');
    assert.equal(rx.got.length, before, 'nothing reached the private address');
    const logged = await t.db.selectFrom('webhook_deliveries').select(['last_error', 'response_code']).where('id', '=', delivery.id).executeTakeFirstOrThrow();
    // Plain HTTP is refused before connecting; an HTTPS address that resolves to a private one is refused at the lookup.
    assert.deepEqual(logged, { last_error: 'EPROTO', response_code: null });
    const https = await postGuarded(rx.url.replace('http://127.0.0.1', 'https://localhost'), '{}', {}, false);
    assert.deepEqual(https, { error: 'EPRIVATE' });
    assert.equal(rx.got.length, before);
  });
});
