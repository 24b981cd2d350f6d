import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_TTL_DAYS, sessionCookieName } from '../auth/sessions.js';
import type { Actor, UserActor } from '../auth/actor.js';
import { formatters, type Locale, type T } from '../i18n/i18n.js';
import type { Flash, PageContext } from '../views/context.js';
import { renderPage, type PageProps } from '../views/layout.js';
import { can } from '../auth/policy.js';
import { DEFAULT_TIME_ZONE, isTimeZone } from '../time-zone.js';
import { PageCache } from './page-cache.js';
import { AppError } from './errors.js';

declare module 'fastify' {
  interface FastifyInstance {
    pageCache?: PageCache;
    /** A signed-in person's unread notifications (the notifications capability's rule, wired in by app.ts). */
    unreadCount(actor: UserActor): Promise<number>;
  }
  interface FastifyRequest {
    actor: Actor;
    locale: Locale;
    t: T;
    /** The raw session token from the cookie, when signed in by session. */
    sessionToken?: string;
    /** Where the bearer token of this request was made (`convene create-token` makes 'cli' ones). */
    tokenOrigin?: 'web' | 'cli';
    /** Set by handlers whose every visit must run (counted views): the page is not cached. */
    noPageCache?: boolean;
  }
  interface FastifyReply {
    generateCsrf(opts?: unknown): string;
  }
}

export const FLASH_COOKIE = 'convene_flash';

/** Sets a one-time message shown on the next page (after a redirect). */
export function setFlash(reply: FastifyReply, flash: Flash): void {
  reply.setCookie(FLASH_COOKIE, Buffer.from(JSON.stringify(flash)).toString('base64url'), {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    signed: true,
    maxAge: 60,
  });
}

function takeFlash(request: FastifyRequest, reply: FastifyReply): Flash | undefined {
  const raw = request.cookies[FLASH_COOKIE];
  if (!raw) return undefined;
  reply.clearCookie(FLASH_COOKIE, { path: '/' });
  const un = request.unsignCookie(raw);
  if (!un.valid || !un.value) return undefined;
  try {
    const f = JSON.parse(Buffer.from(un.value, 'base64url').toString('utf8')) as Flash;
    return typeof f.message === 'string' && ['success', 'info', 'warning', 'error'].includes(f.kind) ? f : undefined;
  } catch {
    return undefined;
  }
}

export const TZ_COOKIE = 'convene_tz';

/** The viewer's time zone: their setting, else what their browser told us, else the community's. */
export function viewerTimeZone(request: FastifyRequest): string {
  if (request.actor.kind === 'user' && isTimeZone(request.actor.timeZone)) return request.actor.timeZone;
  const c = request.cookies?.[TZ_COOKIE];
  return c && isTimeZone(c) ? c : DEFAULT_TIME_ZONE;
}

/** Builds the context every page view receives. */
export function pageContext(request: FastifyRequest, reply: FastifyReply, communityName: string): PageContext {
  let token: string | undefined;
  const ctx: PageContext = {
    t: request.t,
    locale: request.locale,
    fmt: formatters(request.locale),
    actor: request.actor,
    tz: viewerTimeZone(request),
    path: request.url,
    csrf: () => {
      ctx.csrfUsed = true;
      return (token ??= reply.generateCsrf());
    },
    nonce: reply.cspNonce?.script ?? '',
    flash: takeFlash(request, reply),
    communityName,
    siteUrl: request.server.deps?.config.baseUrl,
    nav: { admin: can(request.actor, 'admin.access', undefined), moderate: can(request.actor, 'moderation.queue', undefined), analytics: can(request.actor, 'analytics.view', undefined) },
  };
  return ctx;
}

/** Sends a rendered page. Pages for signed-in people are never stored by shared caches. */
export function sendPage(reply: FastifyReply, props: PageProps, status = 200): FastifyReply {
  if (props.ctx.actor.kind === 'user') reply.header('cache-control', 'private, no-store');
  // Sent as bytes: Node writes a long string holding any character past U+00FF
  // (a curly quote will do) far more slowly than it encodes it to a Buffer
  // (bench/README.md, "Pages sent as bytes").
  const body = Buffer.from(renderPage(props));
  // A signed-out visitor's page with nothing personal in it may serve the next visitors for a few seconds.
  const cache = reply.server.pageCache;
  if (cache && status === 200 && props.ctx.actor.kind === 'anonymous' && reply.request.method === 'GET' && !reply.request.noPageCache && !props.ctx.csrfUsed && !props.ctx.flash && !reply.hasHeader('set-cookie')) {
    cache.put(PageCache.key(props.ctx.locale, props.ctx.tz, reply.request.url), body, props.ctx.locale);
  }
  return reply.code(status).type('text/html; charset=utf-8').send(body);
}

/** Sets the signed session cookie: HttpOnly, SameSite=Lax, Secure (and `__Host-`) over https. */
export function setSessionCookie(reply: FastifyReply, secure: boolean, token: string): void {
  reply.setCookie(sessionCookieName(secure), token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure,
    signed: true,
    maxAge: SESSION_TTL_DAYS * 86400,
  });
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  reply.clearCookie(sessionCookieName(secure), { path: '/', secure });
}

const SAME_ORIGIN = 'http://convene.invalid';

/**
 * A redirect target from user input, kept only if it is a path on this site.
 * It is parsed the way a browser would (tabs and line breaks dropped,
 * backslashes read as slashes) against a base address, and kept only when it
 * stays on that origin; what comes back is the parsed path, query and
 * fragment, percent-encoded, so it is always a valid header value.
 */
export function safeNext(next: unknown, fallback = '/'): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.length > 2000) return fallback;
  let url: URL;
  try {
    url = new URL(next, SAME_ORIGIN);
  } catch {
    return fallback;
  }
  if (url.origin !== SAME_ORIGIN) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // Belt and braces: a path a browser could still read as another host is not kept.
  return path.startsWith('//') || path.startsWith('/\\') || /[^\x21-\x7e]/.test(path) ? fallback : path;
}

/** Renders a page with the full context (the community's name is loaded first). */
export async function renderFor(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  build: (ctx: PageContext) => Omit<PageProps, 'ctx'>,
  status = 200,
): Promise<FastifyReply> {
  // The count loaded with the session, unless this request has since marked some read.
  const actor = request.actor;
  const [, unread] = await Promise.all([app.community.get(), actor.kind !== 'user' ? undefined : (actor.unreadNotifications ?? app.unreadCount(actor)), app.groupNames.load()]);
  const ctx = pageContext(request, reply, app.community.nameOrDefault(request.locale));
  ctx.groupName = (name) => app.groupNames.shown(name, request.locale);
  ctx.nav.unread = unread;
  return sendPage(reply, { ctx, ...build(ctx) }, status);
}

/** The form body without the fields the framework adds (_csrf, _idem). */
export function formValues(body: unknown): Record<string, unknown> {
  const { _csrf, _idem, ...rest } = (body ?? {}) as Record<string, unknown>;
  return rest;
}

export const idemKeyOf = (body: unknown) => {
  const v = (body as Record<string, unknown> | undefined)?._idem;
  return typeof v === 'string' ? v : undefined;
};

/** The signed-in person making the request; anyone else is refused with 401 (a page sends them to sign in). */
export function requireUser(request: FastifyRequest): UserActor {
  if (request.actor.kind !== 'user') throw new AppError('unauthenticated');
  return request.actor;
}
