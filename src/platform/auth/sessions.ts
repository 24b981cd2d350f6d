import { sql, type RawBuilder } from 'kysely';
import type { Db, Tx } from '../db/db.js';
import { hashToken, randomToken } from './secrets.js';
import { loadSessionActor, type Actor } from './actor.js';
import type { SessionCache } from './session-cache.js';

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

/**
 * The signed-in person behind a session token (one query, or none when the
 * process keeps them: see session-cache.ts), refreshing the session's expiry
 * now and then. The actor returned is the request's own copy.
 */
export async function resolveSessionActor(db: Db, token: string, unread?: RawBuilder<number>, cache?: SessionCache): Promise<Actor | undefined> {
  const id = hashToken(token);
  let found = cache?.get(id);
  if (!found) {
    const started = cache?.begin() ?? 0;
    found = await loadSessionActor(db, id, unread);
    if (!found) return undefined;
    cache?.put(id, found, started);
  }
  if (found.actor.kind === 'user' && (await touch(db, id, found.actor.id, found.lastSeen))) cache?.forgetSession(id);
  // Requests change their actor (the header's count once read, two-factor just set up): never the kept one.
  return found.actor.kind === 'user' ? { ...found.actor } : found.actor;
}

/** Slides the session's expiry and records activity, at most every few minutes; whether it did. */
async function touch(db: Db, id: string, userId: number, lastSeen: Date): Promise<boolean> {
  if (Date.now() - lastSeen.getTime() <= TOUCH_EVERY_MS) return false;
  await db
    .updateTable('sessions')
    .set({ last_seen_at: new Date(), expires_at: sql<Date>`now() + make_interval(days => ${SESSION_TTL_DAYS})` })
    .where('id', '=', id)
    .execute();
  // Using the site counts as activity for retention, not only signing in.
  await db.updateTable('users').set({ last_seen_at: new Date() }).where('id', '=', userId).execute();
  return true;
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

/** A session's public reference: the start of its stored hash (never the token). */
const REF_LENGTH = 16;

export interface SessionInfo {
  ref: string;
  created_at: Date;
  last_seen_at: Date;
  user_agent: string;
  current: boolean;
}

/** A person's live sessions, newest activity first, marking the one making the request. */
export async function listSessions(db: Db, userId: number, currentToken?: string): Promise<SessionInfo[]> {
  const current = currentToken ? hashToken(currentToken) : '';
  const rows = await db
    .selectFrom('sessions')
    .select(['id', 'created_at', 'last_seen_at', 'user_agent'])
    .where('user_id', '=', userId)
    .where('expires_at', '>', new Date())
    .orderBy('last_seen_at', 'desc')
    .limit(100)
    .execute();
  return rows.map((r) => ({ ref: r.id.slice(0, REF_LENGTH), created_at: r.created_at, last_seen_at: r.last_seen_at, user_agent: r.user_agent, current: r.id === current }));
}

/** Ends one of a person's own sessions by its reference; false when there is none. */
export async function revokeSession(db: Db, userId: number, ref: string): Promise<boolean> {
  if (!/^[0-9a-zA-Z_-]{16}$/.test(ref)) return false;
  const r = await db
    .deleteFrom('sessions')
    .where('user_id', '=', userId)
    .where(sql<string>`left(id, ${REF_LENGTH})`, '=', ref)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** A short, human description of a browser from its user-agent string ("Firefox on Windows"). */
export function describeAgent(ua: string): { browser: string; os: string } {
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /OPR\//.test(ua)
      ? 'Opera'
      : /Firefox\//.test(ua)
        ? 'Firefox'
        : /Chrome\//.test(ua)
          ? 'Chrome'
          : /Safari\//.test(ua)
            ? 'Safari'
            : /curl|python|node|okhttp|Go-http/i.test(ua)
              ? 'script'
              : '';
  const os = /Windows/.test(ua) ? 'Windows' : /Android/.test(ua) ? 'Android' : /iPhone|iPad|iOS/.test(ua) ? 'iOS' : /Mac OS X|Macintosh/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : '';
  return { browser, os };
}
