import { listOf } from '../platform/http/pagination.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { h } from 'preact';
import { authorize, can } from '../platform/auth/policy.js';
import { AppError } from '../platform/http/errors.js';
import { renderFor, setFlash, safeNext, requireUser } from '../platform/http/request-context.js';
import { Enum, errorResponses } from '../platform/http/schema-helpers.js';
import { validate } from '../platform/http/validation.js';
import { getVisibleGroup } from '../groups/queries.js';
import { getThread, threadSubject } from '../discussions/queries.js';
import { WATCH_LEVELS, setGroupWatch, setThreadWatch } from './watch.js';
import { NOTIFICATIONS_PAGE, listNotifications, markRead, unreadCount } from './queries.js';
import { readUnsubscribeToken } from './notify.js';
import { removeSubscription, saveSubscription, subscriptionsOf, vapidKeys } from './push.js';
import { checkUrlAddress } from '../webhooks/address.js';
import { NotificationSettingsView, NotificationsView, UnsubscribeView } from './views.js';

export const EMAIL_FREQUENCIES = ['immediate', 'daily', 'weekly', 'off'] as const;

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 53 }) });
const SlugParams = Type.Object({ slug: Type.String({ maxLength: 100 }) });
const WatchInput = Type.Object({ level: Enum(WATCH_LEVELS), next: Type.Optional(Type.String({ maxLength: 500 })) });
const FrequencyInput = Type.Object({ email_notifications: Enum(EMAIL_FREQUENCIES) });

const NotificationSchema = Type.Object({
  id: Type.Integer(),
  kind: Type.String({ enum: ['mention', 'reply', 'watched_post', 'new_thread', 'moderation', 'reminder'] }),
  thread: Type.Union([Type.Object({ id: Type.Integer(), title: Type.String() }), Type.Null()]),
  post_id: Type.Union([Type.Integer(), Type.Null()]),
  group: Type.Union([Type.String(), Type.Null()]),
  actor: Type.Union([Type.String(), Type.Null()]),
  action: Type.Union([Type.String(), Type.Null()]),
  excerpt: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  read: Type.Boolean(),
});

const unsubscribeText = (t: (k: string) => string) => ({
  lead: t('notifications.unsubscribe_lead'),
  button: t('notifications.unsubscribe_button'),
  done: t('notifications.unsubscribed'),
  settings: { href: '/settings/notifications', label: t('notifications.settings_link') },
});

