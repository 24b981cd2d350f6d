import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { h } from 'preact';
import { AppError } from '../platform/http/errors.js';
import { submitForm } from '../platform/http/forms.js';
import { renderFor, requireUser, setFlash } from '../platform/http/request-context.js';
import { Line, RequiredText, errorResponses } from '../platform/http/schema-helpers.js';
import { emptyForm, type FormState } from '../platform/views/forms.js';
import { groupAddress, mailInEnabled } from './addresses.js';
import { discardHeld, getHeld, heldWarnings, listHeld, publishHeld } from './held.js';
import { listChoices, readListUnsubscribeToken, setListGroups } from './list-mode.js';
import { EmailSettingsView, HeldListView, HeldView } from './views.js';
import { UnsubscribeView } from '../notifications/views.js';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 53 }) });
const TokenParams = Type.Object({ token: Type.String({ maxLength: 100 }) });
const Slugs = Type.Array(Type.String({ maxLength: 100, pattern: '^[a-z0-9-]+$' }), { maxItems: 200, uniqueItems: true });
const ListInput = Type.Object({ groups: Slugs });

const HeldInput = Type.Object({
  title: Type.Optional(Line(200)),
  body: RequiredText(50_000),
  acknowledge_privacy: Type.Optional(Type.Boolean()),
  acknowledge_jargon: Type.Optional(Type.Boolean()),
});

const ListSchema = Type.Object({
  reply_by_email: Type.Boolean({ description: 'Notifications carry an address to reply to' }),
  groups: Type.Array(
    Type.Object({
      slug: Type.String(),
      name: Type.String(),
      mailing_list: Type.Boolean({ description: 'Every new post in the group arrives as its own email' }),
      posting_address: Type.Union([Type.String(), Type.Null()], { description: 'Mail from you to this address starts a thread' }),
    }),
  ),
});

const listUnsubscribeText = (t: (k: string, p?: Record<string, unknown>) => string, group: string) => ({
  lead: t('mail_in.unsubscribe.lead', { group }),
  button: t('mail_in.unsubscribe.button'),
  done: t('mail_in.unsubscribe.done', { group }),
  settings: { href: '/settings/by-email', label: t('mail_in.unsubscribe.settings_link') },
});

