import * as client from 'openid-client';
import { Type, type Static } from '@sinclair/typebox';
import { sql } from 'kysely';
import type { Db } from '../platform/db/db.js';
import { audit, isUniqueViolation } from '../platform/db/tx.js';
import { seal, unseal } from '../platform/auth/secrets.js';
import { AppError, msg } from '../platform/http/errors.js';
import { isLoopbackHost } from '../platform/loopback.js';
import type { UserActor } from '../platform/auth/actor.js';
import { createAccount } from './commands.js';

/**
 * Sign-in with an organization's OpenID Connect provider (authorization code
 * flow with PKCE, state and nonce, by `openid-client`). Admins configure each
 * provider; accounts are matched by the provider's subject, else by a
 * verified email address, else made on first sign-in when the provider allows it.
 */

export const ProviderInput = Type.Object({
  slug: Type.String({ minLength: 1, maxLength: 60, pattern: '^[a-z0-9]+(-[a-z0-9]+)*$' }),
  name: Type.String({ minLength: 1, maxLength: 120, pattern: '\\S' }),
  issuer: Type.String({ minLength: 1, maxLength: 500, format: 'uri', pattern: '^https?://' }),
  client_id: Type.String({ minLength: 1, maxLength: 300, pattern: '\\S' }),
  client_secret: Type.Optional(Type.String({ maxLength: 500 })),
  scopes: Type.Optional(Type.String({ maxLength: 300, pattern: '^[A-Za-z0-9_:./ -]*$' })),
  allow_signup: Type.Optional(Type.Boolean()),
  enabled: Type.Optional(Type.Boolean()),
  organization_id: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 2 ** 53 }), Type.Null()])),
});
export type ProviderInput = Static<typeof ProviderInput>;

export interface ProviderRow {
  id: number;
  slug: string;
  name: string;
  issuer: string;
  client_id: string;
  client_secret: string;
  scopes: string;
  allow_signup: boolean;
  organization_id: number | null;
  enabled: boolean;
  updated_at: Date;
}

export const listProviders = (db: Db) =>
  db.selectFrom('oidc_providers').select(['id', 'slug', 'name', 'issuer', 'client_id', 'client_secret', 'scopes', 'allow_signup', 'organization_id', 'enabled', 'updated_at']).orderBy('name').execute() as Promise<ProviderRow[]>;

/** Providers shown on the sign-in page. */
export const enabledProviders = (db: Db) => db.selectFrom('oidc_providers').select(['slug', 'name']).where('enabled', '=', true).orderBy('name').execute();

export async function getProvider(db: Db, by: { id?: number; slug?: string }): Promise<ProviderRow | undefined> {
  let q = db.selectFrom('oidc_providers').select(['id', 'slug', 'name', 'issuer', 'client_id', 'client_secret', 'scopes', 'allow_signup', 'organization_id', 'enabled', 'updated_at']);
  q = by.id !== undefined ? q.where('id', '=', by.id) : q.where('slug', '=', by.slug ?? '');
  return q.executeTakeFirst() as Promise<ProviderRow | undefined>;
}

/** Creates or updates a provider (admins only); the client secret is stored sealed and kept when left blank. */
export async function saveProvider(db: Db, key: string, actor: UserActor, id: number | undefined, input: ProviderInput): Promise<number> {
  const secret = input.client_secret?.trim();
  if (id === undefined && !secret) throw new AppError('validation_failed', { fields: { client_secret: msg('oidc.secret_needed') } });
  const values = {
    slug: input.slug,
    name: input.name.trim(),
    issuer: input.issuer.trim().replace(/\/+$/, ''),
    client_id: input.client_id.trim(),
    scopes: normalizeScopes(input.scopes),
    allow_signup: input.allow_signup ?? false,
    enabled: input.enabled ?? false,
    organization_id: input.organization_id ?? null,
    updated_at: new Date(),
    ...(secret ? { client_secret: seal(key, secret) } : {}),
  };
  return db.transaction().execute(async (tx) => {
    const clash = await tx.selectFrom('oidc_providers').select('id').where('slug', '=', values.slug).executeTakeFirst();
    if (clash && clash.id !== id) throw new AppError('conflict', { fields: { slug: msg('oidc.slug_taken') } });
    let providerId: number;
    if (id === undefined) {
      const row = await tx
        .insertInto('oidc_providers')
        .values({ ...values, client_secret: values.client_secret! })
        .returning('id')
        .executeTakeFirstOrThrow();
      providerId = row.id;
    } else {
      const r = await tx.updateTable('oidc_providers').set(values).where('id', '=', id).executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) throw new AppError('not_found');
      providerId = id;
    }
    // What changed, never the secret.
    await audit(tx, actor.id, id === undefined ? 'oidc.provider_create' : 'oidc.provider_update', { type: 'oidc_provider', id: providerId }, { slug: values.slug, issuer: values.issuer, enabled: values.enabled, allow_signup: values.allow_signup, secret_changed: Boolean(secret) });
    return providerId;
  });
}

function normalizeScopes(raw: string | undefined): string {
  const scopes = new Set((raw ?? '').split(/\s+/).filter(Boolean));
  for (const s of ['openid', 'email', 'profile']) scopes.add(s);
  return [...scopes].join(' ');
}

/** Plain http is accepted only for a provider on this machine (development and tests). */
const isLoopback = (issuer: string) => isLoopbackHost(new URL(issuer).hostname);

/** Discovered provider configurations, cached per provider version, for an hour. */
const discovered = new Map<string, { at: number; config: client.Configuration }>();

