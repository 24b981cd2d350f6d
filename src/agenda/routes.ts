import { listOf } from '../platform/http/pagination.js';
import { listStories } from '../value/stories.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { h } from 'preact';
import { authorize, can } from '../platform/auth/policy.js';
import { stewardedGroups } from '../groups/policy.js';
import { randomToken } from '../platform/auth/secrets.js';
import { AppError } from '../platform/http/errors.js';
import { submitForm } from '../platform/http/forms.js';
import { localizeRow, localizeRows, otherLang, toBilingualForm, type Translations } from '../platform/i18n/content.js';
import type { Static } from '@sinclair/typebox';
import { idemKeyOf, renderFor, setFlash } from '../platform/http/request-context.js';
import { TranslationsOutput, errorResponses } from '../platform/http/schema-helpers.js';
import { validate } from '../platform/http/validation.js';
import { emptyForm, type FormState } from '../platform/views/forms.js';
import { PERSPECTIVES } from '../community/vocab.js';
import { paragraphsHtml } from '../platform/text.js';
import { getVisibleGroup } from '../groups/queries.js';
import { AGENDA_TEXT, AgendaInput, LinkWorkInput, MilestoneInput, PriorityLinkInput, ReviewInput, UpdateInput, addMilestone, canPostUpdate, createAgendaItem, linkPriority, linkWork, postUpdate, reviewGroup, setMilestone, updateAgendaItem } from './commands.js';
import { agendaDetails, agendaParticipants, getAgendaItem, listAgenda, perspectiveGaps } from './queries.js';
import { AgendaFormView, AgendaItemView, AgendaListView } from './views.js';

const SlugParams = Type.Object({ slug: Type.String({ maxLength: 100 }) });
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 53 }) });

const AgendaSummary = Type.Object({
  id: Type.Integer(),
  slug: Type.String(),
  title: Type.String(),
  description: Type.String(),
  status: Type.String(),
  progress: Type.Union([Type.Integer(), Type.Null()]),
  url: Type.String(),
  language: Type.String({ description: 'The language title and description are written in' }),
  translations: Type.Optional(TranslationsOutput),
});