/** Email participation: mailing-list mode, messages held from email, and leaving a list in one click. */
export const emailRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db, jobs, config } = app.deps;
  const glossary = app.glossary;

  // ---- settings: mailing-list mode --------------------------------------------------------------
  const settingsPage = async (request: FastifyRequest, reply: FastifyReply, form?: FormState, status = 200) => {
    const actor = requireUser(request);
    const groups = await listChoices(db, actor.id);
    const initial = form ?? emptyForm({ groups: groups.filter((g) => g.subscribed_at).map((g) => g.slug) });
    return renderFor(
      app,
      request,
      reply,
      (ctx) => ({
        title: ctx.t('mail_in.settings.title'),
        lead: ctx.t('mail_in.settings.lead'),
        hasErrors: status >= 400,
        breadcrumbs: [{ label: ctx.t('settings.title'), href: '/settings' }],
        children: h(EmailSettingsView, {
          ctx,
          form: initial,
          groups: groups.map((g) => ({ slug: g.slug, name: g.name, address: mailInEnabled(config) ? groupAddress(config, g.slug) : null })),
          replyByEmail: mailInEnabled(config),
        }),
      }),
      status,
    );
  };
  app.get('/settings/by-email', async (request, reply) => settingsPage(request, reply));
  app.post('/settings/by-email', async (request, reply) => {
    const actor = requireUser(request);
    return submitForm({
      schema: ListInput,
      request,
      reply,
      // Checkboxes: none ticked sends nothing; one ticked sends a string.
      prepare: (v) => ({ groups: v.groups === undefined ? [] : [v.groups].flat() }),
      render: (form, status) => settingsPage(request, reply, form, status),
      run: async (input) => {
        await setListGroups(db, actor, input.groups);
        setFlash(reply, { kind: 'success', message: request.t('mail_in.settings.saved') });
        return reply.redirect('/settings/by-email', 303);
      },
    });
  });

  const presentList = async (userId: number) => ({
    reply_by_email: mailInEnabled(config),
    groups: (await listChoices(db, userId)).map((g) => ({ slug: g.slug, name: g.name, mailing_list: g.subscribed_at !== null, posting_address: mailInEnabled(config) ? groupAddress(config, g.slug) : null })),
  });
  app.get(
    '/api/v1/me/mailing-list',
    { schema: { tags: ['notifications'], summary: 'Your groups, which of them arrive as a mailing list, and their posting addresses', security: [{ bearer: [] }], response: { 200: ListSchema, ...errorResponses(401) } } },
    async (request) => presentList(requireUser(request).id),
  );
  app.put(
    '/api/v1/me/mailing-list',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Choose the groups whose every new post comes to you as its own email (groups you are an active member of)',
        security: [{ bearer: [] }],
        body: ListInput,
        response: { 200: ListSchema, ...errorResponses(400, 401) },
      },
    },
    async (request) => {
      const actor = requireUser(request);
      await setListGroups(db, actor, request.body.groups);
      return presentList(actor.id);
    },
  );

  // ---- messages held from email ------------------------------------------------------------------
  app.get('/held', async (request, reply) => {
    const actor = requireUser(request);
    const items = await listHeld(db, actor);
    return renderFor(app, request, reply, (ctx) => ({
      title: ctx.t('mail_in.held_page.list_title'),
      lead: ctx.t('mail_in.held_page.list_lead'),
      breadcrumbs: [{ label: ctx.t('settings.title'), href: '/settings' }],
      children: h(HeldListView, { ctx, items }),
    }));
  });

  const heldPage = async (request: FastifyRequest, reply: FastifyReply, id: number, form?: FormState, status = 200) => {
    const actor = requireUser(request);
    const held = await getHeld(db, actor, id);
    const initial = form ?? { values: { title: held.title ?? '', body: held.body }, errors: await heldWarnings(glossary, held, request.t) };
    return renderFor(
      app,
      request,
      reply,
      (ctx) => ({
        title: ctx.t('mail_in.held_page.title'),
        hasErrors: status >= 400,
        breadcrumbs: [{ label: ctx.t('mail_in.held_page.list_title'), href: '/held' }],
        children: h(HeldView, { ctx, form: initial, held }),
      }),
      status,
    );
  };
  app.get('/held/:id', { schema: { params: IdParams } }, async (request, reply) => heldPage(request, reply, request.params.id));
  app.post('/held/:id', { schema: { params: IdParams } }, async (request, reply) => {
    const actor = requireUser(request);
    const held = await getHeld(db, actor, request.params.id);
    return submitForm({
      schema: HeldInput,
      request,
      reply,
      prepare: (v) => ({ ...v, ...(held.group_id === null ? { title: undefined } : {}) }),
      render: (form, status) => heldPage(request, reply, held.id, form, status),
      run: async (input) => {
        const r = await publishHeld({ db, jobs, glossary }, actor, held, input);
        setFlash(reply, { kind: 'success', message: request.t('mail_in.held_page.published') });
        return reply.redirect(`/threads/${r.threadId}#post-${r.postId}`, 303);
      },
    });
  });
  app.post('/held/:id/discard', { schema: { params: IdParams } }, async (request, reply) => {
    const actor = requireUser(request);
    await discardHeld(db, actor, request.params.id);
    setFlash(reply, { kind: 'success', message: request.t('mail_in.held_page.discarded') });
    return reply.redirect('/held', 303);
  });

  // ---- leaving a list in one click (RFC 8058) --------------------------------------------------------
  const listOf = async (token: string) => {
    const who = readListUnsubscribeToken(config.sessionSecret, token);
    if (!who) throw new AppError('not_found');
    const group = await db.selectFrom('practice_groups').select(['name']).where('id', '=', who.groupId).executeTakeFirst();
    return { ...who, groupName: group?.name ?? '' };
  };
  app.get('/unsubscribe/list/:token', { schema: { params: TokenParams } }, async (request, reply) => {
    const list = await listOf(request.params.token);
    return renderFor(app, request, reply, (ctx) => ({ title: ctx.t('mail_in.unsubscribe.title'), children: h(UnsubscribeView, { ctx, action: `/unsubscribe/list/${encodeURIComponent(request.params.token)}`, done: false, text: listUnsubscribeText(ctx.t, list.groupName) }) }));
  });
  app.post('/unsubscribe/list/:token', { schema: { params: TokenParams }, config: { csrf: false } }, async (request, reply) => {
    const list = await listOf(request.params.token);
    await db.deleteFrom('list_subscriptions').where('user_id', '=', list.userId).where('group_id', '=', list.groupId).execute();
    return renderFor(app, request, reply, (ctx) => ({ title: ctx.t('mail_in.unsubscribe.title'), children: h(UnsubscribeView, { ctx, action: `/unsubscribe/list/${encodeURIComponent(request.params.token)}`, done: true, text: listUnsubscribeText(ctx.t, list.groupName) }) }));
  });
};
