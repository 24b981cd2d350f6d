import { createHmac, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db, Tx } from '../platform/db/db.js';
import type { Config } from '../platform/config.js';
import type { Mailer } from '../platform/mail/mailer.js';
import { QUEUES, type Jobs } from '../platform/jobs/jobs.js';
import { loadActor, type UserActor } from '../platform/auth/actor.js';
import { can } from '../platform/auth/policy.js';
import { seal, unseal } from '../platform/auth/secrets.js';
import { mailTo } from '../platform/mail/templates.js';
import { getThread, threadSubject } from '../discussions/queries.js';
import { canViewEvent, getEvent } from '../events/queries.js';
import { getResourceById } from '../resources/queries.js';
import { postGuarded } from './address.js';

/** What partners' systems can be told about. */
export const WEBHOOK_EVENTS = ['thread.created', 'post.created', 'resource.published', 'event.created', 'event.changed', 'registration.created', 'use_report.filed', 'dissemination.reported'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** After this many failed attempts in a row, an endpoint is turned off and its owner told. */
export const DISABLE_AFTER = 15;
/** Attempts per delivery (the first and pg-boss's retries with backoff). */
export const MAX_ATTEMPTS = 7;

export interface WebhookDeps {
  db: Db;
  jobs: Jobs;
  mailer: Mailer;
  config: Config;
}

/** A new signing secret, in the Standard Webhooks form (whsec_ and 24 random bytes in base64). */
export const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;
export const sealSecret = (config: Config, secret: string) => seal(config.sessionSecret, secret);

/**
 * Standard Webhooks signature: HMAC-SHA256 with the secret's bytes over
 * "<message id>.<unix seconds>.<body>", sent as "v1,<base64>".
 */
export function sign(secret: string, messageId: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${messageId}.${timestamp}.${body}`).digest('base64')}`;
}

/**
 * Written in the transaction of the change itself: a job works out later
 * which endpoints hear about it. `stamp` separates happenings of one thing
 * (each change of a convening is its own message).
 */
export async function queueWebhooks(tx: Tx | Db, jobs: Jobs, event: WebhookEvent, id: number, stamp?: string | number): Promise<void> {
  // Most communities have no endpoint for most events: then there is no job to queue or run.
  const wanted = await tx.selectFrom('webhook_endpoints').select('id').where('disabled_at', 'is', null).where(sql<boolean>`${event} = ANY(events)`).limit(1).executeTakeFirst();
  if (!wanted) return;
  await jobs.send(tx, QUEUES.webhookFanout, { event, id, stamp: stamp === undefined ? null : String(stamp) }, { key: `wh:${event}:${id}:${stamp ?? ''}` });
}

interface Subject {
  /** May this endpoint's owner read it (and, for a private group's content, may the endpoint carry it)? */
  visibleTo(owner: UserActor, endpoint: { include_private: boolean }): boolean;
  data: Record<string, unknown>;
}

/** What an event is about, as the payload partners receive, with the rule for who may receive it. */
async function subjectOf(db: Db, config: Config, event: WebhookEvent, id: number): Promise<Subject | undefined> {
  const base = config.baseUrl;
  if (event === 'post.created' || event === 'thread.created') {
    const post = await db
      .selectFrom('posts as p')
      .leftJoin('users as u', 'u.id', 'p.author_id')
      .select(['p.id', 'p.thread_id', 'p.body', 'p.language', 'p.is_opening', 'p.reply_to_id', 'p.created_at', 'p.deleted_at', 'p.hidden_at', 'u.name as author'])
      .where('p.id', '=', id)
      .executeTakeFirst();
    if (!post || post.deleted_at || post.hidden_at) return undefined;
    const thread = await getThread(db, post.thread_id);
    if (!thread || thread.deleted_at) return undefined;
    return {
      visibleTo: (owner, ep) => can(owner, 'thread.view', threadSubject(thread)) && (thread.group_visibility !== 'private' || ep.include_private),
      data: {
        thread: { id: thread.id, title: thread.title, group: thread.group_slug ?? null, url: `${base}/threads/${thread.id}` },
        post: { id: post.id, author: post.author ?? null, body: post.body, language: post.language, reply_to: post.reply_to_id, created_at: post.created_at.toISOString(), url: `${base}/threads/${thread.id}#post-${post.id}` },
      },
    };
  }
  if (event === 'resource.published' || event === 'use_report.filed' || event === 'dissemination.reported') {
    const extra =
      event === 'use_report.filed'
        ? await db.selectFrom('use_reports').select(['id', 'resource_id', 'perspective', 'setting', 'quality', 'relevance', 'usefulness', 'created_at']).where('id', '=', id).executeTakeFirst()
        : event === 'dissemination.reported'
          ? await db
              .selectFrom('dissemination_reports as d')
              .leftJoin('organizations as o', 'o.id', 'd.organization_id')
              .leftJoin('state_initiatives as s', 's.id', 'd.state_initiative_id')
              .select(['d.id', 'd.resource_id', 'd.channel', 'd.recipients', 'd.sent_on', 'd.created_at', sql<string | null>`coalesce(o.name, s.name)`.as('partner')])
              .where('d.id', '=', id)
              .executeTakeFirst()
          : undefined;
    if (event !== 'resource.published' && !extra) return undefined;
    // A use report about a convening rather than a resource is not a library event.
    const resourceId = extra ? extra.resource_id : id;
    if (resourceId === null) return undefined;
    const resource = await getResourceById(db, resourceId);
    if (!resource || resource.deleted_at) return undefined;
    const groupPrivate = resource.group_id !== null && (await db.selectFrom('practice_groups').select('visibility').where('id', '=', resource.group_id).executeTakeFirst())?.visibility === 'private';
    const { resource_id: _r, created_at, ...rest } = (extra ?? {}) as Record<string, unknown> & { resource_id?: number; created_at?: Date };
    return {
      visibleTo: (owner, ep) => can(owner, 'resource.view', resource) && (!groupPrivate || ep.include_private),
      data: {
        resource: { id: resource.id, slug: resource.slug, title: resource.title, summary: resource.summary, url: `${base}/resources/${resource.slug}` },
        ...(event === 'use_report.filed' ? { use_report: { ...rest, created_at: created_at?.toISOString() } } : {}),
        ...(event === 'dissemination.reported' ? { dissemination: { ...rest, created_at: created_at?.toISOString() } } : {}),
      },
    };
  }
  // Convenings, and registrations for them (counts only: never who registered).
  const e = await getEvent(db, id);
  if (!e) return undefined;
  return {
    visibleTo: (owner, ep) => canViewEvent(owner, e) && (e.group_visibility !== 'private' || ep.include_private),
    data: {
      event: {
        id: e.id,
        title: e.title,
        kind: e.kind,
        status: e.status,
        starts_at: e.starts_at.toISOString(),
        ends_at: e.ends_at.toISOString(),
        time_zone: e.time_zone,
        location: e.location,
        scope: e.group_slug ? `group:${e.group_slug}` : e.state_code ? `state:${e.state_code.trim()}` : 'community',
        url: `${base}/events/${e.id}`,
      },
      ...(event === 'registration.created' ? { registrations: { going: e.going_count, waitlist: e.waitlist_count, capacity: e.capacity } } : {}),
    },
  };
}

/** Job: the endpoints that want this event and whose owners may read it each get one delivery. */
export async function fanout(deps: WebhookDeps, event: WebhookEvent, id: number, stamp: string | null): Promise<number> {
  const { db, jobs, config } = deps;
  const endpoints = await db.selectFrom('webhook_endpoints').select(['id', 'owner_id', 'include_private']).where('disabled_at', 'is', null).where(sql<boolean>`${event} = ANY(events)`).execute();
  if (endpoints.length === 0) return 0;
  const subject = await subjectOf(db, config, event, id);
  if (!subject) return 0;
  let queued = 0;
  for (const ep of endpoints) {
    // The owner as they are now: someone who lost access hears nothing more.
    const owner = await loadActor(db, ep.owner_id, 'session');
    if (owner.kind !== 'user' || !subject.visibleTo(owner, ep)) continue;
    const messageId = `msg_${event.replace('.', '_')}_${id}${stamp ? `_${stamp}` : ''}`;
    const row = await db
      .insertInto('webhook_deliveries')
      .values({ endpoint_id: ep.id, event, message_id: messageId, payload: JSON.stringify(subject.data), created_at: new Date() })
      .onConflict((oc) => oc.columns(['endpoint_id', 'message_id']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!row) continue;
    await jobs.send(db, QUEUES.webhookDeliver, { deliveryId: row.id }, { key: `whd:${row.id}` });
    queued++;
  }
  return queued;
}

export class RetryLater extends Error {}

/**
 * Job: one delivery, signed. Logged with the answer's status code. A 2xx
 * ends it; anything else throws so the queue retries with backoff, until
 * MAX_ATTEMPTS; after DISABLE_AFTER failures in a row the endpoint is turned
 * off and its owner emailed. Safe to run twice.
 */
export async function deliverWebhook(deps: WebhookDeps, deliveryId: number): Promise<'delivered' | 'failed' | 'retry' | 'skipped'> {
  const { db, config } = deps;
  const d = await db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_endpoints as e', 'e.id', 'd.endpoint_id')
    .select(['d.id', 'd.event', 'd.message_id', 'd.payload', 'd.status', 'd.attempts', 'd.created_at', 'e.id as endpoint_id', 'e.url', 'e.secret_sealed', 'e.allow_private_network', 'e.disabled_at', 'e.owner_id'])
    .where('d.id', '=', deliveryId)
    .executeTakeFirst();
  if (!d || d.status !== 'pending' || d.disabled_at) return 'skipped';
  const secret = unseal(config.sessionSecret, d.secret_sealed);
  if (!secret) return 'skipped';
  const body = JSON.stringify({ type: d.event, timestamp: d.created_at.toISOString(), data: d.payload });
  const timestamp = Math.floor(Date.now() / 1000);
  const result = await postGuarded(d.url, body, { 'content-type': 'application/json', 'user-agent': 'Convene-Webhooks/1', 'webhook-id': d.message_id, 'webhook-timestamp': String(timestamp), 'webhook-signature': sign(secret, d.message_id, timestamp, body) }, d.allow_private_network);
  const ok = 'status' in result && result.status >= 200 && result.status < 300;
  const attempts = d.attempts + 1;
  return db.transaction().execute(async (tx) => {
    await tx
      .updateTable('webhook_deliveries')
      .set({
        attempts,
        last_attempt_at: new Date(),
        response_code: 'status' in result ? result.status : null,
        last_error: 'error' in result ? result.error.slice(0, 100) : null,
        status: ok ? 'delivered' : attempts >= MAX_ATTEMPTS ? 'failed' : 'pending',
      })
      .where('id', '=', d.id)
      .execute();
    if (ok) {
      await tx.updateTable('webhook_endpoints').set({ failure_count: 0 }).where('id', '=', d.endpoint_id).execute();
      return 'delivered';
    }
    const ep = await tx.updateTable('webhook_endpoints').set({ failure_count: sql`failure_count + 1` }).where('id', '=', d.endpoint_id).returning(['failure_count', 'disabled_at']).executeTakeFirstOrThrow();
    if (ep.failure_count >= DISABLE_AFTER && !ep.disabled_at) {
      await tx.updateTable('webhook_endpoints').set({ disabled_at: new Date(), updated_at: new Date() }).where('id', '=', d.endpoint_id).execute();
      await tx.updateTable('webhook_deliveries').set({ status: 'failed' }).where('endpoint_id', '=', d.endpoint_id).where('status', '=', 'pending').execute();
      const owner = await tx.selectFrom('users').select(['email', 'name', 'locale']).where('id', '=', d.owner_id).executeTakeFirst();
      if (owner)
        await deps.mailer.send(
          mailTo(owner, (t) => ({
            subject: t('webhooks.mail.disabled_subject'),
            paragraphs: [t('webhooks.mail.disabled_body', { url: d.url, count: DISABLE_AFTER })],
            action: { label: t('webhooks.mail.open'), url: `${config.baseUrl}/admin/webhooks/${d.endpoint_id}` },
          })),
        );
      return 'failed';
    }
    return attempts >= MAX_ATTEMPTS ? 'failed' : 'retry';
  });
}

/** Registers the webhook jobs' handlers. */
export function registerWebhookJobs(deps: WebhookDeps): void {
  deps.jobs.handle(QUEUES.webhookFanout, async (d) => {
    const id = Number(d.id);
    const event = String(d.event) as WebhookEvent;
    if (!Number.isSafeInteger(id) || !WEBHOOK_EVENTS.includes(event)) throw new Error('job data has no valid event or id');
    await fanout(deps, event, id, typeof d.stamp === 'string' ? d.stamp : null);
  });
  deps.jobs.handle(QUEUES.webhookDeliver, async (d) => {
    const id = Number(d.deliveryId);
    if (!Number.isSafeInteger(id)) throw new Error('job data has no valid deliveryId');
    // A failed attempt is retried by the queue, with backoff.
    if ((await deliverWebhook(deps, id)) === 'retry') throw new RetryLater('the endpoint did not accept the delivery; it will be tried again');
  });
}
