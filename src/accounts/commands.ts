import { Type, type Static } from '@sinclair/typebox';
import { sql } from 'kysely';
import type { Db, Tx } from '../platform/db/db.js';
import type { Actor } from '../platform/auth/actor.js';
import type { Mailer } from '../platform/mail/mailer.js';
import { mailTo } from '../platform/mail/templates.js';
import { AppError, msg } from '../platform/http/errors.js';
import { Enum, EnumList, Line, OptionalText, clean } from '../platform/http/schema-helpers.js';
import { hashPassword, hashToken, keyedHash, randomToken, verifyPassword } from '../platform/auth/secrets.js';
import { createSession, destroyUserSessions } from '../platform/auth/sessions.js';
import { hit, hitAll, reset } from '../platform/auth/rate-limit.js';
import { isLocale } from '../platform/i18n/i18n.js';
import { DEFAULT_VISIBILITY, FIELD_VISIBILITIES, PERSPECTIVES, PROFILE_FIELDS, STATE_CODES, ageBand } from '../community/vocab.js';
import { audit, isUniqueViolation } from '../platform/db/tx.js';

/** What a command needs from its surroundings to send mail with working links. */
export interface MailContext {
  mailer: Mailer;
  baseUrl: string;
  secret: string;
}

const Email = () => Type.String({ minLength: 3, maxLength: 254, format: 'email' });
const Password = () => Type.String({ minLength: 10, maxLength: 256 });
const thisYear = () => new Date().getUTCFullYear();

export const SignupInput = Type.Object({
  name: Line(120),
  email: Email(),
  password: Password(),
  birth_year: Type.Integer({ minimum: 1900, maximum: 2100 }),
  perspectives: Type.Optional(EnumList(PERSPECTIVES)),
  state_code: Type.Optional(Type.Union([Enum(STATE_CODES), Type.Literal('')], { 'x-message': 'validation.choose' })),
});
export type SignupInput = Static<typeof SignupInput>;

export const LoginInput = Type.Object({ email: Type.String({ minLength: 1, maxLength: 254 }), password: Type.String({ minLength: 1, maxLength: 256 }) });

export const ProfileInput = Type.Object({
  name: Line(120),
  /** What others type after @ to mention this person. */
  handle: Type.Optional(Type.String({ minLength: 2, maxLength: 30, pattern: '^[A-Za-z0-9][A-Za-z0-9_]{1,29}$', 'x-message': 'accounts.handle_format' })),
  pronouns: OptionalText(40),
  bio: OptionalText(2000),
  state_code: Type.Optional(Type.Union([Enum(STATE_CODES), Type.Literal('')], { 'x-message': 'validation.choose' })),
  perspectives: Type.Optional(EnumList(PERSPECTIVES)),
  /** Comma-separated in the form; an array in the API. */
  expertise: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Array(Type.String({ maxLength: 60 }), { maxItems: 20 })])),
  organizations: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 20, uniqueItems: true })),
  locale: Type.Optional(Enum(['en', 'es'] as const)),
  ...Object.fromEntries(PROFILE_FIELDS.map((f) => [`visibility_${f}`, Type.Optional(Enum(FIELD_VISIBILITIES))])),
});
export type ProfileInput = Static<typeof ProfileInput> & Record<string, unknown>;

export const ChangePasswordInput = Type.Object({ current_password: Type.String({ minLength: 1, maxLength: 256 }), new_password: Password() });
export const ChangeEmailInput = Type.Object({ password: Type.String({ minLength: 1, maxLength: 256 }), new_email: Email() });
export const ForgotInput = Type.Object({ email: Email() });
export const ResetInput = Type.Object({ token: Type.String({ minLength: 10, maxLength: 200 }), password: Password() });

/** Wrong guesses from one address at one account. */
const LOGIN_PER_ACCOUNT_AND_ADDRESS = { max: 10, windowSeconds: 15 * 60 };
/** Guesses at one account from everywhere (a spread-out attack); past it, the owner gets a sign-in link. */
const LOGIN_PER_ACCOUNT = { max: 100, windowSeconds: 15 * 60 };
const LOGIN_PER_ADDRESS = { max: 50, windowSeconds: 15 * 60 };
const SIGNUP_PER_ADDRESS = { max: 10, windowSeconds: 60 * 60 };
const RESET_PER_ADDRESS = { max: 10, windowSeconds: 60 * 60 };
const RESET_PER_ACCOUNT = { max: 3, windowSeconds: 60 * 60 };

