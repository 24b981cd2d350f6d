import { listOf } from '../platform/http/pagination.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { h } from 'preact';
import { authorize, can } from '../platform/auth/policy.js';
import { randomToken } from '../platform/auth/secrets.js';
import { AppError } from '../platform/http/errors.js';
import { submitForm } from '../platform/http/forms.js';
import { idemKeyOf, renderFor, setFlash } from '../platform/http/request-context.js';
import { errorResponses } from '../platform/http/schema-helpers.js';
import { validate } from '../platform/http/validation.js';
import { emptyForm, type FormState } from '../platform/views/forms.js';
import { ReviewTermInput, TermInput, reviewTerm, suggestTerm, updateTerm } from './commands.js';
import { getTerm, letters, listTerms, termFormValues, termVisible } from './queries.js';
import { GlossaryView, ReviewQueueView, TermFormView, TermView } from './views.js';

const SlugParams = Type.Object({ slug: Type.String({ maxLength: 100 }) });
const ListQuery = Type.Object({ q: Type.Optional(Type.String({ maxLength: 100 })), letter: Type.Optional(Type.String({ pattern: '^[A-Z0-9]$' })) });

const TermSchema = Type.Object({
  slug: Type.String(),
  term: Type.String(),
  acronym: Type.Union([Type.String(), Type.Null()]),
  plain_definition: Type.String(),
  term_es: Type.String(),
  acronym_es: Type.Union([Type.String(), Type.Null()]),
  plain_definition_es: Type.String(),
  url: Type.String(),
});

