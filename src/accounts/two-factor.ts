import * as OTPAuth from 'otpauth';
import QRCode from 'qrcode';
import { sql } from 'kysely';
import { randomInt } from 'node:crypto';
import type { Db } from '../platform/db/db.js';
import { audit } from '../platform/db/tx.js';
import { hashToken, seal, unseal, verifyPassword } from '../platform/auth/secrets.js';
import { hit, reset } from '../platform/auth/rate-limit.js';
import { AppError, msg } from '../platform/http/errors.js';
import type { UserActor } from '../platform/auth/actor.js';

/**
 * Two-factor sign-in with time-based one-time passwords (RFC 6238: SHA-1,
 * 6 digits, 30 s), as every authenticator app speaks. The seed is stored
 * sealed; each accepted code's time step is remembered so a code works once;
 * ten single-use recovery codes stand in for a lost phone.
 */
const PERIOD = 30;
const RECOVERY_CODES = 10;
/** Wrong codes allowed per account per 15 minutes before sign-in waits. */
export const CODE_ATTEMPTS = { max: 8, windowSeconds: 900 };

const totpFor = (issuer: string, label: string, base32: string) =>
  new OTPAuth.TOTP({ issuer, label, algorithm: 'SHA1', digits: 6, period: PERIOD, secret: OTPAuth.Secret.fromBase32(base32) });

/** The code an authenticator shows now for a base32 seed (tests and the demo's `convene totp` command). */
export const currentCode = (base32: string, at = Date.now()) => totpFor('Convene', 'x', base32).generate({ timestamp: at });

export interface Enrollment {
  secret: string;
  uri: string;
  qrSvg: string;
}

/** Starts (or restarts) set-up: a fresh seed kept aside until a code from it is confirmed. */
export async function beginEnrollment(db: Db, key: string, actor: UserActor, issuer: string): Promise<Enrollment> {
  const secret = new OTPAuth.Secret({ size: 20 }).base32;
  await db.updateTable('users').set({ totp_pending: seal(key, secret) }).where('id', '=', actor.id).execute();
  return enrollmentOf(issuer, actor.email, secret);
}

/** The pending set-up, when there is one (so reloading the page shows the same code). */
export async function pendingEnrollment(db: Db, key: string, actor: UserActor, issuer: string): Promise<Enrollment | undefined> {
  const row = await db.selectFrom('users').select('totp_pending').where('id', '=', actor.id).executeTakeFirst();
  const secret = row?.totp_pending ? unseal(key, row.totp_pending) : undefined;
  return secret ? enrollmentOf(issuer, actor.email, secret) : undefined;
}

async function enrollmentOf(issuer: string, email: string, secret: string): Promise<Enrollment> {
  const uri = totpFor(issuer, email, secret).toString();
  const qrSvg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { secret, uri, qrSvg };
}

/** The time step a code matches (one step of clock drift either way), or undefined. */
function matchStep(base32: string, code: string, now = Date.now()): number | undefined {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return undefined;
  const delta = totpFor('Convene', 'x', base32).validate({ token, timestamp: now, window: 1 });
  return delta === null ? undefined : Math.floor(now / 1000 / PERIOD) + delta;
}

const newRecoveryCode = () => {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const part = () => Array.from({ length: 5 }, () => alphabet[randomInt(alphabet.length)]).join('');
  return `${part()}-${part()}`;
};
const recoveryKey = (code: string) => hashToken(code.trim().toLowerCase().replace(/\s+/g, ''));

/**
 * Confirms set-up with a code from the pending seed: two-factor sign-in is on,
 * and the recovery codes are returned (shown once, stored only as hashes).
 */
export async function confirmEnrollment(db: Db, key: string, actor: UserActor, code: string): Promise<string[]> {
  await hit(db, `totp:acct:${actor.id}`, CODE_ATTEMPTS);
  const row = await db.selectFrom('users').select(['totp_pending']).where('id', '=', actor.id).executeTakeFirst();
  const secret = row?.totp_pending ? unseal(key, row.totp_pending) : undefined;
  if (!secret) throw new AppError('conflict', { fields: { code: msg('two_factor.no_pending') } });
  const step = matchStep(secret, code);
  if (step === undefined) throw new AppError('validation_failed', { fields: { code: msg('two_factor.code_wrong') } });
  const codes = Array.from({ length: RECOVERY_CODES }, newRecoveryCode);
  await db.transaction().execute(async (tx) => {
    await tx
      .updateTable('users')
      .set({ totp_secret: seal(key, secret), totp_pending: null, totp_enabled_at: new Date(), totp_last_step: step, updated_at: new Date() })
      .where('id', '=', actor.id)
      .execute();
    await tx.deleteFrom('totp_recovery_codes').where('user_id', '=', actor.id).execute();
    await tx.insertInto('totp_recovery_codes').values(codes.map((c) => ({ user_id: actor.id, code_hash: recoveryKey(c) }))).execute();
    await audit(tx, actor.id, 'two_factor.enable', { type: 'user', id: actor.id });
  });
  await reset(db, `totp:acct:${actor.id}`);
  return codes;
}

/**
 * Checks a second factor at sign-in: a current code not used before, or an
 * unused recovery code (which is then spent). Wrong answers are rate limited
 * per account. Returns how it was checked.
 */
