import { Type, type Static } from '@sinclair/typebox';
import type { Db } from '../platform/db/db.js';
import type { Config } from '../platform/config.js';
import type { UserActor } from '../platform/auth/actor.js';
import { authorize, can } from '../platform/auth/policy.js';
import { AppError, msg } from '../platform/http/errors.js';
import { OptionalLine } from '../platform/http/schema-helpers.js';
import { audit, once } from '../platform/db/tx.js';
import { unseal } from '../platform/auth/secrets.js';
import { checkUrlAddress } from './address.js';
import { WEBHOOK_EVENTS, newSecret, sealSecret } from './deliver.js';

export const EndpointInput = Type.Object({
  url: Type.String({ minLength: 8, maxLength: 2000, 'x-message': 'webhooks.url_invalid' }),
  description: OptionalLine(200),
  events: Type.Array(Type.Union(WEBHOOK_EVENTS.map((e) => Type.Literal(e))), { minItems: 1, maxItems: WEBHOOK_EVENTS.length, uniqueItems: true }),
  include_private: Type.Optional(Type.Boolean()),
  allow_private_network: Type.Optional(Type.Boolean()),
});
export type EndpointInput = Static<typeof EndpointInput>;

/**
 * Registers an endpoint; returns its signing secret, to be shown this once. A
 * double submit (the same idempotency key) registers one endpoint, and its
 * repeat gets no secret: the secret is never stored where it could be read back.
 */
export async function createEndpoint(db: Db, config: Config, actor: UserActor, input: EndpointInput, idempotencyKey?: string): Promise<{ id: number; secret?: string }> {
  authorize(actor, 'webhook.create', undefined);
  const privileged = !!input.include_private || !!input.allow_private_network;
  if (privileged && !can(actor, 'webhook.allow_private', undefined)) throw new AppError('validation_failed', { fields: { include_private: msg('webhooks.admin_only') } });
  const problem = await checkUrlAddress(input.url.trim(), !!input.allow_private_network);
  if (problem) throw new AppError('validation_failed', { fields: { url: msg(`webhooks.url_${problem}`) } });
  const secret = newSecret();
  const made = await once(db, actor.id, idempotencyKey, async (tx) => {
    const row = await tx
      .insertInto('webhook_endpoints')
      .values({
        owner_id: actor.id,
        url: input.url.trim(),
        description: input.description?.trim() ?? '',
        events: [...input.events],
        secret_sealed: sealSecret(config, secret),
        include_private: !!input.include_private,
        allow_private_network: !!input.allow_private_network,
        created_at: new Date(),
        updated_at: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(tx, actor.id, 'webhook.create', { type: 'webhook', id: row.id }, { events: input.events, include_private: !!input.include_private, allow_private_network: !!input.allow_private_network });
    return { id: row.id };
  });
  const stored = await db.selectFrom('webhook_endpoints').select('secret_sealed').where('id', '=', made.id).executeTakeFirst();
  return stored && unseal(config.sessionSecret, stored.secret_sealed) === secret ? { id: made.id, secret } : { id: made.id };
}

export async function getEndpoint(db: Db, actor: UserActor, id: number) {
  const e = await db.selectFrom('webhook_endpoints').select(['id', 'owner_id', 'url', 'description', 'events', 'include_private', 'allow_private_network', 'failure_count', 'disabled_at', 'created_at']).where('id', '=', id).executeTakeFirst();
  if (!e) throw new AppError('not_found');
  authorize(actor, 'webhook.manage', e);
  return e;
}

/** The endpoints the person manages (every one for admins: the SQL twin of webhook.manage). */
export async function listEndpoints(db: Db, actor: UserActor) {
  let q = db
    .selectFrom('webhook_endpoints as e')
    .innerJoin('users as u', 'u.id', 'e.owner_id')
    .select(['e.id', 'e.url', 'e.description', 'e.events', 'e.disabled_at', 'e.failure_count', 'u.name as owner'])
    .orderBy('e.id', 'desc');
  if (!can(actor, 'webhook.allow_private', undefined)) q = q.where('e.owner_id', '=', actor.id);
  return q.execute();
}

export async function recentDeliveries(db: Db, endpointId: number) {
  return db
    .selectFrom('webhook_deliveries')
    .select(['id', 'event', 'message_id', 'status', 'attempts', 'response_code', 'last_error', 'created_at', 'last_attempt_at'])
    .where('endpoint_id', '=', endpointId)
    .orderBy('id', 'desc')
    .limit(50)
    .execute();
}

export async function deleteEndpoint(db: Db, actor: UserActor, id: number): Promise<void> {
  const e = await getEndpoint(db, actor, id);
  await db.transaction().execute(async (tx) => {
    await tx.deleteFrom('webhook_endpoints').where('id', '=', e.id).execute();
    await audit(tx, actor.id, 'webhook.delete', { type: 'webhook', id: e.id }, {});
  });
}

/** Turns a disabled endpoint back on, its failure count cleared. */
export async function enableEndpoint(db: Db, actor: UserActor, id: number): Promise<void> {
  const e = await getEndpoint(db, actor, id);
  await db.updateTable('webhook_endpoints').set({ disabled_at: null, failure_count: 0, updated_at: new Date() }).where('id', '=', e.id).execute();
}
