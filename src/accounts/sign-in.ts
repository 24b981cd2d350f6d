import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createSession } from '../platform/auth/sessions.js';
import { safeNext, setSessionCookie } from '../platform/http/request-context.js';
import { audit } from '../platform/db/tx.js';

/**
 * The last step of every way in (password, identity provider): when the
 * account uses two-factor sign-in, a short-lived signed cookie remembers who
 * has passed the first step and the second is asked; otherwise a session starts.
 */
export const PENDING_TTL_SECONDS = 600;

export const pendingCookieName = (secure: boolean) => (secure ? '__Host-convene_2fa' : 'convene_2fa');

export interface PendingSignIn {
  userId: number;
  next: string;
  method: string;
}

export async function finishSignIn(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, userId: number, next: string, method: 'password' | 'oidc' | 'email'): Promise<FastifyReply> {
  const { db, config } = app.deps;
  const user = await db.selectFrom('users').select('totp_enabled_at').where('id', '=', userId).executeTakeFirstOrThrow();
  if (user.totp_enabled_at) {
    const value = Buffer.from(JSON.stringify({ u: userId, n: next, m: method, e: Date.now() + PENDING_TTL_SECONDS * 1000 })).toString('base64url');
    reply.setCookie(pendingCookieName(config.secure), value, { path: '/', httpOnly: true, sameSite: 'lax', secure: config.secure, signed: true, maxAge: PENDING_TTL_SECONDS });
    return reply.redirect('/login/two-factor', 303);
  }
  return startSession(app, request, reply, userId, next, method);
}

export async function startSession(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, userId: number, next: string, method: string): Promise<FastifyReply> {
  const { db, config } = app.deps;
  const token = await createSession(db, userId, String(request.headers['user-agent'] ?? ''));
  if (method !== 'password') await audit(db, userId, 'session.sign_in', { type: 'user', id: userId }, { method });
  setSessionCookie(reply, config.secure, token);
  // A new person on this device starts with nothing of the last one's (offline copies, drafts).
  reply.header('clear-site-data', '"cache", "storage"');
  return reply.redirect(safeNext(next), 303);
}

/** Who is between the first and second step, when the cookie is genuine and fresh. */
export function pendingSignIn(app: FastifyInstance, request: FastifyRequest): PendingSignIn | undefined {
  const raw = request.cookies[pendingCookieName(app.deps.config.secure)];
  if (!raw) return undefined;
  const un = request.unsignCookie(raw);
  if (!un.valid || !un.value) return undefined;
  try {
    const v = JSON.parse(Buffer.from(un.value, 'base64url').toString('utf8')) as { u: number; n: string; m: string; e: number };
    if (!Number.isInteger(v.u) || typeof v.e !== 'number' || v.e < Date.now()) return undefined;
    return { userId: v.u, next: safeNext(v.n), method: String(v.m) };
  } catch {
    return undefined;
  }
}

export const clearPending = (app: FastifyInstance, reply: FastifyReply) => reply.clearCookie(pendingCookieName(app.deps.config.secure), { path: '/', secure: app.deps.config.secure });