/** The shared agenda: overview, items, milestones, updates, links; group reviews. */
export const agendaRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db, config } = app.deps;

  const itemOr404 = async (key: { slug?: string; id?: number }) => {
    const item = await getAgendaItem(db, key);
    if (!item) throw new AppError('not_found');
    return item;
  };
  const progressOf = (ms: { percent: number }[]) => (ms.length ? Math.round(ms.reduce((s, m) => s + m.percent, 0) / ms.length) : null);

  app.get('/agenda', async (request, reply) => {
    const items = localizeRows(await listAgenda(db), ['title', 'description'], request.locale);
    return renderFor(app, request, reply, (ctx) => ({
      title: ctx.t('agenda.title'),
      lead: ctx.t('agenda.lead'),
      children: h(AgendaListView, { ctx, items, canCreate: can(request.actor, 'agenda.manage', undefined) }),
    }));
  });

  const orgOptions = async () => (await db.selectFrom('organizations').select(['id', 'name']).orderBy('name').execute()).map((o) => ({ value: String(o.id), label: o.name }));
  /** The item form's fields written side by side in English and Spanish. */
  const AGENDA_FORM = { fields: AGENDA_TEXT, required: ['title'] } as const;
  const prepare = (v: Record<string, unknown>) => {
    const out = { ...v };
    if (out.owners === '' || out.owners === undefined) out.owners = [];
    return out;
  };
  const formPage = async (request: FastifyRequest, reply: FastifyReply, form: FormState, item?: { slug: string; title: string }, status = 200) => {
    const organizations = await orgOptions();
    return renderFor(
      app,
      request,
      reply,
      (ctx) => ({
        title: item ? ctx.t('agenda.edit') : ctx.t('agenda.new'),
        hasErrors: status >= 400,
        breadcrumbs: [{ label: ctx.t('agenda.title'), href: '/agenda' }, ...(item ? [{ label: item.title, href: `/agenda/${item.slug}` }] : [])],
        children: h(AgendaFormView, { ctx, form, action: item ? `/agenda/${item.slug}/edit` : '/agenda', organizations, idempotencyKey: item ? undefined : (idemKeyOf(request.body) ?? randomToken(16)), editing: !!item }),
      }),
      status,
    );
  };
  const onlyFacilitators = (request: FastifyRequest) => {
    authorize(request.actor, 'agenda.manage', undefined);
  };
  app.get('/agenda/new', async (request, reply) => {
    onlyFacilitators(request);
    return formPage(request, reply, emptyForm({ status: 'proposed' }));
  });
  app.post('/agenda', async (request, reply) => {
    onlyFacilitators(request);
    return submitForm({
      schema: AgendaInput,
      request,
      reply,
      bilingual: AGENDA_FORM,
      prepare,
      render: (form, status) => formPage(request, reply, form, undefined, status),
      run: async (input) => {
        const r = await createAgendaItem(db, request.actor, input, idemKeyOf(request.body));
        return reply.redirect(`/agenda/${r.slug}`, 303);
      },
    });
  });
  app.get('/agenda/:slug/edit', { schema: { params: SlugParams } }, async (request, reply) => {
    const item = await itemOr404({ slug: request.params.slug });
    onlyFacilitators(request);
    const d = await agendaDetails(db, request.actor, item.id);
    return formPage(
      request,
      reply,
      emptyForm(
        toBilingualForm(
          {
            title: item.title,
            description: item.description,
            status: item.status,
            owners: d.owners.map((o) => String(o.id)),
            ...Object.fromEntries(d.why.map((w) => [`why_${w.perspective}`, w.reason])),
            language: item.language,
            translations: { [otherLang(item.language)]: { ...(item.translations[otherLang(item.language)] ?? {}), ...Object.fromEntries(d.why.map((w) => [`why_${w.perspective}`, w.translations[otherLang(item.language)]?.reason ?? ''])) } },
          },
          AGENDA_TEXT,
        ),
      ),
      item,
    );
  });
  app.post('/agenda/:slug/edit', { schema: { params: SlugParams } }, async (request, reply) => {
    const item = await itemOr404({ slug: request.params.slug });
    onlyFacilitators(request);
    return submitForm({
      schema: AgendaInput,
      request,
      reply,
      bilingual: { ...AGENDA_FORM, language: () => item.language },
      prepare: (v) => ({ ...prepare(v), ...Object.fromEntries(PERSPECTIVES.map((p) => [`why_${p}`, v[`why_${p}`] ?? ''])) }),
      render: (form, status) => formPage(request, reply, form, item, status),
      run: async (input) => {
        await updateAgendaItem(db, request.actor, item.id, input);
        setFlash(reply, { kind: 'success', message: request.t('agenda.saved') });
        return reply.redirect(`/agenda/${item.slug}`, 303);
      },
    });
  });

  async function itemPage(request: FastifyRequest, reply: FastifyReply, slug: string, forms: Partial<Record<'update' | 'milestone' | 'link' | 'priority', FormState>> = {}, status = 200) {
    const stored = await itemOr404({ slug });
    const locale = request.locale;
    // The item, its reasons, milestones, updates and linked priorities in the reader's language where written.
    const item = localizeRow(stored, ['title', 'description'], locale);
    const [rawDetails, gaps, mayUpdate, stories] = await Promise.all([
      agendaDetails(db, request.actor, item.id),
      perspectiveGaps(db, agendaParticipants(item.id)),
      canPostUpdate(db, request.actor, item.id),
      listStories(db, request.actor, { linked: { kind: 'agenda_item', id: item.id }, limit: 20 }),
    ]);
    const details = {
      ...rawDetails,
      why: localizeRows(rawDetails.why, ['reason'], locale, stored.language),
      milestones: localizeRows(rawDetails.milestones, ['title'], locale, stored.language),
      updates: localizeRows(rawDetails.updates, ['body'], locale),
      priorities: rawDetails.priorities.map((p) => {
        const text = localizeRow({ text: p.text, language: p.language, translations: p.text_translations }, ['text'], locale);
        const named = localizeRow(p, ['name'], locale);
        return { ...named, text: text.text, lang_of: { ...named.lang_of, text: text.lang_of.text! } };
      }),
    };
    const actor = request.actor;
    // The description and updates with glossary terms marked up (first occurrence on the page).
    const annotated = await app.glossary.annotatePage([
      { key: `agenda:${item.id}:${item.updated_at.getTime()}:${item.lang_of.description}`, html: paragraphsHtml(item.description) },
      ...details.updates.map((u) => ({ key: `agenda-update:${u.id}:${u.lang_of.body}`, html: paragraphsHtml(u.body ?? '') })),
    ]);
    const descriptionHtml = annotated[0]!;
    details.updates.forEach((u, i) => Object.assign(u, { html: annotated[i + 1]! }));
    // Facilitators link any group's priorities; leads their own groups'.
    const scope = stewardedGroups(actor);
    const priorityRows =
      scope === 'all' || scope.length
        ? await db
            .selectFrom('group_priorities as p')
            .innerJoin('practice_groups as g', 'g.id', 'p.group_id')
            .select(['p.group_id', 'p.position', 'p.text', 'g.name'])
            .$if(scope !== 'all', (q) => q.where('p.group_id', 'in', scope as number[]))
            .where('g.archived_at', 'is', null)
            .orderBy('g.name')
            .orderBy('p.position')
            .execute()
        : [];
    return renderFor(
      app,
      request,
      reply,
      (ctx) => ({
        title: item.title,
        titleLang: item.lang_of.title,
        hasErrors: status >= 400,
        breadcrumbs: [{ label: ctx.t('agenda.title'), href: '/agenda' }],
        children: h(AgendaItemView, {
          ctx,
          item: { ...item, descriptionHtml },
          details,
          gaps,
          can: { edit: can(actor, 'agenda.manage', undefined), update: mayUpdate, linkPriority: priorityRows.length > 0 },
          forms: { update: forms.update ?? emptyForm(), milestone: forms.milestone ?? emptyForm(), link: forms.link ?? emptyForm(), priority: forms.priority ?? emptyForm() },
          priorityOptions: priorityRows.map((p) => ({ value: `${p.group_id}:${p.position}`, label: `${p.name} — ${p.position}. ${p.text}` })),
          idempotencyKey: idemKeyOf(request.body) ?? randomToken(16),
          stories: { rows: stories.stories, tellHref: can(actor, 'story.create', { group: null }) ? `/stories/new?agenda=${encodeURIComponent(item.slug)}` : null },
        }),
      }),
      status,
    );
  }
  app.get('/agenda/:slug', { schema: { params: SlugParams } }, async (request, reply) => itemPage(request, reply, request.params.slug));

  const subForm = <S extends Parameters<typeof submitForm>[0]['schema']>(
    path: string,
    schema: S,
    key: 'update' | 'milestone' | 'link' | 'priority',
    run: (request: FastifyRequest, item: { id: number; slug: string }, input: never) => Promise<string>,
    bilingual?: (item: { language: string }) => Parameters<typeof submitForm>[0]['bilingual'],
  ) =>
    app.post(path, { schema: { params: SlugParams } }, async (request, reply) => {
      const item = await itemOr404({ slug: (request.params as { slug: string }).slug });
      return submitForm({
        schema,
        request,
        reply,
        bilingual: bilingual?.(item),
        render: (form, status) => itemPage(request, reply, item.slug, { [key]: form }, status),
        run: async (input) => {
          const flash = await run(request, item, input as never);
          setFlash(reply, { kind: 'success', message: request.t(flash) });
          return reply.redirect(`/agenda/${item.slug}#${key === 'update' ? 'updates' : key === 'milestone' ? 'milestones' : 'work'}`, 303);
        },
      });
    });
  subForm(
    '/agenda/:slug/updates',
    UpdateInput,
    'update',
    async (request, item, input: Static<typeof UpdateInput>) => {
      await postUpdate(db, request.actor, item.id, input, idemKeyOf(request.body));
      return 'agenda.update_posted';
    },
    () => ({ fields: ['body'] }),
  );
  subForm(
    '/agenda/:slug/milestones',
    MilestoneInput,
    'milestone',
    async (request, item, input: Static<typeof MilestoneInput>) => {
      await addMilestone(db, request.actor, item.id, input);
      return 'agenda.milestone_added';
    },
    (item) => ({ fields: ['title'], language: () => item.language }),
  );
  subForm('/agenda/:slug/links', LinkWorkInput, 'link', async (request, item, input: { url: string }) => {
    await linkWork(db, request.actor, item.id, input.url);
    return 'agenda.linked';
  });
  subForm('/agenda/:slug/priorities', PriorityLinkInput, 'priority', async (request, item, input: { priority: string }) => {
    await linkPriority(db, request.actor, item.id, input.priority);
    return 'agenda.linked';
  });
  app.post('/agenda/:slug/milestones/:id', { schema: { params: Type.Object({ slug: Type.String({ maxLength: 100 }), id: Type.Integer({ minimum: 1, maximum: 2 ** 53 }) }) } }, async (request, reply) => {
    const item = await itemOr404({ slug: request.params.slug });
    const raw = (request.body as Record<string, unknown> | undefined)?.percent;
    const percent = Number(raw);
    if (raw === undefined || raw === '' || !Number.isInteger(percent) || percent < 0 || percent > 100) throw new AppError('validation_failed', { fields: { percent: request.t('agenda.percent_range') } });
    await setMilestone(db, request.actor, item.id, request.params.id, percent);
    setFlash(reply, { kind: 'success', message: request.t('agenda.saved') });
    return reply.redirect(`/agenda/${item.slug}#milestones`, 303);
  });

  // ---- group reviews (depth of interaction) ------------------------------------------------------------
  app.post('/groups/:slug/reviews', { schema: { params: SlugParams } }, async (request, reply) => {
    const group = await getVisibleGroup(db, request.actor, request.params.slug);
    const v = validate(ReviewInput, request.body, request.t);
    if (!v.ok) throw new AppError('validation_failed', { fields: v.errors });
    await reviewGroup(db, request.actor, group, v.value, idemKeyOf(request.body));
    setFlash(reply, { kind: 'success', message: request.t('agenda.review_saved') });
    return reply.redirect(`/groups/${group.slug}#depth`, 303);
  });

  // ---- API ------------------------------------------------------------------------------------------------
  const summary = async (item: { id: number; slug: string; title: string; description: string; status: string; language: string; translations: Translations }) => {
    const ms = await db.selectFrom('agenda_milestones').select('percent').where('item_id', '=', item.id).execute();
    return { id: item.id, slug: item.slug, title: item.title, description: item.description, status: item.status, progress: progressOf(ms), url: `${config.baseUrl}/agenda/${item.slug}`, language: item.language, translations: item.translations };
  };
  app.get('/api/v1/agenda', { config: { list: { items: 'items', perPage: 1000 } }, schema: { tags: ['agenda'], summary: 'The shared agenda', response: { 200: listOf({ items: Type.Array(AgendaSummary) }) } } }, async () => ({
    items: (await listAgenda(db)).map((a) => ({ id: a.id, slug: a.slug, title: a.title, description: a.description, status: a.status, progress: a.progress, url: `${config.baseUrl}/agenda/${a.slug}`, language: a.language, translations: a.translations })),
  }));
  app.post(
    '/api/v1/agenda',
    { schema: { tags: ['agenda'], summary: 'Add an agenda item (facilitators)', security: [{ bearer: [] }], body: AgendaInput, response: { 201: AgendaSummary, ...errorResponses(400, 401, 403) } } },
    async (request, reply) => {
      const r = await createAgendaItem(db, request.actor, request.body as never, request.headers['idempotency-key'] as string | undefined);
      return reply.code(201).send(await summary((await itemOr404({ id: r.id }))!));
    },
  );
  app.get(
    '/api/v1/agenda/:id',
    {
      schema: {
        tags: ['agenda'],
        summary: 'One agenda item with why it matters, milestones, updates, linked work and who is not here',
        params: IdParams,
        response: {
          200: Type.Composite([
            AgendaSummary,
            Type.Object({
              why: Type.Array(Type.Object({ perspective: Type.String(), reason: Type.String() })),
              milestones: Type.Array(Type.Object({ id: Type.Integer(), title: Type.String(), due_on: Type.Union([Type.String(), Type.Null()]), percent: Type.Integer() })),
              updates: Type.Array(Type.Object({ body: Type.String(), author: Type.Union([Type.String(), Type.Null()]), created_at: Type.String({ format: 'date-time' }) })),
              threads: Type.Array(Type.Object({ id: Type.Integer(), title: Type.String() })),
              resources: Type.Array(Type.Object({ slug: Type.String(), title: Type.String() })),
              missing_perspectives: Type.Array(Type.String()),
              thin_perspectives: Type.Array(Type.String()),
            }),
          ]),
          ...errorResponses(404),
        },
      },
    },
    async (request) => {
      const item = await itemOr404({ id: request.params.id });
      const [d, gaps] = await Promise.all([agendaDetails(db, request.actor, item.id), perspectiveGaps(db, agendaParticipants(item.id))]);
      return {
        ...(await summary(item)),
        why: d.why,
        milestones: d.milestones,
        updates: d.updates.map((u) => ({ body: u.body, author: u.author, created_at: u.created_at.toISOString() })),
        threads: d.threads.map((t) => ({ id: t.id, title: t.title })),
        resources: d.resources.map((r) => ({ slug: r.slug, title: r.title })),
        missing_perspectives: gaps.filter((g) => g.state === 'missing').map((g) => g.perspective),
        thin_perspectives: gaps.filter((g) => g.state === 'thin').map((g) => g.perspective),
      };
    },
  );
  app.patch(
    '/api/v1/agenda/:id',
    { schema: { tags: ['agenda'], summary: 'Change an agenda item (facilitators)', security: [{ bearer: [] }], params: IdParams, body: Type.Partial(AgendaInput), response: { 200: AgendaSummary, ...errorResponses(400, 401, 403, 404) } } },
    async (request) => {
      const item = await itemOr404({ id: request.params.id });
      await updateAgendaItem(db, request.actor, item.id, request.body as never);
      return summary((await itemOr404({ id: item.id }))!);
    },
  );
  app.post(
    '/api/v1/agenda/:id/updates',
    { schema: { tags: ['agenda'], summary: 'Post a progress update (facilitators and owner organizations)', security: [{ bearer: [] }], params: IdParams, body: UpdateInput, response: { 201: Type.Object({ id: Type.Integer() }), ...errorResponses(400, 401, 403, 404) } } },
    async (request, reply) => {
      const item = await itemOr404({ id: request.params.id });
      return reply.code(201).send(await postUpdate(db, request.actor, item.id, request.body, request.headers['idempotency-key'] as string | undefined));
    },
  );
  app.post(
    '/api/v1/groups/:slug/reviews',
    { schema: { tags: ['agenda'], summary: "Record a group's depth-of-interaction self-rating (leads)", security: [{ bearer: [] }], params: SlugParams, body: ReviewInput, response: { 201: Type.Object({ id: Type.Integer() }), ...errorResponses(400, 401, 403, 404) } } },
    async (request, reply) => {
      const group = await getVisibleGroup(db, request.actor, request.params.slug);
      return reply.code(201).send(await reviewGroup(db, request.actor, group, request.body, request.headers['idempotency-key'] as string | undefined));
    },
  );
};
