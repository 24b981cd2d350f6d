import './policies.js';
import { valueRoutes } from './value/routes.js';
import { translationRoutes } from './translations/routes.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { installSecurityHeaders } from './platform/http/security-headers.js';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from './platform/config.js';
import type { Db, Engine } from './platform/db/db.js';
import { bareAddress, mailFrom, type Mailer } from './platform/mail/mailer.js';
import { ANONYMOUS, loadActor, type UserActor } from './platform/auth/actor.js';
import { unreadCount, unreadCountSubquery } from './notifications/queries.js';
import { resolveSessionActor, sessionCookieName } from './platform/auth/sessions.js';
import { resolveApiToken } from './accounts/tokens.js';
import { LANG_COOKIE, isLocale, negotiate, translator, type Locale } from './platform/i18n/i18n.js';
import { AJV_OPTIONS } from './platform/http/validation.js';
import { checkQuery, registerParsers } from './platform/http/parsers.js';
import { registerJobs } from './jobs.js';
import { installErrorHandling } from './platform/http/error-handler.js';
import { CommunityCache } from './community/queries.js';
import { GroupNameCache } from './groups/names.js';
import { healthRoutes } from './platform/http/health.js';
import { accountRoutes } from './accounts/routes.js';
import { oidcRoutes } from './accounts/oidc-routes.js';
import { trustRoutes } from './trust/routes.js';
import { communityRoutes } from './community/routes.js';
import { groupRoutes } from './groups/routes.js';
import { adminRoutes } from './admin/routes.js';
import { discussionRoutes } from './discussions/routes.js';
import { postRoutes } from './discussions/post-routes.js';
import { searchRoutes } from './discussions/search-routes.js';
import { latestRoutes } from './discussions/latest-routes.js';
import { bookmarkRoutes } from './discussions/bookmark-routes.js';
import { photoRoutes } from './community/photo-routes.js';
import { conversationRoutes } from './conversations/routes.js';
import { discussionApiRoutes } from './discussions/api-routes.js';
import { AppError } from './platform/http/errors.js';
import { FLASH_COOKIE, setFlash, viewerTimeZone } from './platform/http/request-context.js';
import { PageCache } from './platform/http/page-cache.js';
import { SessionCache } from './platform/auth/session-cache.js';
import { watchHeap } from './platform/memory.js';
import { hit, hitAll, type Limit, type RouteBudget } from './platform/auth/rate-limit.js';
import { keyedHash } from './platform/auth/secrets.js';
import type { Jobs } from './platform/jobs/jobs.js';
import { LiveHub } from './discussions/live.js';
import { notificationRoutes } from './notifications/routes.js';
import { resourceRoutes } from './resources/routes.js';
import { reachRoutes } from './reach/routes.js';
import { glossaryRoutes } from './glossary/routes.js';
import { agendaRoutes } from './agenda/routes.js';
import { GlossaryService } from './glossary/service.js';
import { eventRoutes } from './events/routes.js';
import { analyticsRoutes } from './analytics/routes.js';
import { emailRoutes } from './email/routes.js';
import { importRoutes } from './admin/import-routes.js';
import { webhookRoutes } from './webhooks/routes.js';
import { pwaRoutes } from './platform/http/pwa.js';
import { installPagination } from './platform/http/pagination.js';
import { withDocumentedBodies } from './platform/http/openapi.js';
import { startMailListener, type MailListener } from './email/listener.js';
import type { Resolver } from './email/inbound.js';
import { uploadStore } from './resources/storage.js';

const ADDRESS_BUDGETS = {
  write: { max: 300, windowSeconds: 300 },
  search: { max: 120, windowSeconds: 60 },
  export: { max: 60, windowSeconds: 3600 },
} as const;

