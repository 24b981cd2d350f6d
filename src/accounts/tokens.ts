import { PREPARED, type Db } from '../platform/db/db.js';
import { hashToken, randomToken } from '../platform/auth/secrets.js';

const PREFIX = 'cvn_';

/** Creates a personal API token; the plain token is returned once and never stored. */
export async function createApiToken(db: Db, userId: number, name: string, origin: 'web' | 'cli' = 'web'): Promise<{ id: number; token: string }> {
  const token = PREFIX + randomToken(30);
  const row = await db
    .insertInto('api_tokens')
    .values({ user_id: userId, name: name.slice(0, 100), token_hash: hashToken(token), prefix: token.slice(0, 10), origin })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, token };
}

/** The user behind a live API token and where the token was made, noting when it was last used (at most once a minute). */
export async function resolveApiToken(db: Db, token: string): Promise<{ userId: number; origin: 'web' | 'cli' } | undefined> {
  if (!token.startsWith(PREFIX) || token.length > 100) return undefined;
  const row = await db
    .selectFrom('api_tokens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .select(['t.id', 't.user_id', 't.last_used_at', 't.origin'])
    .where('t.token_hash', '=', hashToken(token))
    .where('t.revoked_at', 'is', null)
    .where('u.deactivated_at', 'is', null)
    .modifyEnd(PREPARED)
    .executeTakeFirst();
  if (!row) return undefined;
  if (!row.last_used_at || Date.now() - row.last_used_at.getTime() > 60_000) {
    await db.updateTable('api_tokens').set({ last_used_at: new Date() }).where('id', '=', row.id).execute();
    await db.updateTable('users').set({ last_seen_at: new Date() }).where('id', '=', row.user_id).execute();
  }
  return { userId: row.user_id, origin: row.origin };
}

export async function listApiTokens(db: Db, userId: number) {
  return db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'prefix', 'created_at', 'last_used_at'])
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .orderBy('created_at', 'desc')
    .execute();
}

/** Revokes one of the user's own tokens; false when there is no such live token. */
export async function revokeApiToken(db: Db, userId: number, tokenId: number): Promise<boolean> {
  const r = await db
    .updateTable('api_tokens')
    .set({ revoked_at: new Date() })
    .where('id', '=', tokenId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
