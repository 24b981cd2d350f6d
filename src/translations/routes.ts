import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { h } from 'preact';
import { authorize, can } from '../platform/auth/policy.js';
import { submitForm } from '../platform/http/forms.js';
import { renderFor, requireUser, setFlash } from '../platform/http/request-context.js';
import { errorResponses } from '../platform/http/schema-helpers.js';
import { documentBodyless } from '../platform/http/openapi.js';
import { listOf } from '../platform/http/pagination.js';
import { emptyForm, type FormState } from '../platform/views/forms.js';
import { paragraphsHtml } from '../platform/text.js';
import { renderMarkdown } from '../discussions/markdown.js';
import { CONTENT, otherLang } from '../platform/i18n/content.js';
import { AppError } from '../platform/http/errors.js';
import {
  TranslationInput,
  needsTranslation,
  openRequests,
  postTarget,
  removeTranslation,
  requestTranslation,
  resourceTarget,
  saveTranslation,
  translationHistory,
  translationOf,
  type Target,
} from './translations.js';
import { NeedsTranslationView, TranslateFormView, TranslationsView } from './views.js';

const PostParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 53 }) });
const SlugParams = Type.Object({ slug: Type.String({ maxLength: 120 }) });

const TranslationSchema = Type.Object({
  id: Type.Integer(),
  language: Type.String({ description: 'The language the translation is in (en or es)' }),
  title: Type.String({ description: 'A resource’s title; empty for posts' }),
  body: Type.String({ description: 'The post’s text, or the resource’s summary, in Markdown' }),
  translator: Type.Union([Type.String(), Type.Null()]),
  corrector: Type.Union([Type.String(), Type.Null()]),
  outdated: Type.Boolean({ description: 'The post was edited after this was written' }),
  version: Type.Integer(),
  updated_at: Type.String({ format: 'date-time' }),
});
const RequestAnswer = Type.Object({ status: Type.Union([Type.Literal('asked'), Type.Literal('already'), Type.Literal('exists')]) });

