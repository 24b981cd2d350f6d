import { sql, type RawBuilder } from 'kysely';
import { PREPARED, type Db } from '../db/db.js';
import type { GroupRole, MembershipStatus } from '../db/schema.js';

export interface Membership {
  role: GroupRole;
  status: MembershipStatus;
}

/** A visitor who has not signed in. Checks never branch on "is there a user?". */
export interface AnonymousActor {
  kind: 'anonymous';
  id: null;
}

export interface UserActor {
  kind: 'user';
  id: number;
  name: string;
  email: string;
  emailVerified: boolean;
  role: 'member' | 'facilitator' | 'admin';
  isYouth: boolean;
  locale: string;
  /** The IANA time zone chosen in settings, if any. */
  timeZone: string | null;
  /** group id → this person's membership (active, requested or invited). */
  memberships: Map<number, Membership>;
  /** Two-factor sign-in is on for this account. */
  twoFactor: boolean;
  /** How this request was authenticated. */
  via: 'session' | 'token';
  /**
   * Unread notifications as loaded with the session (the header's count);
   * undefined when not loaded, or once the request has marked some read.
   */
  unreadNotifications?: number;
}

export type Actor = AnonymousActor | UserActor;

export const ANONYMOUS: AnonymousActor = Object.freeze({ kind: 'anonymous', id: null });

type ActorRow = {
  id: number;
  name: string;
  email: string;
  email_verified_at: Date | null;
  role: UserActor['role'];
  is_youth: boolean;
  locale: string;
  time_zone: string | null;
  deactivated_at: Date | null;
  totp_enabled_at: Date | null;
  memberships: [number, Membership['role'], Membership['status']][];
};

function actorOf(user: ActorRow, via: UserActor['via']): Actor {
  if (user.deactivated_at) return ANONYMOUS;
  return {
    kind: 'user',
    id: user.id,
    name: user.name,
    email: user.email,
    emailVerified: user.email_verified_at !== null,
    role: user.role,
    isYouth: user.is_youth,
    locale: user.locale,
    timeZone: user.time_zone,
    twoFactor: user.totp_enabled_at !== null,
    memberships: new Map(user.memberships.map(([groupId, role, status]) => [Number(groupId), { role, status }])),
    via,
  };
}

const ACTOR_COLUMNS = sql`u.id, u.name, u.email, u.email_verified_at, u.role, u.is_youth, u.locale, u.time_zone, u.deactivated_at, u.totp_enabled_at,
  (SELECT coalesce(json_agg(json_build_array(m.group_id, m.role, m.status)), '[]'::json) FROM group_memberships m WHERE m.user_id = u.id) AS memberships`;

/**
 * The actor behind a session token's hash, with its session's last activity,
 * in one round trip (session, account and memberships): this runs on every
 * signed-in request. `unread`, when given, is a subquery over the user row
 * `u` counting their unread notifications (the notifications capability
 * owns that rule; the app passes it in), loaded in the same round trip.
 */
export interface LoadedSession {
  actor: Actor;
  /** The session's last recorded activity (refreshed every few minutes). */
  lastSeen: Date;
}

export async function loadSessionActor(db: Db, sessionId: string, unread?: RawBuilder<number>): Promise<LoadedSession | undefined> {
  const r = await sql<ActorRow & { session_seen: Date; unread: number | null }>`
    SELECT s.last_seen_at AS session_seen, ${ACTOR_COLUMNS}, ${unread ?? sql`NULL::int`} AS unread
      FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE s.id = ${sessionId} AND s.expires_at > now() ${PREPARED}`.execute(db);
  const row = r.rows[0];
  if (!row) return undefined;
  const actor = actorOf(row, 'session');
  if (actor.kind === 'user' && row.unread !== null) actor.unreadNotifications = row.unread;
  return { actor, lastSeen: row.session_seen };
}

/** Loads the actor for a user id, or the anonymous actor when the account is gone or deactivated. */
export async function loadActor(db: Db, userId: number, via: UserActor['via']): Promise<Actor> {
  const r = await sql<ActorRow>`SELECT ${ACTOR_COLUMNS} FROM users u WHERE u.id = ${userId} ${PREPARED}`.execute(db);
  return r.rows[0] ? actorOf(r.rows[0], via) : ANONYMOUS;
}

export const isSignedIn = (a: Actor): a is UserActor => a.kind === 'user';
export const isAdmin = (a: Actor) => a.kind === 'user' && a.role === 'admin';
/** Facilitators run the community; admins can do everything facilitators can. */
export const isFacilitator = (a: Actor) => a.kind === 'user' && (a.role === 'facilitator' || a.role === 'admin');

/** An active lead or co-lead of the group (invited or requested memberships do not count). The one place this is decided. */
export function isActiveLead(a: Actor, groupId: number): boolean {
  if (a.kind !== 'user') return false;
  const m = a.memberships.get(groupId);
  return !!m && m.status === 'active' && (m.role === 'lead' || m.role === 'co_lead');
}

/** The groups the actor actively leads or co-leads. */
export function ledGroupIds(a: Actor): number[] {
  return a.kind === 'user' ? [...a.memberships.keys()].filter((id) => isActiveLead(a, id)) : [];
}
