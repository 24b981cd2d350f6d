import { sql } from 'kysely';
import type { Db, Tx } from '../db/db.js';
import { hashToken, randomToken } from './secrets.js';

/** Sessions last 30 days from the last request (sliding), stored server-side in PostgreSQL. */
export const SESSION_TTL_DAYS = 30;
/** last_seen_at is refreshed at most this often, to keep reads cheap. */
const TOUCH_EVERY_MS = 5 * 60_000;

export function sessionCookieName(secure: boolean) {
  return secure ? '__Host-convene_sid' : 'convene_sid';
}

/** Creates a session and returns the token for the cookie (only its hash is stored). */
export async function createSession(db: Db | Tx, userId: number, userAgent = ''): Promise<string> {
  const token = randomToken();
  await db
    .insertInto('sessions')
    .values({
      id: hashToken(token),
      user_id: userId,
      user_agent: userAgent.slice(0, 300),
      expires_at: sql<Date>`now() + make_interval(days => ${SESSION_TTL_DAYS})`,
    })
    .execute();
  return token;
}

/** The user id of a live session, refreshing its expiry now and then. */
export async function resolveSession(db: Db, token: string): Promise<number | undefined> {
  const id = hashToken(token);
  const row = await db.selectFrom('sessions').select(['user_id', 'last_seen_at']).where('id', '=', id).where('expires_at', '>', new Date()).executeTakeFirst();
  if (!row) return undefined;
  if (Date.now() - row.last_seen_at.getTime() > TOUCH_EVERY_MS) {
    await db
      .updateTable('sessions')
      .set({ last_seen_at: new Date(), expires_at: sql<Date>`now() + make_interval(days => ${SESSION_TTL_DAYS})` })
      .where('id', '=', id)
      .execute();
  }
  return row.user_id;
}

export async function destroySession(db: Db | Tx, token: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', hashToken(token)).execute();
}

/** Ends every session of a user, except (optionally) the one making the request. */
export async function destroyUserSessions(db: Db | Tx, userId: number, exceptToken?: string): Promise<void> {
  let q = db.deleteFrom('sessions').where('user_id', '=', userId);
  if (exceptToken) q = q.where('id', '!=', hashToken(exceptToken));
  await q.execute();
}