/** Members translating posts and resources for each other; facilitators' list of what lacks a language. */
export const translationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db, jobs } = app.deps;

  const targetOf = (request: FastifyRequest, kind: 'post' | 'resource', key: number | string) => (kind === 'post' ? postTarget(db, request.actor, key as number) : resourceTarget(db, request.actor, key as string));
  const translateAction = (t: Target) => (t.kind === 'post' ? 'post.translate' : 'resource.translate');

  // ---- asking ---------------------------------------------------------------------------------------
  const ask = async (request: FastifyRequest, reply: FastifyReply, target: Target) => {
    requireUser(request);
    const outcome = await requestTranslation(db, jobs, request.actor, target);
    const language = request.t(`translate.language.${otherLang(target.language)}`);
    setFlash(reply, { kind: outcome === 'asked' ? 'success' : 'info', message: request.t(outcome === 'asked' ? 'translate.member.asked' : outcome === 'already' ? 'translate.member.already_asked' : 'translate.member.exists', { language }) });
    return reply.redirect(target.kind === 'post' ? target.url : `${target.url}#translation`, 303);
  };
  app.post('/posts/:id/translation-request', { schema: { params: PostParams } }, async (request, reply) => ask(request, reply, await targetOf(request, 'post', request.params.id)));
  app.post('/resources/:slug/translation-request', { schema: { params: SlugParams } }, async (request, reply) => ask(request, reply, await targetOf(request, 'resource', request.params.slug)));

  // ---- writing and correcting -------------------------------------------------------------------------
  const formPage = async (request: FastifyRequest, reply: FastifyReply, target: Target, form?: FormState, status = 200) => {
    authorize(request.actor, translateAction(target), target.subject as never);
    const language = otherLang(target.language);
    const existing = await translationOf(db, target, language);
    const history = existing ? await translationHistory(db, existing.id) : [];
    const action = target.kind === 'post' ? `/posts/${target.id}/translate` : `/resources/${target.resource.slug}/translate`;
    const originalHtml = target.kind === 'post' ? renderMarkdown(target.body) : paragraphsHtml(target.body);
    const mayRemove = target.kind === 'post' ? can(request.actor, 'thread.moderate', target.subject.thread) : can(request.actor, 'resource.update', target.subject);
    return renderFor(
      app,
      request,
      reply,
      (ctx) => ({
        title: ctx.t(existing ? 'translate.member.edit_title' : 'translate.member.new_title', { language: ctx.t(`translate.language.${language}`) }),
        hasErrors: status >= 400,
        breadcrumbs: [{ label: target.title, href: target.url }],
        children: h(TranslateFormView, {
          ctx,
          form: form ?? emptyForm(existing ? { title: existing.title, body: existing.body } : {}),
          action,
          kind: target.kind,
          original: { language: target.language, title: target.title, html: originalHtml },
          existing,
          history,
          removeAction: mayRemove ? (target.kind === 'post' ? `/posts/${target.id}/translation/delete` : `/resources/${target.resource.slug}/translation/delete`) : undefined,
        }),
      }),
      status,
    );
  };
  const save = (request: FastifyRequest, reply: FastifyReply, target: Target) =>
    submitForm({
      schema: TranslationInput,
      request,
      reply,
      render: (form, status) => formPage(request, reply, target, form, status),
      run: async (input) => {
        await saveTranslation(db, jobs, request.actor, target, input);
        setFlash(reply, { kind: 'success', message: request.t('translate.member.saved') });
        return reply.redirect(target.kind === 'post' ? target.url : `${target.url}#translation`, 303);
      },
    });
  app.get('/posts/:id/translate', { schema: { params: PostParams } }, async (request, reply) => {
    requireUser(request);
    return formPage(request, reply, await targetOf(request, 'post', request.params.id));
  });
  app.post('/posts/:id/translate', { schema: { params: PostParams } }, async (request, reply) => {
    requireUser(request);
    return save(request, reply, await targetOf(request, 'post', request.params.id));
  });
  app.get('/resources/:slug/translate', { schema: { params: SlugParams } }, async (request, reply) => {
    requireUser(request);
    return formPage(request, reply, await targetOf(request, 'resource', request.params.slug));
  });
  app.post('/resources/:slug/translate', { schema: { params: SlugParams } }, async (request, reply) => {
    requireUser(request);
    return save(request, reply, await targetOf(request, 'resource', request.params.slug));
  });

  // ---- removing one (moderators; for a resource, whoever may edit it) ------------------------------------
  const remove = async (request: FastifyRequest, reply: FastifyReply, target: Target) => {
    requireUser(request);
    await removeTranslation(db, request.actor, target);
    setFlash(reply, { kind: 'success', message: request.t('translate.member.removed') });
    return reply.redirect(target.kind === 'post' ? target.url : `${target.url}#translation`, 303);
  };
  app.post('/posts/:id/translation/delete', { schema: { params: PostParams } }, async (request, reply) => remove(request, reply, await targetOf(request, 'post', request.params.id)));
  app.post('/resources/:slug/translation/delete', { schema: { params: SlugParams } }, async (request, reply) => remove(request, reply, await targetOf(request, 'resource', request.params.slug)));

  // ---- the translators' page and the facilitators' list -------------------------------------------------
  app.get('/translations', async (request, reply) => {
    const user = requireUser(request);
    const [row, requests] = await Promise.all([db.selectFrom('users').select('translator').where('id', '=', user.id).executeTakeFirstOrThrow(), openRequests(db, user)]);
    return renderFor(app, request, reply, (ctx) => ({
      title: ctx.t('translate.member.waiting_title'),
      children: h(TranslationsView, { ctx, translator: row.translator, requests, canSeeNeeded: can(user, 'translation.needed', undefined) }),
    }));
  });
  app.post('/translations/translator', async (request, reply) => {
    const user = requireUser(request);
    const on = (request.body as Record<string, unknown> | undefined)?.translator === 'on';
    await db.updateTable('users').set({ translator: on, updated_at: new Date() }).where('id', '=', user.id).execute();
    setFlash(reply, { kind: 'success', message: request.t(on ? 'translate.member.translator_now_on' : 'translate.member.translator_now_off') });
    return reply.redirect('/translations', 303);
  });
  const NeededQuery = Type.Object({ kind: Type.Optional(Type.String({ maxLength: 40 })) });
  app.get('/translations/needed', { schema: { querystring: NeededQuery } }, async (request, reply) => {
    authorize(request.actor, 'translation.needed', undefined);
    const kind = request.query.kind && CONTENT[request.query.kind] ? request.query.kind : '';
    const rows = await needsTranslation(db, { kind: kind || undefined });
    return renderFor(app, request, reply, (ctx) => ({
      title: ctx.t('translate.needs.title'),
      lead: ctx.t('translate.needs.lead'),
      breadcrumbs: [{ label: ctx.t('translate.member.waiting_title'), href: '/translations' }],
      children: h(NeedsTranslationView, { ctx, rows, kind }),
    }));
  });

  // ---- JSON API ---------------------------------------------------------------------------------------------
  const present = (tr: NonNullable<Awaited<ReturnType<typeof translationOf>>>) => ({ ...tr, updated_at: tr.updated_at.toISOString() });
  const apiTargets = [
    { path: '/api/v1/posts/:id', params: PostParams, key: (p: Record<string, unknown>) => ['post', p.id] as const, tag: 'discussions' },
    { path: '/api/v1/resources/:slug', params: SlugParams, key: (p: Record<string, unknown>) => ['resource', p.slug] as const, tag: 'resources' },
  ];
  for (const a of apiTargets) {
    const load = (request: FastifyRequest) => {
      const [kind, key] = a.key(request.params as Record<string, unknown>);
      return targetOf(request, kind, key as never);
    };
    app.get(
      `${a.path}/translation`,
      { schema: { tags: [a.tag], summary: 'A member’s translation into the other language', params: a.params, response: { 200: TranslationSchema, ...errorResponses(404) } } },
      async (request) => {
        const target = await load(request);
        const tr = await translationOf(db, target, otherLang(target.language));
        if (!tr) throw new AppError('not_found');
        return present(tr);
      },
    );
    app.put(
      `${a.path}/translation`,
      {
        schema: {
          tags: [a.tag],
          summary: 'Write or correct the translation into the other language',
          security: [{ bearer: [] }],
          params: a.params,
          body: TranslationInput,
          response: { 200: TranslationSchema, 201: TranslationSchema, ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        requireUser(request);
        const target = await load(request);
        const r = await saveTranslation(db, jobs, request.actor, target, request.body);
        const tr = (await translationOf(db, target, otherLang(target.language)))!;
        return reply.code(r.created ? 201 : 200).send(present(tr));
      },
    );
    // Asking carries no body: the item is in the address.
    documentBodyless('POST', `${a.path}/translation-requests`);
    app.post(
      `${a.path}/translation-requests`,
      {
        schema: {
          tags: [a.tag],
          summary: 'Ask for a translation into the other language (members who read both are told)',
          security: [{ bearer: [] }],
          params: a.params,
          response: { 200: RequestAnswer, 201: RequestAnswer, ...errorResponses(401, 403, 404) },
        },
      },
      async (request, reply) => {
        requireUser(request);
        const status = await requestTranslation(db, jobs, request.actor, await load(request));
        return reply.code(status === 'asked' ? 201 : 200).send({ status });
      },
    );
  }
  app.get(
    '/api/v1/translation-requests',
    {
      config: { list: { items: 'requests', perPage: 50 } },
      schema: {
        tags: ['discussions'],
        summary: 'Open translation requests the requester may fulfil, most asked first',
        security: [{ bearer: [] }],
        response: {
          200: listOf({
            requests: Type.Array(Type.Object({ kind: Type.String(), id: Type.Integer(), href: Type.String(), title: Type.String(), language: Type.String(), asked: Type.Integer(), first_asked: Type.String({ format: 'date-time' }) })),
          }),
          ...errorResponses(401),
        },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const rows = await openRequests(db, user);
      return { requests: rows.map((r) => ({ ...r, first_asked: r.first_asked.toISOString() })) };
    },
  );
};