/** "Learning the Language": the glossary pages, suggestions and review, and its API. */
export const glossaryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db, config } = app.deps;
  const glossary = app.glossary;

  async function visibleTerm(request: FastifyRequest, slug: string) {
    const term = await getTerm(db, slug);
    if (!term || !termVisible(request.actor, term)) throw new AppError('not_found');
    return term;
  }
  const present = (g: { slug: string; term: string; acronym: string | null; plain_definition: string; term_es: string; acronym_es: string | null; plain_definition_es: string }) => ({
    slug: g.slug,
    term: g.term,
    acronym: g.acronym,
    plain_definition: g.plain_definition,
    term_es: g.term_es,
    acronym_es: g.acronym_es,
    plain_definition_es: g.plain_definition_es,
    url: `${config.baseUrl}/glossary/${g.slug}`,
  });

  app.get('/glossary', { schema: { querystring: ListQuery } }, async (request, reply) => {
    const q = request.query.q ?? '';
    const letter = request.query.letter ?? '';
    const [terms, az, pending] = await Promise.all([
      listTerms(db, { q, letter: letter || undefined }),
      letters(db),
      can(request.actor, 'glossary.review', undefined) ? listTerms(db, { status: 'suggested' }) : Promise.resolve([]),
    ]);
    return renderFor(app, request, reply, (ctx) => ({
      title: ctx.t('glossary.title'),
      lead: ctx.t('glossary.lead'),
      children: h(GlossaryView, { ctx, terms, letters: az, q, letter, canReview: can(request.actor, 'glossary.review', undefined), suggestions: pending.length }),
    }));
  });

  // ---- suggest, review, edit ---------------------------------------------------------------------
  const prepare = (v: Record<string, unknown>) => v;
  const suggestPage = (request: FastifyRequest, reply: FastifyReply, form: FormState, status = 200) =>
    renderFor(
      app,
      request,
      reply,
      (ctx) => ({
        title: ctx.t('glossary.suggest'),
        hasErrors: status >= 400,
        breadcrumbs: [{ label: ctx.t('glossary.title'), href: '/glossary' }],
        children: h(TermFormView, { ctx, form, action: '/glossary/suggest', idempotencyKey: idemKeyOf(request.body) ?? randomToken(16), editing: false }),
      }),
      status,
    );
  app.get('/glossary/suggest', { schema: { querystring: Type.Object({ term: Type.Optional(Type.String({ maxLength: 120 })) }) } }, async (request, reply) => {
    if (request.actor.kind !== 'user') throw new AppError('unauthenticated');
    const term = request.query.term ?? '';
    const looksAcronym = /^[A-Z0-9&/-]{2,15}$/.test(term);
    return suggestPage(request, reply, emptyForm(looksAcronym ? { acronym: term } : { term }));
  });
  app.post('/glossary/suggest', async (request, reply) =>
    submitForm({
      schema: TermInput,
      request,
      reply,
      prepare,
      render: (form, status) => suggestPage(request, reply, form, status),
      run: async (input) => {
        const r = await suggestTerm(db, request.actor, input, idemKeyOf(request.body));
        glossary.invalidate();
        setFlash(reply, { kind: 'success', message: request.t(r.status === 'published' ? 'glossary.published' : 'glossary.thanks') });
        return reply.redirect(`/glossary/${r.slug}`, 303);
      },
    }),
  );
  app.get('/glossary/review', async (request, reply) => {
    authorize(request.actor, 'glossary.review', undefined);
    const terms = await listTerms(db, { status: 'suggested' });
    return renderFor(app, request, reply, (ctx) => ({
      title: ctx.t('glossary.review_title'),
      breadcrumbs: [{ label: ctx.t('glossary.title'), href: '/glossary' }],
      children: h(ReviewQueueView, { ctx, terms }),
    }));
  });
  app.post('/glossary/:slug/review', { schema: { params: SlugParams } }, async (request, reply) => {
    const term = await visibleTerm(request, request.params.slug);
    const v = validate(ReviewTermInput, request.body, request.t);
    if (!v.ok) throw new AppError('validation_failed', { fields: v.errors });
    await reviewTerm(db, request.actor, term, v.value);
    glossary.invalidate();
    setFlash(reply, { kind: 'success', message: request.t(`glossary.reviewed.${v.value.status}`) });
    return reply.redirect(v.value.status === 'published' ? `/glossary/${term.slug}` : '/glossary/review', 303);
  });
  const editPage = (request: FastifyRequest, reply: FastifyReply, slug: string, title: string, form: FormState, status = 200) =>
    renderFor(
      app,
      request,
      reply,
      (ctx) => ({
        title: ctx.t('glossary.edit'),
        hasErrors: status >= 400,
        breadcrumbs: [
          { label: ctx.t('glossary.title'), href: '/glossary' },
          { label: title, href: `/glossary/${slug}` },
        ],
        children: h(TermFormView, { ctx, form, action: `/glossary/${slug}/edit`, editing: true }),
      }),
      status,
    );
  app.get('/glossary/:slug/edit', { schema: { params: SlugParams } }, async (request, reply) => {
    const term = await visibleTerm(request, request.params.slug);
    authorize(request.actor, 'glossary.review', undefined);
    return editPage(request, reply, term.slug, term.term, emptyForm(termFormValues(term)));
  });
  app.post('/glossary/:slug/edit', { schema: { params: SlugParams } }, async (request, reply) => {
    const term = await visibleTerm(request, request.params.slug);
    authorize(request.actor, 'glossary.review', undefined);
    return submitForm({
      schema: TermInput,
      request,
      reply,
      render: (form, status) => editPage(request, reply, term.slug, term.term, form, status),
      run: async (input) => {
        await updateTerm(db, request.actor, term, input);
        glossary.invalidate();
        setFlash(reply, { kind: 'success', message: request.t('glossary.saved') });
        return reply.redirect(`/glossary/${term.slug}`, 303);
      },
    });
  });
  app.get('/glossary/:slug', { schema: { params: SlugParams } }, async (request, reply) => {
    const term = await visibleTerm(request, request.params.slug);
    if (term.status !== 'published') reply.header('x-robots-tag', 'noindex');
    return renderFor(app, request, reply, (ctx) => ({
      title: term.term,
      breadcrumbs: [{ label: ctx.t('glossary.title'), href: '/glossary' }],
      children: h(TermView, { ctx, term, canEdit: can(request.actor, 'glossary.review', undefined) }),
    }));
  });

  // ---- API -----------------------------------------------------------------------------------------------
  app.get(
    '/api/v1/glossary',
    { config: { list: { items: 'terms', perPage: 10000 } }, schema: { tags: ['glossary'], summary: 'Published glossary terms, A–Z, optionally searched', querystring: ListQuery, response: { 200: listOf({ terms: Type.Array(TermSchema) }) } } },
    async (request) => ({ terms: (await listTerms(db, { q: request.query.q, letter: request.query.letter })).map(present) }),
  );
  app.get(
    '/api/v1/glossary/:slug',
    {
      schema: {
        tags: ['glossary'],
        summary: 'One term with its definition per discipline',
        params: SlugParams,
        response: {
          200: Type.Composite([
            TermSchema,
            Type.Object({
              definitions: Type.Array(Type.Object({ discipline: Type.String(), definition: Type.String(), definition_es: Type.String() })),
              related: Type.Array(Type.Object({ slug: Type.String(), term: Type.String() })),
              sources: Type.String(),
            }),
          ]),
          ...errorResponses(404),
        },
      },
    },
    async (request) => {
      const term = await visibleTerm(request, request.params.slug);
      return { ...present(term), definitions: term.definitions, related: term.relatedTerms.map((r) => ({ slug: r.slug, term: r.term })), sources: term.sources };
    },
  );
  app.post(
    '/api/v1/glossary/suggestions',
    {
      schema: {
        tags: ['glossary'],
        summary: 'Suggest a term (facilitators publish it; their own suggestions are published at once)',
        security: [{ bearer: [] }],
        body: TermInput,
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ maxLength: 100 })) }),
        response: { 201: Type.Object({ slug: Type.String(), status: Type.String() }), ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request, reply) => {
      const r = await suggestTerm(db, request.actor, request.body as never, request.headers['idempotency-key']);
      glossary.invalidate();
      return reply.code(201).send(r);
    },
  );
};