/** Which per-address budget a request spends, if any. */
export function addressBudget(method: string, url: string): { name: keyof typeof ADDRESS_BUDGETS; limit: (typeof ADDRESS_BUDGETS)[keyof typeof ADDRESS_BUDGETS] } | undefined {
  const [p = '', q = ''] = url.split('?');
  if (method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS') return { name: 'write', limit: ADDRESS_BUDGETS.write };
  if (p === '/search' || p === '/api/v1/search' || ((p === '/resources' || p === '/api/v1/resources' || p === '/people' || p === '/api/v1/people') && /(^|&)q=[^&]/.test(q))) return { name: 'search', limit: ADDRESS_BUDGETS.search };
  if (p.endsWith('.csv') || p === '/settings/data/download') return { name: 'export', limit: ADDRESS_BUDGETS.export };
  return undefined;
}

/** What someone who must set up two-factor sign-in can still reach. */
const TWO_FACTOR_OPEN = ['/settings/two-factor', '/logout', '/language', '/assets', '/healthz', '/readyz', '/guidelines', '/terms', '/privacy', '/contact'];

export interface AppDeps {
  config: Config;
  db: Db;
  /**
   * Where heavy read-only pages read (search, library lists and facets, the reach
   * dashboard, engagement analytics): a replica when one is configured, else `db`.
   * Such reads may lag the primary by the replica's delay; nothing that a person
   * must see right after their own write reads here.
   */
  readDb?: Db;
  engine: Engine;
  mailer: Mailer;
  /** The PostgreSQL job queue (notifications, digests). */
  jobs: Jobs;
  /** For the LISTEN connection behind live updates; without it pages simply do not update live. */
  databaseUrl?: string;
  /** Pino options or false to silence (tests). */
  logger?: boolean | Record<string, unknown>;
  /** DNS for checking incoming mail's SPF, DKIM and DMARC (tests give their own records). */
  dnsResolver?: Resolver;
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps;
    community: CommunityCache;
    /** Groups' names in both languages, for pages that show a group by name. */
    groupNames: GroupNameCache;
    live: LiveHub;
    glossary: GlossaryService;
    routeList: { method: string; url: string }[];
    /** Who is behind a session, kept briefly per process (platform/auth/session-cache.ts). */
    sessionCache: SessionCache;
    /** The mail-in listener, when INBOUND_SMTP is set (started when the app is ready). */
    mailListener?: MailListener;
  }
}

export type App = FastifyInstance;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), fileURLToPath(import.meta.url).includes('/dist/') ? '../..' : '..');

/** Query parameters that carry secrets; they never reach the logs. */
const SECRET_PARAMS = /([?&](?:token|code|state)=)[^&]*/g;

