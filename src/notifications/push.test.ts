import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { createRequire } from 'node:module';
import { apiToken, bearer, buildGroup, buildTestApp, buildUser, onCleanup, type TestContext } from '../../test/helpers.js';
import { vapidKeys } from './push.js';
import { postPublished } from './notify.js';

/**
 * Web push against a local push service that decrypts what it receives
 * (web-push-testing), so the test reads the very payload a device would.
 */
const require = createRequire(import.meta.url);
let t: TestContext;
let pushUrl: string;

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

before(async () => {
  t = await buildTestApp({ pushAllowPrivate: true });
  const Server = require('web-push-testing/src/server.js') as new (model: unknown, port: number) => { startServer(): void; _server: { close(cb: () => void): void } };
  const { PushApiModel } = require('web-push-testing/src/PushApiModel.js') as { PushApiModel: new () => unknown };
  const port = await freePort();
  const server = new Server(new PushApiModel(), port);
  const log = console.log;
  console.log = () => {};
  try {
    server.startServer();
  } finally {
    console.log = log;
  }
  onCleanup(() => new Promise<void>((r) => server._server.close(() => r())));
  pushUrl = `http://localhost:${port}`;
  for (let i = 0; i < 50; i++) {
    try {
      if ((await fetch(`${pushUrl}/status`, { method: 'POST' })).ok) break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
});

const call = async (path: string, body: unknown) => {
  const res = await fetch(`${pushUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json().catch(() => ({}))) as Record<string, any> };
};
async function drain() {
  const r = await t.jobs.drain();
  assert.equal(r.failed, 0, r.errors.map((e) => e.stack).join('\n'));
}

describe('push notifications', () => {
  test('a device turned on gets each notification as a short encrypted message, tagged by thread; one the push service forgot is removed', async () => {
    const ana = await buildUser(t.db, { name: 'Ana Poster' });
    const ben = await buildUser(t.db, { name: 'Ben Phone' });
    const g = await buildGroup(t.db, { leadId: ana.id, memberIds: [ben.id] });
    const benToken = await apiToken(t.app, ben.email);
    const anaToken = await apiToken(t.app, ana.email);
    const key = (await t.app.inject({ url: '/api/v1/push/key' })).json().public_key as string;
    assert.equal(key, vapidKeys(t.config).publicKey);
    // The browser's part: subscribe with the server's key at the push service.
    const sub = (await call('/subscribe', { userVisibleOnly: 'true', applicationServerKey: key })).json.data as { endpoint: string; keys: { p256dh: string; auth: string }; clientHash: string };
    assert.ok(sub.endpoint.startsWith(pushUrl));
    const saved = await t.app.inject({ method: 'PUT', url: '/api/v1/me/push-subscriptions', headers: { ...bearer(benToken), 'user-agent': 'Mozilla/5.0 (Linux; Android 14)' }, payload: { endpoint: sub.endpoint, keys: sub.keys } });
    assert.equal(saved.statusCode, 204, saved.body);
    const row = await t.db.selectFrom('push_subscriptions').select(['user_id', 'label']).where('endpoint', '=', sub.endpoint).executeTakeFirstOrThrow();
    assert.deepEqual(row, { user_id: ben.id, label: 'Android' });
    // Bad input: not a subscription.
    assert.equal((await t.app.inject({ method: 'PUT', url: '/api/v1/me/push-subscriptions', headers: bearer(benToken), payload: { endpoint: sub.endpoint } })).statusCode, 400);
    assert.equal((await t.app.inject({ method: 'PUT', url: '/api/v1/me/push-subscriptions', payload: { endpoint: sub.endpoint, keys: sub.keys } })).statusCode, 401);

    const started = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${g.slug}/threads`, headers: bearer(benToken), payload: { title: 'Calm corners', body: 'What works?' } });
    const threadId = started.json().id as number;
    const opening = await t.db.selectFrom('posts').select('id').where('thread_id', '=', threadId).executeTakeFirstOrThrow();
    await drain();
    const reply = await t.app.inject({ method: 'POST', url: `/api/v1/threads/${threadId}/posts`, headers: bearer(anaToken), payload: { body: 'A beanbag and a timer have worked well for us.', reply_to: opening.id } });
    assert.equal(reply.statusCode, 201);
    await drain();
    const got = (await call('/get-notifications', { clientHash: sub.clientHash })).json.data.messages as string[];
    assert.equal(got.length, 1);
    const msg = JSON.parse(got[0]!) as { title: string; body: string; url: string; tag: string };
    assert.equal(msg.title, 'Calm corners');
    assert.match(msg.body, /Ana Poster/);
    assert.match(msg.body, /beanbag/);
    assert.ok(msg.body.length <= 180);
    assert.equal(msg.tag, `thread-${threadId}`);
    assert.equal(msg.url, `${t.config.baseUrl}/threads/${threadId}#post-${reply.json().id}`);
    const sent = await t.db.selectFrom('push_subscriptions').select('last_sent_at').where('endpoint', '=', sub.endpoint).executeTakeFirstOrThrow();
    assert.ok(sent.last_sent_at);

    // A notification read before it is sent is not pushed.
    const second = await t.app.inject({ method: 'POST', url: `/api/v1/threads/${threadId}/posts`, headers: bearer(anaToken), payload: { body: 'Also: noise-cancelling headphones.', reply_to: opening.id } });
    assert.equal(second.statusCode, 201);
    // The notification is made (and its push queued), then read before the push job runs.
    await postPublished({ db: t.db, jobs: t.jobs, mailer: t.mailer, config: t.config }, second.json().id);
    await t.db.updateTable('notifications').set({ read_at: new Date() }).where('user_id', '=', ben.id).execute();
    await drain();
    assert.equal((await call('/get-notifications', { clientHash: sub.clientHash })).json.data.messages.length, 1);

    // The push service forgets the device (410): it is removed on the next send.
    assert.equal((await call(`/expire-subscription/${sub.clientHash}`, {})).status, 200);
    await t.app.inject({ method: 'POST', url: `/api/v1/threads/${threadId}/posts`, headers: bearer(anaToken), payload: { body: 'One more idea.', reply_to: opening.id } });
    await drain();
    assert.equal(await t.db.selectFrom('push_subscriptions').select('id').where('endpoint', '=', sub.endpoint).executeTakeFirst(), undefined);
  });

  test('a device can be turned off; another person cannot; an endpoint on a private network is refused where that is not allowed', async () => {
    const ben = await buildUser(t.db);
    const token = await apiToken(t.app, ben.email);
    const sub = (await call('/subscribe', { userVisibleOnly: 'true', applicationServerKey: vapidKeys(t.config).publicKey })).json.data as { endpoint: string; keys: { p256dh: string; auth: string } };
    assert.equal((await t.app.inject({ method: 'PUT', url: '/api/v1/me/push-subscriptions', headers: bearer(token), payload: { endpoint: sub.endpoint, keys: sub.keys } })).statusCode, 204);
    const other = await apiToken(t.app, (await buildUser(t.db)).email);
    assert.equal((await t.app.inject({ method: 'DELETE', url: '/api/v1/me/push-subscriptions', headers: bearer(other), payload: { endpoint: sub.endpoint } })).statusCode, 404);
    assert.equal((await t.app.inject({ method: 'DELETE', url: '/api/v1/me/push-subscriptions', headers: bearer(token), payload: { endpoint: sub.endpoint } })).statusCode, 204);
    assert.equal(await t.db.selectFrom('push_subscriptions').select('id').where('endpoint', '=', sub.endpoint).executeTakeFirst(), undefined);

    const strict = await buildTestApp();
    const u = await buildUser(strict.db);
    const tk = await apiToken(strict.app, u.email);
    for (const endpoint of [sub.endpoint, 'https://127.0.0.1/push/abc', 'https://169.254.169.254/latest', 'http://push.example.org/x']) {
      const res = await strict.app.inject({ method: 'PUT', url: '/api/v1/me/push-subscriptions', headers: bearer(tk), payload: { endpoint, keys: sub.keys } });
      assert.equal(res.statusCode, 400, endpoint);
      assert.ok(res.json().error.fields.endpoint, endpoint);
    }
  });
});