export async function verifySecondFactor(db: Db, key: string, userId: number, answer: string): Promise<'code' | 'recovery' | undefined> {
  await hit(db, `totp:acct:${userId}`, CODE_ATTEMPTS);
  const row = await db.selectFrom('users').select(['totp_secret', 'totp_enabled_at']).where('id', '=', userId).executeTakeFirst();
  if (!row?.totp_enabled_at || !row.totp_secret) return undefined;
  const secret = unseal(key, row.totp_secret);
  const step = secret ? matchStep(secret, answer) : undefined;
  if (step !== undefined) {
    // Accept only a later step than the last accepted one: a seen code is refused.
    const r = await db.updateTable('users').set({ totp_last_step: step }).where('id', '=', userId).where('totp_last_step', '<', step).executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return undefined;
    await reset(db, `totp:acct:${userId}`);
    return 'code';
  }
  if (/^[a-z0-9]{5}-?[a-z0-9]{5}$/i.test(answer.trim())) {
    const normalized = answer.trim().toLowerCase().replace(/^(.{5})-?(.{5})$/, '$1-$2');
    const spent = await db
      .updateTable('totp_recovery_codes')
      .set({ used_at: new Date() })
      .where('user_id', '=', userId)
      .where('code_hash', '=', recoveryKey(normalized))
      .where('used_at', 'is', null)
      .executeTakeFirst();
    if (Number(spent.numUpdatedRows) > 0) {
      await audit(db, userId, 'two_factor.recovery_code_used', { type: 'user', id: userId });
      await reset(db, `totp:acct:${userId}`);
      return 'recovery';
    }
  }
  return undefined;
}

export interface TwoFactorStatus {
  enabled: boolean;
  enabledAt: Date | null;
  recoveryLeft: number;
}

export async function twoFactorStatus(db: Db, userId: number): Promise<TwoFactorStatus> {
  const [u, left] = await Promise.all([
    db.selectFrom('users').select('totp_enabled_at').where('id', '=', userId).executeTakeFirstOrThrow(),
    db.selectFrom('totp_recovery_codes').select(sql<number>`count(*)::int`.as('n')).where('user_id', '=', userId).where('used_at', 'is', null).executeTakeFirstOrThrow(),
  ]);
  return { enabled: u.totp_enabled_at !== null, enabledAt: u.totp_enabled_at, recoveryLeft: left.n };
}

/** New recovery codes (the old ones stop working); needs a current code. */
export async function regenerateRecoveryCodes(db: Db, key: string, actor: UserActor, code: string): Promise<string[]> {
  if ((await verifySecondFactor(db, key, actor.id, code)) !== 'code') throw new AppError('validation_failed', { fields: { code: msg('two_factor.code_wrong') } });
  const codes = Array.from({ length: RECOVERY_CODES }, newRecoveryCode);
  await db.transaction().execute(async (tx) => {
    await tx.deleteFrom('totp_recovery_codes').where('user_id', '=', actor.id).execute();
    await tx.insertInto('totp_recovery_codes').values(codes.map((c) => ({ user_id: actor.id, code_hash: recoveryKey(c) }))).execute();
    await audit(tx, actor.id, 'two_factor.recovery_codes_regenerated', { type: 'user', id: actor.id });
  });
  return codes;
}

/**
 * Turns two-factor sign-in off (password and a current code needed). Refused
 * for roles that must keep it.
 */
export async function disableTwoFactor(db: Db, key: string, actor: UserActor, required: boolean, password: string, code: string): Promise<void> {
  if (required) throw new AppError('conflict', { fields: { _: msg('two_factor.required_for_role') } });
  const user = await db.selectFrom('users').select('password_hash').where('id', '=', actor.id).executeTakeFirstOrThrow();
  if (user.password_hash && !(await verifyPassword(user.password_hash, password))) throw new AppError('validation_failed', { fields: { password: msg('accounts.password_wrong') } });
  if (!(await verifySecondFactor(db, key, actor.id, code))) throw new AppError('validation_failed', { fields: { disable_code: msg('two_factor.code_wrong') } });
  await db.transaction().execute(async (tx) => {
    await tx.updateTable('users').set({ totp_secret: null, totp_pending: null, totp_enabled_at: null, updated_at: new Date() }).where('id', '=', actor.id).execute();
    await tx.deleteFrom('totp_recovery_codes').where('user_id', '=', actor.id).execute();
    await audit(tx, actor.id, 'two_factor.disable', { type: 'user', id: actor.id });
  });
}

/** Roles that must use two-factor sign-in (CONVENE_2FA_ROLES; admins and facilitators by default). */
export const requiresTwoFactor = (roles: readonly string[], role: string) => roles.includes(role);

/**
 * The demo community's facilitator and admin accounts use this published seed
 * (so the demo can be tried without setting up an app; `convene demo-code`
 * prints the current code). Demo data is never for production.
 */
export const DEMO_TOTP_SECRET = 'CONVENEDEMOTWOFACTORSECRET234567';

/** Turns two-factor sign-in on, with the demo seed, for demo accounts that must have it. */
export async function enrollDemoAccounts(db: Db, key: string, roles: readonly string[]): Promise<number> {
  if (roles.length === 0) return 0;
  const r = await db
    .updateTable('users')
    .set({ totp_secret: seal(key, DEMO_TOTP_SECRET), totp_enabled_at: new Date() })
    .where('email', 'like', '%@demo.convene.test')
    .where('role', 'in', roles as ('member' | 'facilitator' | 'admin')[])
    .where('totp_enabled_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}
