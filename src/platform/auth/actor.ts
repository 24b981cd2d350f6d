import type { Db } from '../db/db.js';
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
}

export type Actor = AnonymousActor | UserActor;

export const ANONYMOUS: AnonymousActor = Object.freeze({ kind: 'anonymous', id: null });

/** Loads the actor for a user id, or the anonymous actor when the account is gone or deactivated. */
export async function loadActor(db: Db, userId: number, via: UserActor['via']): Promise<Actor> {
  const user = await db
    .selectFrom('users')
    .select(['id', 'name', 'email', 'email_verified_at', 'role', 'is_youth', 'locale', 'time_zone', 'deactivated_at', 'totp_enabled_at'])
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!user || user.deactivated_at) return ANONYMOUS;
  const rows = await db.selectFrom('group_memberships').select(['group_id', 'role', 'status']).where('user_id', '=', userId).execute();
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
    memberships: new Map(rows.map((r) => [r.group_id, { role: r.role, status: r.status }])),
    via,
  };
}

export const isSignedIn = (a: Actor): a is UserActor => a.kind === 'user';
export const isAdmin = (a: Actor) => a.kind === 'user' && a.role === 'admin';
/** Facilitators run the community; admins can do everything facilitators can. */
export const isFacilitator = (a: Actor) => a.kind === 'user' && (a.role === 'facilitator' || a.role === 'admin');