const emailKey = (email: string) => email.trim().toLowerCase();

function checkPasswordStrength(password: string, email: string, name: string, field = 'password'): void {
  const lower = password.toLowerCase();
  const local = emailKey(email).split('@')[0] ?? '';
  if (new Set(password).size < 4 || (local.length >= 4 && lower.includes(local)) || (name.length >= 4 && lower.includes(name.toLowerCase()))) {
    throw new AppError('validation_failed', { fields: { [field]: msg('accounts.password_weak') } });
  }
}

async function issueEmailToken(tx: Tx | Db, userId: number, purpose: 'verify' | 'reset' | 'change_email' | 'sign_in', hours: number, newEmail?: string) {
  const token = randomToken();
  // A new link replaces any earlier unused one for the same purpose.
  await tx.updateTable('email_tokens').set({ used_at: new Date() }).where('user_id', '=', userId).where('purpose', '=', purpose).where('used_at', 'is', null).execute();
  await tx
    .insertInto('email_tokens')
    .values({ user_id: userId, purpose, token_hash: hashToken(token), new_email: newEmail ?? null, expires_at: sql<Date>`now() + make_interval(hours => ${hours})` })
    .execute();
  return token;
}

/** Consumes a one-time email link; undefined when it is unknown, used or expired. */
async function consumeEmailToken(tx: Tx, token: string, purpose: 'verify' | 'reset' | 'change_email' | 'sign_in') {
  return tx
    .updateTable('email_tokens')
    .set({ used_at: new Date() })
    .where('token_hash', '=', hashToken(token))
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', new Date())
    .returning(['user_id', 'new_email'])
    .executeTakeFirst();
}

async function sendVerification(mail: MailContext, user: { email: string; name: string; locale: string }, token: string) {
  await mail.mailer.send(
    mailTo(user, (t) => ({
      subject: t('mail.verify.subject'),
      paragraphs: [t('mail.verify.body'), t('mail.verify.ignore')],
      action: { label: t('mail.verify.action'), url: `${mail.baseUrl}/verify?token=${encodeURIComponent(token)}` },
    })),
  );
}

export type SignupResult = { kind: 'under_age' } | { kind: 'sent' };

/** How often the owner of an address is told that someone tried to sign up with it. */
const EXISTS_NOTICE_PER_ACCOUNT = { max: 3, windowSeconds: 60 * 60 };

/**
 * Creates an account. Age screening asks only a birth year: someone who may be
 * under 13 gets a neutral refusal and nothing they typed is kept; 13–17 become
 * youth accounts with protective defaults (profile for signed-in members only).
 */