async function configurationOf(key: string, p: ProviderRow): Promise<client.Configuration> {
  const cacheKey = `${p.id}:${p.updated_at.getTime()}`;
  const hit = discovered.get(cacheKey);
  if (hit && Date.now() - hit.at < 3600_000) return hit.config;
  const secret = unseal(key, p.client_secret);
  if (!secret) throw new AppError('unavailable');
  const insecure = new URL(p.issuer).protocol === 'http:';
  if (insecure && !isLoopback(p.issuer)) throw new AppError('unavailable');
  let config: client.Configuration;
  try {
    config = await client.discovery(new URL(p.issuer), p.client_id, secret, undefined, {
      ...(insecure ? { execute: [client.allowInsecureRequests] } : {}),
      timeout: 10,
    });
  } catch {
    throw new AppError('unavailable');
  }
  discovered.set(cacheKey, { at: Date.now(), config });
  return config;
}

export interface OidcPending {
  provider: string;
  verifier: string;
  state: string;
  nonce: string;
  next: string;
}

/** The provider's authorization URL and what to remember (in a signed cookie) until it answers. */
export async function beginOidc(key: string, p: ProviderRow, redirectUri: string, next: string, locale: string): Promise<{ url: string; pending: OidcPending }> {
  const config = await configurationOf(key, p);
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: p.scopes,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ui_locales: locale,
  });
  return { url: url.href, pending: { provider: p.slug, verifier, state, nonce, next } };
}

export interface OidcClaims {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
}

/** Exchanges the code (checking state, nonce and PKCE) and returns the ID token's claims. */
export async function completeOidc(key: string, p: ProviderRow, callbackUrl: URL, pending: OidcPending): Promise<OidcClaims> {
  const config = await configurationOf(key, p);
  let claims: client.IDToken | undefined;
  let accessToken = '';
  try {
    const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: pending.verifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    claims = tokens.claims();
    accessToken = tokens.access_token;
  } catch {
    throw new AppError('unauthenticated');
  }
  if (!claims?.sub) throw new AppError('unauthenticated');
  let info: Record<string, unknown> = claims as unknown as Record<string, unknown>;
  // Some providers put email and name only in the UserInfo answer.
  if (info.email === undefined && accessToken) {
    try {
      info = { ...info, ...(await client.fetchUserInfo(config, accessToken, claims.sub)) };
    } catch {
      /* the ID token is enough to go on */
    }
  }
  return {
    sub: String(claims.sub),
    email: typeof info.email === 'string' ? info.email : undefined,
    email_verified: info.email_verified === true || info.email_verified === 'true',
    name: typeof info.name === 'string' ? info.name : undefined,
  };
}

/**
 * The account for a provider's answer: the linked one; else the account with
 * the same verified email (now linked); else a new one when the provider
 * allows sign-up. Only a verified email ever links or creates an account.
 */
export async function accountFor(db: Db, p: ProviderRow, claims: OidcClaims): Promise<{ userId: number; created: boolean } | { refused: 'deactivated' | 'unverified' | 'no_account' }> {
  try {
    return await linkOrCreate(db, p, claims);
  } catch (err) {
    // Two first sign-ins of one person at once (a double click, two tabs): the
    // second transaction's account or link collides with the first's. Once the
    // first has committed, a second look finds its link.
    if (isUniqueViolation(err)) return linkOrCreate(db, p, claims);
    throw err;
  }
}

async function linkOrCreate(db: Db, p: ProviderRow, claims: OidcClaims): Promise<{ userId: number; created: boolean } | { refused: 'deactivated' | 'unverified' | 'no_account' }> {
  return db.transaction().execute(async (tx) => {
    const linked = await tx
      .selectFrom('user_identities as i')
      .innerJoin('users as u', 'u.id', 'i.user_id')
      .select(['u.id', 'u.deactivated_at'])
      .where('i.provider_id', '=', p.id)
      .where('i.subject', '=', claims.sub)
      .executeTakeFirst();
    if (linked) {
      if (linked.deactivated_at) return { refused: 'deactivated' as const };
      await tx.updateTable('user_identities').set({ last_used_at: new Date() }).where('provider_id', '=', p.id).where('subject', '=', claims.sub).execute();
      return { userId: linked.id, created: false };
    }
    if (!claims.email || !claims.email_verified) return { refused: 'unverified' as const };
    const email = claims.email.trim();
    const existing = await tx.selectFrom('users').select(['id', 'deactivated_at']).where(sql<string>`lower(email)`, '=', email.toLowerCase()).forUpdate().executeTakeFirst();
    let userId: number;
    let created = false;
    if (existing) {
      if (existing.deactivated_at) return { refused: 'deactivated' as const };
      userId = existing.id;
      await tx.updateTable('users').set({ email_verified_at: sql`coalesce(email_verified_at, now())` }).where('id', '=', userId).execute();
    } else {
      if (!p.allow_signup) return { refused: 'no_account' as const };
      userId = await createAccount(tx, { email, name: (claims.name?.trim() || email.split('@')[0]!).slice(0, 120) });
      created = true;
      if (p.organization_id) await tx.insertInto('user_organizations').values({ user_id: userId, organization_id: p.organization_id }).onConflict((oc) => oc.doNothing()).execute();
    }
    await tx.insertInto('user_identities').values({ provider_id: p.id, subject: claims.sub, user_id: userId }).execute();
    await audit(tx, userId, created ? 'oidc.account_created' : 'oidc.identity_linked', { type: 'user', id: userId }, { provider: p.slug });
    return { userId, created };
  });
}

/** The providers linked to an account (settings page). */
export const identitiesOf = (db: Db, userId: number) =>
  db
    .selectFrom('user_identities as i')
    .innerJoin('oidc_providers as p', 'p.id', 'i.provider_id')
    .select(['p.name', 'p.slug', 'i.created_at', 'i.last_used_at'])
    .where('i.user_id', '=', userId)
    .orderBy('p.name')
    .execute();