/** In-app notifications, watch levels, email preferences, one-click unsubscribe and @handle links. */
export const notificationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db, config } = app.deps;


  // ---- the notifications page --------------------------------------------------------------
  app.get('/notifications', { schema: { querystring: Type.Object({ page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }) } }, async (request, reply) => {
    const actor = requireUser(request);
    const page = request.query.page ?? 1;
    const { items, more } = await listNotifications(db, actor, page);
    return renderFor(app, request, reply, (ctx) => ({ title: ctx.t('notifications.title'), children: h(NotificationsView, { ctx, items, more, page }) }));
  });
  app.post('/notifications/read', async (request, reply) => {
    const actor = requireUser(request);
    const raw = (request.body as Record<string, unknown> | undefined)?.id;
    const id = raw === undefined ? undefined : Number(raw);
    if (id !== undefined && (!Number.isSafeInteger(id) || id < 1)) throw new AppError('validation_failed', { fields: { id: request.t('validation.number') } });
    await markRead(db, actor.id, id === undefined ? undefined : [id]);
    actor.unreadNotifications = undefined;
    if (id === undefined) setFlash(reply, { kind: 'success', message: request.t('notifications.all_read') });
    return reply.redirect('/notifications', 303);
  });

  // ---- email preferences ---------------------------------------------------------------------
  const settingsPage = async (request: FastifyRequest, reply: FastifyReply, errors: Record<string, string> = {}, status = 200) => {
    const actor = requireUser(request);
    const user = await db.selectFrom('users').select(['email_notifications', 'handle']).where('id', '=', actor.id).executeTakeFirstOrThrow();
    const groups = await db
      .selectFrom('group_memberships as m')
      .innerJoin('practice_groups as g', 'g.id', 'm.group_id')
      .leftJoin('group_watches as w', (j) => j.onRef('w.group_id', '=', 'g.id').on('w.user_id', '=', actor.id))
      .select(['g.slug', 'g.name', 'w.level'])
      .where('m.user_id', '=', actor.id)
      .where('m.status', '=', 'active')
      .where('g.archived_at', 'is', null)
      .orderBy('g.name')
      .execute();
    const devices = await subscriptionsOf(db, actor.id);
    return renderFor(
      app,
      request,
      reply,
      (ctx) => ({
        title: ctx.t('notifications.settings_title'),
        hasErrors: status >= 400,
        breadcrumbs: [{ label: ctx.t('settings.title'), href: '/settings' }],
        children: h(NotificationSettingsView, {
          ctx,
          frequency: user.email_notifications,
          handle: user.handle,
          groups: groups.map((g) => ({ ...g, level: g.level ?? 'normal' })),
          errors,
          devices,
          pushKey: vapidKeys(config).publicKey,
        }),
      }),
      status,
    );
  };
  app.get('/settings/notifications', async (request, reply) => settingsPage(request, reply));
  app.post('/settings/notifications', async (request, reply) => {
    const actor = requireUser(request);
    const r = validate(FrequencyInput, request.body, request.t);
    if (!r.ok) return settingsPage(request, reply, r.errors, 400);
    await db.updateTable('users').set({ email_notifications: r.value.email_notifications, updated_at: new Date() }).where('id', '=', actor.id).execute();
    setFlash(reply, { kind: 'success', message: request.t('notifications.settings_saved') });
    return reply.redirect('/settings/notifications', 303);
  });

  // ---- push notifications on a device -------------------------------------------------------
  const PushSubscriptionInput = Type.Object({
    endpoint: Type.String({ minLength: 10, maxLength: 1000 }),
    keys: Type.Object({ p256dh: Type.String({ minLength: 20, maxLength: 200, pattern: '^[A-Za-z0-9_-]+=*$' }), auth: Type.String({ minLength: 8, maxLength: 100, pattern: '^[A-Za-z0-9_-]+=*$' }) }),
    label: Type.Optional(Type.String({ maxLength: 100 })),
  });
  app.get('/api/v1/push/key', { schema: { tags: ['notifications'], summary: "The server's VAPID public key, to subscribe a device to push notifications", response: { 200: Type.Object({ public_key: Type.String() }) } } }, async () => ({
    public_key: vapidKeys(config).publicKey,
  }));
  app.put(
    '/api/v1/me/push-subscriptions',
    {
      schema: {
        tags: ['notifications'],
        summary: "Turn on push notifications for a device (its browser's PushSubscription)",
        security: [{ bearer: [] }],
        body: PushSubscriptionInput,
        response: { 204: Type.Null(), ...errorResponses(400, 401) },
      },
    },
    async (request, reply) => {
      const actor = requireUser(request);
      // The server will send to this address: a public HTTPS one only (unless a local test service is allowed).
      if (await checkUrlAddress(request.body.endpoint, !!config.pushAllowPrivate)) throw new AppError('validation_failed', { fields: { endpoint: request.t('push.bad_endpoint') } });
      const agent = String(request.headers['user-agent'] ?? '');
      const label = request.body.label?.trim() || (/Android/.test(agent) ? 'Android' : /iPhone|iPad/.test(agent) ? 'iPhone or iPad' : /Mac OS/.test(agent) ? 'Mac' : /Windows/.test(agent) ? 'Windows' : /Linux/.test(agent) ? 'Linux' : '');
      await saveSubscription(db, actor.id, request.body, label);
      return reply.code(204).send(null);
    },
  );
  app.delete(
    '/api/v1/me/push-subscriptions',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Turn off push notifications for a device',
        security: [{ bearer: [] }],
        body: Type.Object({ endpoint: Type.String({ minLength: 10, maxLength: 1000 }) }),
        response: { 204: Type.Null(), ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      if (!(await removeSubscription(db, requireUser(request).id, { endpoint: request.body.endpoint }))) throw new AppError('not_found');
      return reply.code(204).send(null);
    },
  );
  app.post('/settings/push/:id/delete', { schema: { params: IdParams } }, async (request, reply) => {
    if (!(await removeSubscription(db, requireUser(request).id, { id: request.params.id }))) throw new AppError('not_found');
    setFlash(reply, { kind: 'success', message: request.t('push.removed') });
    return reply.redirect('/settings/notifications#push-heading', 303);
  });

  // ---- watch levels ----------------------------------------------------------------------------
  async function watchGroup(request: FastifyRequest, slug: string, level: (typeof WATCH_LEVELS)[number]) {
    const actor = requireUser(request);
    const group = await getVisibleGroup(db, actor, slug);
    await setGroupWatch(db, actor.id, group.id, level);
    return group;
  }
  async function watchThread(request: FastifyRequest, id: number, level: (typeof WATCH_LEVELS)[number]) {
    const actor = requireUser(request);
    const thread = await getThread(db, id);
    if (!thread) throw new AppError('not_found');
    authorize(actor, 'thread.view', threadSubject(thread));
    await setThreadWatch(db, actor.id, thread.id, level);
    return thread;
  }
  app.post('/groups/:slug/watch', { schema: { params: SlugParams } }, async (request, reply) => {
    const r = validate(WatchInput, request.body, request.t);
    if (!r.ok) throw new AppError('validation_failed', { fields: r.errors });
    const group = await watchGroup(request, request.params.slug, r.value.level);
    setFlash(reply, { kind: 'success', message: request.t(`notifications.watch_set.${r.value.level}`) });
    return reply.redirect(safeNext(r.value.next, `/groups/${group.slug}`), 303);
  });
  app.post('/threads/:id/watch', { schema: { params: IdParams } }, async (request, reply) => {
    const r = validate(WatchInput, request.body, request.t);
    if (!r.ok) throw new AppError('validation_failed', { fields: r.errors });
    const thread = await watchThread(request, request.params.id, r.value.level);
    setFlash(reply, { kind: 'success', message: request.t(`notifications.watch_set.${r.value.level}`) });
    return reply.redirect(`/threads/${thread.id}`, 303);
  });

  // ---- one-click unsubscribe (RFC 8058) ---------------------------------------------------------
  const TokenParams = Type.Object({ token: Type.String({ maxLength: 100 }) });
  app.get('/unsubscribe/:token', { schema: { params: TokenParams } }, async (request, reply) => {
    const userId = readUnsubscribeToken(config.sessionSecret, request.params.token);
    if (!userId) throw new AppError('not_found');
    reply.header('x-robots-tag', 'noindex');
    return renderFor(app, request, reply, (ctx) => ({ title: ctx.t('notifications.unsubscribe_title'), children: h(UnsubscribeView, { ctx, action: `/unsubscribe/${encodeURIComponent(request.params.token)}`, done: false, text: unsubscribeText(ctx.t) }) }));
  });
  // Mail programs post here without a session or CSRF token: the token in the URL is the credential.
  app.post('/unsubscribe/:token', { schema: { params: TokenParams }, config: { csrf: false } }, async (request, reply) => {
    const userId = readUnsubscribeToken(config.sessionSecret, request.params.token);
    if (!userId) throw new AppError('not_found');
    await db.updateTable('users').set({ email_notifications: 'off', updated_at: new Date() }).where('id', '=', userId).execute();
    reply.header('x-robots-tag', 'noindex');
    return renderFor(app, request, reply, (ctx) => ({ title: ctx.t('notifications.unsubscribe_title'), children: h(UnsubscribeView, { ctx, action: `/unsubscribe/${encodeURIComponent(request.params.token)}`, done: true, text: unsubscribeText(ctx.t) }) }));
  });

  // ---- @handle links ---------------------------------------------------------------------------------
  app.get('/u/:handle', { schema: { params: Type.Object({ handle: Type.String({ maxLength: 40 }) }) } }, async (request, reply) => {
    const person = await db
      .selectFrom('users')
      .select(['id', 'hidden', 'is_youth', 'deactivated_at', 'visibility'])
      .where(({ fn }) => fn('lower', ['handle']), '=', request.params.handle.toLowerCase())
      .executeTakeFirst();
    if (!person || !can(request.actor, 'person.view', person)) throw new AppError('not_found');
    return reply.redirect(`/people/${person.id}`, 302);
  });

  // ---- API -----------------------------------------------------------------------------------------------
  app.get(
    '/api/v1/notifications',
    { config: { list: { items: 'notifications', perPage: NOTIFICATIONS_PAGE } }, schema: {
        tags: ['notifications'],
        summary: 'Your notifications, newest first, and how many are unread',
        security: [{ bearer: [] }],
        querystring: Type.Object({ page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }),
        response: { 200: listOf({ unread: Type.Integer(), notifications: Type.Array(NotificationSchema), more: Type.Boolean() }), ...errorResponses(401) },
      },
    },
    async (request) => {
      const actor = requireUser(request);
      const [{ items, more }, unread] = await Promise.all([listNotifications(db, actor, request.query.page ?? 1), unreadCount(db, actor)]);
      return {
        unread,
        more,
        notifications: items.map((n) => ({
          id: n.id,
          kind: n.kind,
          thread: n.thread_id ? { id: n.thread_id, title: n.thread_title ?? '' } : null,
          post_id: n.post_id,
          group: n.group_name,
          actor: n.actor_name,
          action: n.action,
          excerpt: n.excerpt,
          created_at: n.created_at.toISOString(),
          read: n.read_at !== null,
        })),
      };
    },
  );
  app.post(
    '/api/v1/notifications/read',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Mark notifications read (all of them when no ids are given)',
        security: [{ bearer: [] }],
        body: Type.Object({ ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 2 ** 53 }), { maxItems: 500 })) }),
        response: { 200: Type.Object({ marked: Type.Integer() }), ...errorResponses(400, 401) },
      },
    },
    async (request) => ({ marked: await markRead(db, requireUser(request).id, request.body.ids) }),
  );
  const WatchBody = Type.Object({ level: Enum(WATCH_LEVELS) });
  const watchResponse = { 200: Type.Object({ level: Type.String() }), ...errorResponses(400, 401, 404) };
  app.put(
    '/api/v1/groups/:slug/watch',
    { schema: { tags: ['notifications'], summary: 'Set your watch level for a group', security: [{ bearer: [] }], params: SlugParams, body: WatchBody, response: watchResponse } },
    async (request) => {
      await watchGroup(request, request.params.slug, request.body.level);
      return { level: request.body.level };
    },
  );
  app.put(
    '/api/v1/threads/:id/watch',
    { schema: { tags: ['notifications'], summary: 'Set your watch level for a thread', security: [{ bearer: [] }], params: IdParams, body: WatchBody, response: watchResponse } },
    async (request) => {
      await watchThread(request, request.params.id, request.body.level);
      return { level: request.body.level };
    },
  );
};