/** Builds the Fastify application around its dependencies; does not listen. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    logger:
      deps.logger === false
        ? false
        : {
            level: config.logLevel,
            // Requests are logged as method and path only: no addresses, cookies, tokens or bodies.
            serializers: {
              req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url.replace(SECRET_PARAMS, '$1[redacted]') }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
            ...(typeof deps.logger === 'object' ? deps.logger : {}),
          },
    bodyLimit: 256 * 1024,
    // Only the configured balancers may name the visitor's address (X-Forwarded-For).
    trustProxy: config.trustProxy.length ? config.trustProxy : false,
    ajv: { customOptions: AJV_OPTIONS },
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate('deps', deps);
  // The page shell shows the unread count; the notifications capability decides what counts.
  app.decorate('unreadCount', (actor: UserActor) => unreadCount(deps.db, actor));
  // Every route, for the test that checks each page has a browser test.
  const routeList: { method: string; url: string }[] = [];
  app.decorate('routeList', routeList);
  app.addHook('onRoute', (r) => {
    for (const m of [r.method].flat()) routeList.push({ method: m, url: r.url });
  });
  app.decorate('community', new CommunityCache(deps.db));
  const groupNames = new GroupNameCache(deps.db);
  app.decorate('groupNames', groupNames);
  const live = new LiveHub(deps.databaseUrl, (m) => app.log.warn(m));
  app.decorate('live', live);
  const glossary = new GlossaryService(deps.db);
  app.decorate('glossary', glossary);
  app.addHook('onClose', async () => live.close());
  const pageCache = new PageCache({ ttlMs: config.pageCacheSeconds * 1000, maxEntries: 2000, maxBytes: config.pageCacheMb * 1024 * 1024, databaseUrl: deps.databaseUrl, log: (m) => app.log.warn(m) });
  app.decorate('pageCache', pageCache);
  app.addHook('onClose', async () => pageCache.close());
  if (config.pageCacheSeconds > 0) app.addHook('onReady', async () => pageCache.listen());
  const sessionCache = new SessionCache({ ttlMs: config.sessionCacheSeconds * 1000, databaseUrl: deps.databaseUrl, log: (m) => app.log.warn(m) });
  app.decorate('sessionCache', sessionCache);
  app.addHook('onClose', async () => sessionCache.close());
  if (config.sessionCacheSeconds > 0) app.addHook('onReady', async () => sessionCache.listen());
  // Every cache together stays well inside the heap: past 60 % of it, they are dropped (platform/memory.ts).
  const heap = watchHeap(
    () => {
      pageCache.clear();
      glossary.dropAnnotated();
    },
    { log: (m) => app.log.info(m) },
  );
  app.addHook('onClose', async () => heap.stop());
  registerJobs({ db: deps.db, jobs: deps.jobs, mailer: deps.mailer, config });
  if (config.inboundSmtp) {
    const inbound = config.inboundSmtp;
    const ownDomains = [...new Set([config.inboundDomain!, bareAddress(mailFrom(config)).split('@')[1] ?? ''].filter(Boolean))];
    app.decorate('mailListener', undefined);
    app.addHook('onReady', async () => {
      app.mailListener = await startMailListener(
        { db: deps.db, jobs: deps.jobs, mailer: deps.mailer, config, glossary, files: uploadStore(config.dataDir), resolver: deps.dnsResolver, ownDomains },
        { ...inbound, maxBytes: config.inboundMaxBytes ?? 25 * 1024 * 1024, log: (m) => app.log.warn(m) },
      );
    });
    app.addHook('onClose', async () => app.mailListener?.close());
  }
  // Reference-typed decorations start as null and are set first thing in onRequest.
  app.decorateRequest('actor', null as never);
  app.decorateRequest('locale', 'en');
  app.decorateRequest('t', null as never);
  app.decorateRequest('sessionToken', undefined);
  app.decorateRequest('noPageCache', false);

  registerParsers(app);
  installErrorHandling(app);
  // Every list in the API answers with the same pagination object.
  installPagination(app, config.baseUrl);

  await app.register(cookie, { secret: config.sessionSecret, hook: 'onRequest' });
  installSecurityHeaders(app, { secure: config.secure });
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: config.secure ? '__Host-convene_csrf' : 'convene_csrf',
    cookieOpts: { path: '/', sameSite: 'lax', httpOnly: true, signed: true, secure: config.secure },
  });

  // Who is asking, and in which language: every request gets an actor (anonymous by default).
  app.addHook('onRequest', async (request, reply) => {
    request.actor = ANONYMOUS;
    request.t = translator('en');
    checkQuery(request.url);
    if (request.url.startsWith('/assets/')) return;
    const auth = request.headers.authorization;
    const bearerToken = auth !== undefined && /^Bearer(\s|$)/i.test(auth);
    // Another scheme (HTTP Basic from a proxy in front, say) means nothing to pages; the API says what it wants.
    if (auth !== undefined && !bearerToken && request.url.startsWith('/api/')) {
      throw new AppError('unauthenticated', { fields: { authorization: request.t('accounts.bearer_required') } });
    }
    if (bearerToken) {
      const m = /^Bearer\s+(\S+)$/i.exec(auth!);
      const found = m ? await resolveApiToken(deps.db, m[1]!) : undefined;
      if (!found) throw new AppError('unauthenticated', { fields: { authorization: request.t('accounts.bearer_invalid') } });
      request.actor = await loadActor(deps.db, found.userId, 'token');
      request.tokenOrigin = found.origin;
    } else {
      const raw = request.cookies[sessionCookieName(config.secure)];
      const un = raw ? request.unsignCookie(raw) : undefined;
      if (un?.valid && un.value) {
        const actor = await resolveSessionActor(deps.db, un.value, unreadCountSubquery(), sessionCache);
        if (actor?.kind === 'user') {
          request.actor = actor;
          request.sessionToken = un.value;
        }
        if (!request.sessionToken) reply.clearCookie(sessionCookieName(config.secure), { path: '/' });
      }
    }
    const cookieLang = request.cookies[LANG_COOKIE];
    const locale: Locale =
      request.actor.kind === 'user' && isLocale(request.actor.locale)
        ? request.actor.locale
        : isLocale(cookieLang)
          ? cookieLang
          : negotiate(request.headers['accept-language']);
    request.locale = locale;
    request.t = translator(locale);
    reply.header('content-language', locale);
    reply.header('vary', 'Cookie, Accept-Language');
  });

  // A successful write changes what its author sees next (memberships, settings, a session ended):
  // forget them here before answering; the database's notice tells the other processes.
  if (config.sessionCacheSeconds > 0) {
    app.addHook('onSend', async (request, reply, payload) => {
      if (request.method !== 'GET' && request.method !== 'HEAD' && reply.statusCode < 400 && request.actor.kind === 'user') sessionCache.forgetUser(request.actor.id);
      return payload;
    });
  }

  // Per-address budgets, shared by every process (the per-person limits live in the commands):
  // all writes (posting, uploads, sign-in, sign-up, resets, reports), searches and exports.
  // Searches are counted once the route is known, in one statement with the route's own budget (`config.budget`).
  const addressKey = (request: FastifyRequest, name: string) => `${name}:ip:${keyedHash(config.sessionSecret, request.ip)}`;
  app.addHook('onRequest', async (request) => {
    const budget = addressBudget(request.method, request.url);
    if (!budget || budget.name === 'search') return;
    await hit(deps.db, addressKey(request, budget.name), budget.limit);
  });
  app.addHook('preHandler', async (request) => {
    const hits: { key: string; limit: Limit }[] = [];
    const budget = addressBudget(request.method, request.url);
    if (budget?.name === 'search') hits.push({ key: addressKey(request, budget.name), limit: budget.limit });
    const own = (request.routeOptions.config as { budget?: RouteBudget } | undefined)?.budget?.(request);
    if (own) hits.push(own);
    if (hits.length > 0) await hitAll(deps.db, hits);
  });

  // Signed-out visitors get a recent copy of a page when one is cached (see page-cache.ts).
  if (config.pageCacheSeconds > 0) {
    app.addHook('onRequest', async (request, reply) => {
      if (request.method !== 'GET' || request.actor.kind !== 'anonymous' || request.cookies[FLASH_COOKIE] || request.url.startsWith('/api/')) return;
      const hit = pageCache.get(PageCache.key(request.locale, viewerTimeZone(request), request.url));
      if (!hit) return;
      return reply.code(200).type('text/html; charset=utf-8').header('x-convene-cache', 'hit').send(hit.body);
    });
    // Any successful write may change what visitors see: forget cached pages here and everywhere.
    app.addHook('onSend', async (request, reply, payload) => {
      if (request.method !== 'GET' && request.method !== 'HEAD' && reply.statusCode < 400) await pageCache.changed(deps.db).catch(() => pageCache.clear());
      return payload;
    });
  }

  // CSRF: every state-changing request from a browser carries the form's token.
  // API calls authenticated by bearer token carry no ambient credential, so need none;
  // neither do anonymous API calls, which any write then refuses with 401.
  app.addHook('preHandler', (request, reply, done) => {
    const method = request.method;
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return done();
    if (request.routeOptions.config && (request.routeOptions.config as { csrf?: boolean }).csrf === false) return done();
    if (request.actor.kind === 'user' && request.actor.via === 'token') return done();
    if (request.url.startsWith('/api/') && !request.sessionToken) return done();
    app.csrfProtection(request, reply, done);
  });

  // Roles that must use two-factor sign-in can do nothing else until it is set up.
  app.addHook('preHandler', async (request, reply) => {
    const a = request.actor;
    if (a.kind !== 'user' || a.twoFactor || !config.twoFactorRoles.includes(a.role)) return;
    // A token an operator made with `convene create-token` (database access, so trusted) works for scripts.
    if (a.via === 'token' && request.tokenOrigin === 'cli') return;
    const p = request.url.split('?')[0]!;
    if (TWO_FACTOR_OPEN.some((x) => p === x || p.startsWith(`${x}/`))) return;
    if (request.method === 'GET' && a.via === 'session' && !p.startsWith('/api/')) {
      setFlash(reply, { kind: 'warning', message: request.t('two_factor.required_notice') });
      return reply.redirect('/settings/two-factor', 303);
    }
    throw new AppError('forbidden', { fields: { _: request.t('two_factor.set_up_first') } });
  });

  await app.register(fastifyStatic, {
    root: path.join(ROOT, 'node_modules/@uswds/uswds/dist'),
    prefix: '/assets/uswds/',
    maxAge: '7d',
    immutable: true,
    decorateReply: false,
  });
  await app.register(fastifyStatic, {
    root: path.join(ROOT, 'public'),
    prefix: '/assets/',
    maxAge: '1h',
    decorateReply: false,
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Convene API', version: '1', description: 'The JSON API of Convene, a platform for communities of practice.' },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A personal API token from POST /api/v1/tokens' } },
      },
    },
    hideUntagged: true,
    transformObject: (documentObject) => withDocumentedBodies(('openapiObject' in documentObject ? documentObject.openapiObject : documentObject.swaggerObject) as Record<string, unknown>) as never,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true, uiConfig: { docExpansion: 'list' } });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(healthRoutes);
  await app.register(accountRoutes);
  await app.register(oidcRoutes);
  await app.register(communityRoutes);
  await app.register(groupRoutes);
  await app.register(adminRoutes);
  await app.register(discussionRoutes);
  await app.register(postRoutes);
  await app.register(searchRoutes);
  await app.register(latestRoutes);
  await app.register(bookmarkRoutes);
  await app.register(photoRoutes);
  await app.register(conversationRoutes);
  await app.register(discussionApiRoutes);
  await app.register(notificationRoutes);
  await app.register(resourceRoutes);
  await app.register(reachRoutes);
  await app.register(glossaryRoutes);
  await app.register(agendaRoutes);
  await app.register(eventRoutes);
  await app.register(analyticsRoutes);
  await app.register(emailRoutes);
  await app.register(importRoutes);
  await app.register(webhookRoutes);
  await app.register(valueRoutes);
  await app.register(translationRoutes);
  await app.register(pwaRoutes);
  await app.register(trustRoutes);
  return app;
}
