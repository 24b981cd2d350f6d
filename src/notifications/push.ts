import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import webpush from 'web-push';
import { postGuarded } from '../webhooks/address.js';
import type { Db, Tx } from '../platform/db/db.js';
import type { Config } from '../platform/config.js';
import { QUEUES, type Jobs } from '../platform/jobs/jobs.js';
import { loadActor } from '../platform/auth/actor.js';
import { translator } from '../platform/i18n/i18n.js';
import { mailLocale } from '../platform/mail/templates.js';
import { excerpt } from '../discussions/markdown.js';
import { notificationContent } from './notify.js';

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
  subject: string;
}

const cached = new Map<string, VapidKeys>();

/**
 * The VAPID keys that identify this server to push services: from
 * VAPID_PUBLIC_KEY / VAPID_PRIVATE_KEY, or generated once into the data
 * directory (every process sharing it uses the same keys). VAPID_SUBJECT is a
 * mailto: or https: contact for the push services; BASE_URL by default.
 */
export function vapidKeys(config: Config, env: NodeJS.ProcessEnv = process.env): VapidKeys {
  const subject = env.VAPID_SUBJECT || (config.baseUrl.startsWith('https:') ? config.baseUrl : 'mailto:no-reply@localhost');
  if (env.VAPID_PUBLIC_KEY && env.VAPID_PRIVATE_KEY) return { publicKey: env.VAPID_PUBLIC_KEY, privateKey: env.VAPID_PRIVATE_KEY, subject };
  const file = path.join(config.dataDir, 'vapid.json');
  const known = cached.get(file);
  if (known) return { ...known, subject };
  let keys: { publicKey: string; privateKey: string };
  if (existsSync(file)) keys = JSON.parse(readFileSync(file, 'utf8')) as { publicKey: string; privateKey: string };
  else {
    keys = webpush.generateVAPIDKeys();
    mkdirSync(config.dataDir, { recursive: true });
    try {
      writeFileSync(file, JSON.stringify(keys), { mode: 0o600, flag: 'wx' });
    } catch (err) {
      // Another process sharing the data directory wrote them first: theirs are the keys.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      keys = JSON.parse(readFileSync(file, 'utf8')) as { publicKey: string; privateKey: string };
    }
  }
  const out = { ...keys, subject };
  cached.set(file, out);
  return out;
}

/** Keeps one device's subscription for its person (a device moving to another person is theirs now). */
export async function saveSubscription(db: Db, userId: number, sub: { endpoint: string; keys: { p256dh: string; auth: string } }, label: string): Promise<void> {
  await db
    .insertInto('push_subscriptions')
    .values({ user_id: userId, endpoint: sub.endpoint, p256dh: sub.keys.p256dh, auth: sub.keys.auth, label: label.slice(0, 100), created_at: new Date() })
    .onConflict((oc) => oc.column('endpoint').doUpdateSet({ user_id: userId, p256dh: sub.keys.p256dh, auth: sub.keys.auth, label: label.slice(0, 100) }))
    .execute();
}

export async function removeSubscription(db: Db, userId: number, where: { endpoint?: string; id?: number }): Promise<boolean> {
  let q = db.deleteFrom('push_subscriptions').where('user_id', '=', userId);
  if (where.endpoint) q = q.where('endpoint', '=', where.endpoint);
  else if (where.id) q = q.where('id', '=', where.id);
  else return false;
  return Number((await q.executeTakeFirst()).numDeletedRows) > 0;
}

export const subscriptionsOf = (db: Db, userId: number) => db.selectFrom('push_subscriptions').select(['id', 'label', 'created_at', 'last_sent_at']).where('user_id', '=', userId).orderBy('id').execute();

/** Called with a new notification: queues its push when the person has a device for it. */
export async function queuePush(tx: Tx, jobs: Jobs, notificationId: number, userId: number): Promise<void> {
  const any = await tx.selectFrom('push_subscriptions').select('id').where('user_id', '=', userId).limit(1).executeTakeFirst();
  if (any) await jobs.send(tx, QUEUES.pushNotification, { id: notificationId }, { key: `push:${notificationId}` });
}

/**
 * Job: one notification to each of its person's devices, checked again when
 * sent like its email (read already, lost access, the youth contact rule).
 * The payload is short plain text; its tag is the thread, so a device shows
 * one notification per thread. Devices the push service no longer knows
 * (404, 410) are forgotten.
 */
export async function sendPush(deps: { db: Db; config: Config }, notificationId: number): Promise<{ sent: number; removed: number }> {
  const { db, config } = deps;
  const n = await db.selectFrom('notifications').selectAll().where('id', '=', notificationId).executeTakeFirst();
  if (!n || n.read_at) return { sent: 0, removed: 0 };
  const user = await db.selectFrom('users').select(['id', 'locale', 'deactivated_at']).where('id', '=', n.user_id).executeTakeFirst();
  if (!user || user.deactivated_at) return { sent: 0, removed: 0 };
  const content = await notificationContent(db, await loadActor(db, user.id, 'session'), n);
  if (!content) return { sent: 0, removed: 0 };
  const t = translator(mailLocale(user));
  const payload = JSON.stringify({
    title: content.thread.title.slice(0, 120),
    body: excerpt(
      `${t(`notifications.kind.${n.kind}`, { actor: content.actorName ?? t('notifications.someone') })}${content.post ? `: ${content.post.text}` : ''}`,
      180,
    ),
    url: `${config.baseUrl}/threads/${content.thread.id}${n.post_id ? `#post-${n.post_id}` : ''}`,
    tag: `thread-${content.thread.id}`,
  });
  const keys = vapidKeys(config);
  const subs = await db.selectFrom('push_subscriptions').select(['id', 'endpoint', 'p256dh', 'auth']).where('user_id', '=', user.id).execute();
  let sent = 0;
  let removed = 0;
  let retry = false;
  for (const s of subs) {
    // Encrypted (RFC 8291) and signed (VAPID) by web-push; sent by us, so the connection goes only
    // to a public address (the endpoint came from a browser, that is from anyone).
    const req = webpush.generateRequestDetails({ endpoint: s.endpoint, keys: { p256dh: s.p256dh, auth: s.auth } }, payload, {
      vapidDetails: keys,
      TTL: 24 * 3600,
      urgency: n.kind === 'mention' || n.kind === 'reply' ? 'high' : 'normal',
      topic: `thread-${content.thread.id}`,
    });
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    const r = await postGuarded(req.endpoint, req.body ?? '', headers, !!config.pushAllowPrivate);
    if ('status' in r && r.status >= 200 && r.status < 300) {
      sent++;
      await db.updateTable('push_subscriptions').set({ last_sent_at: new Date() }).where('id', '=', s.id).execute();
    } else if ('status' in r && (r.status === 404 || r.status === 410)) {
      await db.deleteFrom('push_subscriptions').where('id', '=', s.id).execute();
      removed++;
    } else if (!('status' in r) || r.status >= 500 || r.status === 429) retry = true;
  }
  // A push service that is down or busy: the queue tries again later (a device shows one notification per thread tag).
  if (retry && sent === 0) throw new Error('a push service did not answer; trying again later');
  return { sent, removed };
}

export function registerPushJobs(deps: { db: Db; jobs: Jobs; config: Config }): void {
  deps.jobs.handle(QUEUES.pushNotification, async (d) => {
    const id = Number(d.id);
    if (!Number.isSafeInteger(id) || id < 1) throw new Error('job data has no valid id');
    await sendPush(deps, id);
  });
}