export async function signUp(db: Db, mail: MailContext, input: SignupInput, meta: { ip: string; userAgent: string; locale: string }): Promise<SignupResult> {
  const band = ageBand(input.birth_year);
  if (input.birth_year > thisYear()) throw new AppError('validation_failed', { fields: { birth_year: msg('accounts.birth_year_future') } });
  if (band === 'child') return { kind: 'under_age' };
  await hit(db, `signup:ip:${keyedHash(mail.secret, meta.ip)}`, SIGNUP_PER_ADDRESS);
  const name = clean(input.name);
  checkPasswordStrength(input.password, input.email, name);
  const passwordHash = await hashPassword(input.password);
  const isYouth = band === 'youth';
  const visibility = isYouth ? Object.fromEntries(PROFILE_FIELDS.map((f) => [f, 'members'])) : DEFAULT_VISIBILITY;
  let created: { id: number; token: string };
  try {
    created = await db.transaction().execute(async (tx) => {
      const user = await tx
        .insertInto('users')
        .values({
          email: input.email.trim(),
          password_hash: passwordHash,
          name,
          birth_year: input.birth_year,
          is_youth: isYouth,
          perspectives: input.perspectives ?? [],
          state_code: input.state_code || null,
          visibility: JSON.stringify(visibility),
          locale: isLocale(meta.locale) ? meta.locale : 'en',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const token = await issueEmailToken(tx, user.id, 'verify', 48);
      return { id: user.id, token };
    });
  } catch (err) {
    // The answer must not say whether the address has an account: its owner is told instead.
    if (isUniqueViolation(err, 'users_email_key')) {
      await tellOwnerOfSignup(db, mail, input.email);
      return { kind: 'sent' };
    }
    throw err;
  }
  await sendVerification(mail, { email: input.email.trim(), name, locale: meta.locale }, created.token);
  return { kind: 'sent' };
}

/**
 * The active account with this address, if it may be mailed about it once
 * more under `limit` (counted per account under `key`). Past the limit, or
 * with no such account, nothing: quietly, since the answer to whoever typed
 * the address must look the same either way.
 */
async function ownerToMail(db: Db, email: string, key: string, limit: { max: number; windowSeconds: number }) {
  const owner = await db.selectFrom('users').select(['id', 'email', 'name', 'locale']).where(sql<string>`lower(email)`, '=', emailKey(email)).where('deactivated_at', 'is', null).executeTakeFirst();
  if (!owner) return undefined;
  try {
    await hit(db, `${key}:${owner.id}`, limit);
  } catch {
    return undefined;
  }
  return owner;
}

/** Mails the owner of an address that someone tried to create an account with it (a few times an hour at most). */
async function tellOwnerOfSignup(db: Db, mail: MailContext, email: string) {
  const owner = await ownerToMail(db, email, 'signup:exists', EXISTS_NOTICE_PER_ACCOUNT);
  if (!owner) return;
  await mail.mailer.send(
    mailTo(owner, (t) => ({
      subject: t('mail.signup_exists.subject'),
      paragraphs: [t('mail.signup_exists.body'), t('mail.signup_exists.ignore')],
      action: { label: t('mail.signup_exists.action'), url: `${mail.baseUrl}/login` },
    })),
  );
}

/** Sends a fresh verification link to the signed-in person's address. */
export async function resendVerification(db: Db, mail: MailContext, actor: Actor) {
  if (actor.kind !== 'user') throw new AppError('unauthenticated');
  if (actor.emailVerified) return;
  await hit(db, `verify:user:${actor.id}`, { max: 5, windowSeconds: 3600 });
  const token = await issueEmailToken(db, actor.id, 'verify', 48);
  await sendVerification(mail, { email: actor.email, name: actor.name, locale: actor.locale }, token);
}

/** Confirms an address; returns whose it is, or undefined for a used or unknown link. */
export async function verifyEmail(db: Db, token: string): Promise<number | undefined> {
  return db.transaction().execute(async (tx) => {
    const row = await consumeEmailToken(tx, token, 'verify');
    if (!row) return undefined;
    await tx.updateTable('users').set({ email_verified_at: new Date() }).where('id', '=', row.user_id).where('email_verified_at', 'is', null).execute();
    return row.user_id;
  });
}

/**
 * Checks an email and password. Limited per account and per address (counters
 * in PostgreSQL, shared by every app process); the answer never says whether
 * the address has an account.
 */
export async function authenticate(db: Db, secret: string, email: string, password: string, ip: string): Promise<number> {
  // Per account *and* address: a stranger's guesses from elsewhere never lock the owner out.
  const accountKey = `login:pair:${keyedHash(secret, `${emailKey(email)}\n${ip}`)}`;
  await hitAll(db, [
    { key: `login:ip:${keyedHash(secret, ip)}`, limit: LOGIN_PER_ADDRESS },
    { key: accountKey, limit: LOGIN_PER_ACCOUNT_AND_ADDRESS },
    { key: `login:acct:${keyedHash(secret, emailKey(email))}`, limit: LOGIN_PER_ACCOUNT },
  ]);
  const user = await db
    .selectFrom('users')
    .select(['id', 'password_hash', 'deactivated_at'])
    .where(sql<string>`lower(email)`, '=', emailKey(email))
    .executeTakeFirst();
  const ok = await verifyPassword(user?.password_hash, password);
  if (!user || !ok || user.deactivated_at) throw new AppError('unauthenticated', { message: 'bad credentials' });
  await reset(db, accountKey);
  await db.updateTable('users').set({ last_seen_at: new Date() }).where('id', '=', user.id).execute();
  return user.id;
}

/**
 * When sign-in is throttled for an address, its owner (if there is one) is
 * mailed a one-time sign-in link, at most once per quarter hour; the answer is
 * the same either way.
 */
export async function mailSignInLink(db: Db, mail: MailContext, email: string): Promise<void> {
  const user = await ownerToMail(db, email, 'login:link', { max: 1, windowSeconds: 15 * 60 });
  if (!user) return;
  const token = await issueEmailToken(db, user.id, 'sign_in', 1);
  await mail.mailer.send(
    mailTo(user, (t) => ({
      subject: t('mail.sign_in_link.subject'),
      paragraphs: [t('mail.sign_in_link.body'), t('mail.sign_in_link.ignore')],
      action: { label: t('mail.sign_in_link.action'), url: `${mail.baseUrl}/login/link?token=${encodeURIComponent(token)}` },
    })),
  );
}

/** Invitations last a week: long enough for a busy person, short enough to expire unused. */
const INVITE_HOURS = 7 * 24;

/**
 * Emails the owner of an account made for them (a members import) a link to
 * choose a password, which also confirms the address, and the sign-in
 * providers they may use instead. Sends nothing once the account is in use.
 */
export async function sendInvitation(db: Db, mail: MailContext, userId: number, community: string, providers: string[]): Promise<'sent' | 'skipped'> {
  const user = await db.selectFrom('users').select(['id', 'email', 'name', 'locale', 'password_hash', 'email_verified_at', 'deactivated_at']).where('id', '=', userId).executeTakeFirst();
  if (!user || user.deactivated_at || user.password_hash || user.email_verified_at) return 'skipped';
  const token = await issueEmailToken(db, user.id, 'reset', INVITE_HOURS);
  await mail.mailer.send(
    mailTo(user, (t) => ({
      subject: t('mail.invite.subject', { community }),
      paragraphs: [t('mail.invite.body', { community }), ...(providers.length ? [t('mail.invite.providers', { providers: providers.join(', ') })] : []), t('mail.invite.expires')],
      action: { label: t('mail.invite.action'), url: `${mail.baseUrl}/password/reset?token=${encodeURIComponent(token)}` },
    })),
  );
  return 'sent';
}

/** Uses a one-time sign-in link; returns whose it was. */
export async function useSignInLink(db: Db, token: string): Promise<number | undefined> {
  return db.transaction().execute(async (tx) => {
    const row = await consumeEmailToken(tx, token, 'sign_in');
    if (!row) return undefined;
    const user = await tx.selectFrom('users').select('deactivated_at').where('id', '=', row.user_id).executeTakeFirst();
    return user && !user.deactivated_at ? row.user_id : undefined;
  });
}

/** Same answer whether or not the address has an account; mails a one-hour link when it does. */
export async function requestPasswordReset(db: Db, mail: MailContext, email: string, ip: string) {
  await hit(db, `reset:ip:${keyedHash(mail.secret, ip)}`, RESET_PER_ADDRESS);
  const user = await ownerToMail(db, email, 'reset:acct', RESET_PER_ACCOUNT);
  if (!user) return;
  const token = await issueEmailToken(db, user.id, 'reset', 1);
  await mail.mailer.send(
    mailTo(user, (t) => ({
      subject: t('mail.reset.subject'),
      paragraphs: [t('mail.reset.body'), t('mail.reset.ignore')],
      action: { label: t('mail.reset.action'), url: `${mail.baseUrl}/password/reset?token=${encodeURIComponent(token)}` },
    })),
  );
}

/** Sets a new password from a reset link; every session of the account ends. */
export async function resetPassword(db: Db, token: string, password: string): Promise<number> {
  const pending = await db
    .selectFrom('email_tokens as e')
    .innerJoin('users as u', 'u.id', 'e.user_id')
    .select(['u.email', 'u.name'])
    .where('e.token_hash', '=', hashToken(token))
    .where('e.purpose', '=', 'reset')
    .where('e.used_at', 'is', null)
    .where('e.expires_at', '>', new Date())
    .executeTakeFirst();
  if (!pending) throw new AppError('validation_failed', { fields: { token: msg('accounts.reset_link_invalid') } });
  checkPasswordStrength(password, pending.email, pending.name);
  const hash = await hashPassword(password);
  return db.transaction().execute(async (tx) => {
    const row = await consumeEmailToken(tx, token, 'reset');
    if (!row) throw new AppError('validation_failed', { fields: { token: msg('accounts.reset_link_invalid') } });
    // Following the emailed link also proves the address.
    await tx.updateTable('users').set({ password_hash: hash, updated_at: new Date(), email_verified_at: sql`coalesce(email_verified_at, now())` }).where('id', '=', row.user_id).execute();
    await destroyUserSessions(tx, row.user_id);
    await tx.updateTable('api_tokens').set({ revoked_at: new Date() }).where('user_id', '=', row.user_id).where('revoked_at', 'is', null).execute();
    return row.user_id;
  });
}

async function sendNotice(mail: MailContext, to: string, user: { name: string; locale: string }, kind: 'password_changed' | 'email_changed') {
  await mail.mailer.send(
    mailTo({ ...user, email: to }, (t) => ({
      subject: t(`mail.${kind}.subject`),
      paragraphs: [t(`mail.${kind}.body`), t('mail.not_you')],
    })),
  );
}

/** Changes the password after checking the current one; other sessions end; a notice goes to the address. */
export async function changePassword(db: Db, mail: MailContext, actor: Actor, current: string, next: string) {
  if (actor.kind !== 'user') throw new AppError('unauthenticated');
  await hit(db, `pwchange:user:${actor.id}`, { max: 10, windowSeconds: 3600 });
  const row = await db.selectFrom('users').select(['password_hash']).where('id', '=', actor.id).executeTakeFirstOrThrow();
  if (!(await verifyPassword(row.password_hash, current))) throw new AppError('validation_failed', { fields: { current_password: msg('accounts.password_wrong') } });
  checkPasswordStrength(next, actor.email, actor.name, 'new_password');
  const hash = await hashPassword(next);
  const sessionToken = await db.transaction().execute(async (tx) => {
    await tx.updateTable('users').set({ password_hash: hash, updated_at: new Date() }).where('id', '=', actor.id).execute();
    // Every session ends; the person continues in a fresh one.
    await destroyUserSessions(tx, actor.id);
    return createSession(tx, actor.id);
  });
  await sendNotice(mail, actor.email, actor, 'password_changed');
  return sessionToken;
}

/** Starts an address change: a link goes to the new address, a notice to the old one. */
export async function requestEmailChange(db: Db, mail: MailContext, actor: Actor, password: string, newEmail: string) {
  if (actor.kind !== 'user') throw new AppError('unauthenticated');
  await hit(db, `emailchange:user:${actor.id}`, { max: 5, windowSeconds: 3600 });
  const row = await db.selectFrom('users').select(['password_hash']).where('id', '=', actor.id).executeTakeFirstOrThrow();
  if (!(await verifyPassword(row.password_hash, password))) throw new AppError('validation_failed', { fields: { password: msg('accounts.password_wrong') } });
  const taken = await db.selectFrom('users').select('id').where(sql<string>`lower(email)`, '=', emailKey(newEmail)).executeTakeFirst();
  if (taken) throw new AppError('validation_failed', { fields: { new_email: msg('accounts.email_taken') } });
  const token = await issueEmailToken(db, actor.id, 'change_email', 24, newEmail.trim());
  await mail.mailer.send(
    mailTo({ ...actor, email: newEmail.trim() }, (mt) => ({
      subject: mt('mail.change_email.subject'),
      paragraphs: [mt('mail.change_email.body')],
      action: { label: mt('mail.change_email.action'), url: `${mail.baseUrl}/settings/email/confirm?token=${encodeURIComponent(token)}` },
    })),
  );
  await sendNotice(mail, actor.email, actor, 'email_changed');
}

export async function confirmEmailChange(db: Db, token: string): Promise<boolean> {
  try {
    return await db.transaction().execute(async (tx) => {
      const row = await consumeEmailToken(tx, token, 'change_email');
      if (!row?.new_email) return false;
      await tx.updateTable('users').set({ email: row.new_email, email_verified_at: new Date(), updated_at: new Date() }).where('id', '=', row.user_id).execute();
      return true;
    });
  } catch (err) {
    if (isUniqueViolation(err, 'users_email_key')) return false;
    throw err;
  }
}

const splitTags = (v: string | string[] | undefined) =>
  [...new Set((Array.isArray(v) ? v : (v ?? '').split(',')).map((s) => clean(s).toLowerCase().slice(0, 60)).filter(Boolean))].slice(0, 20);

/**
 * Updates a profile. Youth accounts cannot make any field public: their
 * choices are capped at "members".
 */
export async function updateProfile(db: Db, actor: Actor, userId: number, input: ProfileInput) {
  if (actor.kind !== 'user' || (actor.id !== userId && actor.role !== 'admin')) throw new AppError('forbidden');
  const target = await db.selectFrom('users').select(['is_youth', 'visibility']).where('id', '=', userId).executeTakeFirst();
  if (!target) throw new AppError('not_found');
  const visibility: Record<string, string> = { ...DEFAULT_VISIBILITY, ...(target.visibility ?? {}) };
  for (const f of PROFILE_FIELDS) {
    const v = input[`visibility_${f}`] as string | undefined;
    if (v) visibility[f] = target.is_youth && v === 'public' ? 'members' : v;
  }
  if (input.organizations?.length) {
    const found = await db.selectFrom('organizations').select('id').where('id', 'in', input.organizations).execute();
    if (found.length !== input.organizations.length) throw new AppError('validation_failed', { fields: { organizations: msg('validation.choose') } });
  }
  if (input.handle) {
    const taken = await db.selectFrom('users').select('id').where(sql<string>`lower(handle)`, '=', input.handle.toLowerCase()).where('id', '<>', userId).executeTakeFirst();
    if (taken) throw new AppError('validation_failed', { fields: { handle: msg('accounts.handle_taken') } });
  }
  await db
    .transaction()
    .execute(async (tx) => {
    await tx
      .updateTable('users')
      .set({
        ...(input.handle ? { handle: input.handle.toLowerCase() } : {}),
        name: clean(input.name),
        pronouns: clean(input.pronouns),
        bio: clean(input.bio),
        state_code: input.state_code || null,
        perspectives: input.perspectives ?? [],
        expertise: splitTags(input.expertise),
        visibility: JSON.stringify(visibility),
        ...(input.locale ? { locale: input.locale } : {}),
        updated_at: new Date(),
      })
      .where('id', '=', userId)
      .execute();
    if (input.organizations !== undefined) {
      await tx.deleteFrom('user_organizations').where('user_id', '=', userId).where('organization_id', 'not in', input.organizations.length ? input.organizations : [0]).execute();
      if (input.organizations.length) {
        await tx
          .insertInto('user_organizations')
          .values(input.organizations.map((organization_id) => ({ user_id: userId, organization_id })))
          .onConflict((oc) => oc.doNothing())
          .execute();
      }
    }
    if (actor.id !== userId) await audit(tx, actor.id, 'person.update', { type: 'user', id: userId });
  })
    .catch((err: unknown) => {
      // Two people claiming the same handle at once: the database keeps one.
      if (isUniqueViolation(err, 'users_handle_key')) throw new AppError('validation_failed', { fields: { handle: msg('accounts.handle_taken') } });
      throw err;
    });
}

export async function setLocale(db: Db, actor: Actor, locale: 'en' | 'es') {
  if (actor.kind === 'user') await db.updateTable('users').set({ locale }).where('id', '=', actor.id).execute();
}

/**
 * Creates an account directly (CLI `create-admin`, imports, demo data), with
 * the email already verified. Not for sign-up: it skips age screening.
 */
export async function createAccount(
  db: Db | Tx,
  input: { email: string; password?: string; name: string; role?: 'member' | 'facilitator' | 'admin'; perspectives?: string[]; state_code?: string | null; is_youth?: boolean },
) {
  const hash = input.password ? await hashPassword(input.password) : null;
  const row = await db
    .insertInto('users')
    .values({
      email: input.email,
      password_hash: hash,
      name: input.name,
      role: input.role ?? 'member',
      perspectives: input.perspectives ?? [],
      state_code: input.state_code ?? null,
      is_youth: input.is_youth ?? false,
      visibility: JSON.stringify(input.is_youth ? Object.fromEntries(PROFILE_FIELDS.map((f) => [f, 'members'])) : DEFAULT_VISIBILITY),
      email_verified_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
