import { resourceTranslation } from '../translations/translations.js';
import { documentMultipart } from '../platform/http/openapi.js';
import { listOf } from '../platform/http/pagination.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { registerUploads, uploadOf } from '../platform/http/uploads.js';
import { Type } from '@sinclair/typebox';
import { h } from 'preact';
import { Feed } from 'feed';
import { renderMarkdown } from '../discussions/markdown.js';
import { escapeHtml } from '../platform/text.js';
import { authorize, can } from '../platform/auth/policy.js';
import { keyedHash, randomToken } from '../platform/auth/secrets.js';
import { resultCache } from '../platform/http/result-cache.js';
import { resourceReader } from './policy.js';
import { hit } from '../platform/auth/rate-limit.js';
import { AppError } from '../platform/http/errors.js';
import { submitForm } from '../platform/http/forms.js';
import { localizeRow, toBilingualForm } from '../platform/i18n/content.js';

/** The resource form's fields written side by side; the resource's language is the one its plain fields are in. */
const RESOURCE_FORM = { fields: ['title', 'summary'], language: (v: Record<string, unknown>) => v.language, required: ['title'] } as const;
import { idemKeyOf, renderFor, setFlash } from '../platform/http/request-context.js';
import { TranslationsOutput, errorResponses } from '../platform/http/schema-helpers.js';
import { validate } from '../platform/http/validation.js';
import { emptyForm, type FormState } from '../platform/views/forms.js';
import { listGroups } from '../groups/queries.js';
import {
  CollectionInput,
  DisseminationInput,
  LinkInput,
  ResourceInput,
  RESOURCE_TEXT,
  UseReportInput,
  createCollection,
  createResource,
  createShareLink,
  deleteResource,
  editCollection,
  partnersOf,
  reportDissemination,
  reportUse,
  updateResource,
} from './commands.js';
import { FACETS, LIBRARY_PAGE, collectionItems, getResource, getResourceById, listCollections, recentUseReports, resourceDetails, searchLibrary, type LibraryFilters, type ResourceRow } from './queries.js';
import { VIEW_KIND, recordView } from '../reach/ledger.js';
import { noteResourceFollowup } from '../value/followups.js';
import { uploadStore, type Upload } from './storage.js';
import { MAX_UPLOAD_BYTES } from './vocab.js';
import { LibraryView, ResourceFormView, ResourceView, UseReportView } from './views.js';
import { CollectionFormView, CollectionView, CollectionsView } from './collection-views.js';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 53 }) });
const SlugParams = Type.Object({ slug: Type.String({ maxLength: 120 }) });
const list = (v: unknown): string[] | undefined => (v === undefined || v === '' ? undefined : (Array.isArray(v) ? v : [v]).map(String).filter((x) => x.length > 0 && x.length <= 100).slice(0, 30));

const LibraryQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  sort: Type.Optional(Type.String({ maxLength: 20 })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  from: Type.Optional(Type.Union([Type.String({ format: 'date' }), Type.Literal('')])),
  to: Type.Optional(Type.Union([Type.String({ format: 'date' }), Type.Literal('')])),
  ...Object.fromEntries(FACETS.map((f) => [f, Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 30 }))])),
});


const ResourceSummary = Type.Object({
  id: Type.Integer(),
  slug: Type.String(),
  title: Type.String(),
  summary: Type.String(),
  kind: Type.String(),
  url: Type.String(),
  external_url: Type.Union([Type.String(), Type.Null()]),
  audiences: Type.Array(Type.String()),
  topics: Type.Array(Type.String()),
  level: Type.String(),
  language: Type.String({ description: 'The language the resource (and its title and summary) is in' }),
  translations: Type.Optional(TranslationsOutput),
  evidence_level: Type.String(),
  review_status: Type.String(),
  published_on: Type.Union([Type.String(), Type.Null()]),
  visibility: Type.String(),
  accessibility: Type.Array(Type.String()),
});

/** The resource library and collections, with the forms on a resource's page that feed the reach ledger (share links, dissemination and use reports). */
export const resourceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db, config, jobs } = app.deps;
  /** Heavy reads (library lists and facets, reach sums) go to the replica when there is one. */
  const readDb = app.deps.readDb ?? db;
  const files = uploadStore(config.dataDir);
  const deps = { db, jobs, files, glossary: app.glossary };


  // Uploads: one file per request, in memory up to the limit; form fields arrive as plain values.
  await registerUploads(app, { maxBytes: MAX_UPLOAD_BYTES, fields: 80, fieldSize: 64 * 1024 });
  const fileOf = (request: FastifyRequest): Upload | undefined => uploadOf(request, 'file');

  const visitorKey = (request: FastifyRequest) => (request.actor.kind === 'user' ? `u${request.actor.id}` : `ip${keyedHash(config.sessionSecret, request.ip)}`);

  async function visibleResource(request: FastifyRequest, slug: string): Promise<ResourceRow> {
    const r = await getResource(db, slug);
    if (!r) throw new AppError('not_found');
    authorize(request.actor, 'resource.view', r);
    return r;
  }
  async function visibleResourceById(request: FastifyRequest, id: number): Promise<ResourceRow> {
    const r = await getResourceById(db, id);
    if (!r) throw new AppError('not_found');
    authorize(request.actor, 'resource.view', r);
    return r;
  }
  const count = (request: FastifyRequest, resourceId: number, kind: (typeof VIEW_KIND)[keyof typeof VIEW_KIND], linkId?: number) => {
    // A counted page must reach the server each time: never served from the signed-out page cache.
    request.noPageCache = true;
    return recordView(db, request.actor, { ip: request.ip, userAgent: request.headers['user-agent'] }, { resourceId, kind, linkId }).catch((err) => {
      request.log.warn({ err }, 'could not count a view');
      return false;
    });
  };

  const noteFollowup = (request: FastifyRequest, resourceId: number, trigger: 'download' | 'link') =>
    noteResourceFollowup(db, request.actor, resourceId, trigger).catch((err) => {
      request.log.warn({ err }, 'could not note a use follow-up');
    });

  // ---- the library -----------------------------------------------------------------------------
  const libraryFilters = (q: Record<string, unknown>): LibraryFilters => ({
    q: typeof q.q === 'string' ? q.q : undefined,
    sort: typeof q.sort === 'string' ? q.sort : undefined,
    page: typeof q.page === 'number' ? q.page : undefined,
    from: (q.from as string) || undefined,
    to: (q.to as string) || undefined,
    kind: list(q.kind),
    audience: list(q.audience),
    topic: list(q.topic),
    level: list(q.level),
    language: list(q.language),
    evidence: list(q.evidence),
    review: list(q.review),
    accessibility: list(q.accessibility),
    group: list(q.group),
    organization: list(q.organization)
      ?.map(Number)
      .filter((n) => Number.isSafeInteger(n) && n > 0),
  });
  // The same filters asked again by the same reader within seconds reuse the answer (see result-cache.ts).
  const libraryCache = resultCache<Awaited<ReturnType<typeof searchLibrary>>>(app.pageCache);
  async function searchWithLimit(request: FastifyRequest, f: LibraryFilters) {
    if (f.q) await hit(db, `search:${visitorKey(request)}`, { max: 60, windowSeconds: 60 });
    return libraryCache(`${resourceReader(request.actor)}|${JSON.stringify(f)}`, () => searchLibrary(readDb, request.actor, f));
  }
  app.get('/resources', { schema: { querystring: LibraryQuery } }, async (request, reply) => {
    const f = libraryFilters(request.query as Record<string, unknown>);
    const result = await searchWithLimit(request, f);
    return renderFor(app, request, reply, (ctx) => ({
      title: ctx.t('resources.library'),
      lead: ctx.t('resources.library_lead'),
      alternates: [{ type: 'application/atom+xml' as const, title: ctx.t('resources.library'), href: '/resources/feed.atom' }],
      children: h(LibraryView, { ctx, filters: f, result, canAdd: can(request.actor, 'resource.create', undefined) }),
    }));
  });

  // Feed readers carry no session, so the feed holds public resources only.
  app.get('/resources/feed.atom', async (request, reply) => {
    const rows = await db
      .selectFrom('resources')
      .select(['slug', 'title', 'summary', 'created_at', 'updated_at', 'authors'])
      .where('visibility', '=', 'public')
      .where('deleted_at', 'is', null)
      .orderBy('created_at', 'desc')
      .limit(50)
      .execute();
    const base = config.baseUrl;
    const feed = new Feed({
      title: `${request.t('resources.library')} · ${app.community.nameOrDefault(request.locale)}`,
      id: `${base}/resources`,
      link: `${base}/resources`,
      language: 'en',
      updated: rows[0]?.updated_at ?? new Date(0),
      copyright: '',
      feedLinks: { atom: `${base}/resources/feed.atom` },
    });
    for (const r of rows) {
      feed.addItem({ title: r.title, id: `${base}/resources/${r.slug}`, link: `${base}/resources/${r.slug}`, date: r.updated_at, description: r.summary, author: r.authors ? [{ name: r.authors }] : [] });
    }
    return reply.type('application/atom+xml; charset=utf-8').header('cache-control', 'public, max-age=300').send(feed.atom1());
  });

  // ---- add and edit ----------------------------------------------------------------------------------
  const formOptions = async (request: FastifyRequest) => {
    const [groups, orgs] = await Promise.all([listGroups(db, request.actor), db.selectFrom('organizations').select(['id', 'name']).orderBy('name').execute()]);
    return { groups: groups.map((g) => ({ value: g.slug, label: g.name })), organizations: orgs.map((o) => ({ value: String(o.id), label: o.name })) };
  };
  const resourceForm = async (request: FastifyRequest, reply: FastifyReply, form: FormState, opts: { resource?: ResourceRow }, status = 200) => {
    const options = await formOptions(request);
    return renderFor(
      app,
      request,
      reply,
      (ctx) => ({
        title: opts.resource ? ctx.t('resources.edit') : ctx.t('resources.add'),
        hasErrors: status >= 400,
        breadcrumbs: [{ label: ctx.t('resources.library'), href: '/resources' }, ...(opts.resource ? [{ label: opts.resource.title, href: `/resources/${opts.resource.slug}` }] : [])],
        children: h(ResourceFormView, {
          ctx,
          form,
          options,
          action: opts.resource ? `/resources/${opts.resource.slug}/edit` : '/resources',
          idempotencyKey: opts.resource ? undefined : (idemKeyOf(request.body) ?? randomToken(16)),
          canReview: can(request.actor, 'resource.review', opts.resource ?? { visibility: 'public', group_id: null, created_by: null }),
          editing: !!opts.resource,
        }),
      }),
      status,
    );
  };
  /** Form values arrive as strings; lists and numbers are normalised before validation. */
  const prepareResource = (v: Record<string, unknown>) => {
    const out: Record<string, unknown> = { ...v };
    delete out.file;
    for (const k of ['audiences', 'groups', 'accessibility', 'organizations']) if (out[k] === undefined || out[k] === '') delete out[k];
    if (out.group === '') delete out.group;
    return out;
  };
  app.get('/resources/new', async (request, reply) => {
    authorize(request.actor, 'resource.create', undefined);
    return resourceForm(request, reply, emptyForm({ language: request.locale, visibility: 'public', level: 'national', evidence_level: 'not_applicable' }), {});
  });
  app.post('/resources', async (request, reply) => {
    authorize(request.actor, 'resource.create', undefined);
    const upload = fileOf(request);
    return submitForm({
      schema: ResourceInput,
      request,
      reply,
      bilingual: RESOURCE_FORM,
      prepare: prepareResource,
      render: (form, status) => resourceForm(request, reply, form, {}, status),
      run: async (input) => {
        const r = await createResource(deps, request.actor, input, upload, idemKeyOf(request.body));
        setFlash(reply, { kind: 'success', message: request.t('resources.added') });
        return reply.redirect(`/resources/${r.slug}`, 303);
      },
    });
  });
  const valuesOf = async (r: ResourceRow) => {
    const d = await resourceDetails(db, r.id);
    const group = r.group_id ? await db.selectFrom('practice_groups').select('slug').where('id', '=', r.group_id).executeTakeFirst() : undefined;
    return {
      ...r,
      topics: r.topics.join(', '),
      published_on: r.published_on ?? '',
      external_url: r.external_url ?? '',
      group: group?.slug ?? '',
      groups: d.groups.map((g) => g.slug),
      organizations: d.organizations.map((o) => String(o.id)),
    };
  };
  app.get('/resources/:slug/edit', { schema: { params: SlugParams } }, async (request, reply) => {
    const r = await visibleResource(request, request.params.slug);
    authorize(request.actor, 'resource.update', r);
    return resourceForm(request, reply, emptyForm(toBilingualForm(await valuesOf(r), RESOURCE_TEXT)), { resource: r });
  });
  app.post('/resources/:slug/edit', { schema: { params: SlugParams } }, async (request, reply) => {
    const r = await visibleResource(request, request.params.slug);
    authorize(request.actor, 'resource.update', r);
    const upload = fileOf(request);
    return submitForm({
      schema: ResourceInput,
      request,
      reply,
      bilingual: RESOURCE_FORM,
      prepare: prepareResource,
      render: (form, status) => resourceForm(request, reply, form, { resource: r }, status),
      run: async (input) => {
        await updateResource(deps, request.actor, r, input, upload);
        setFlash(reply, { kind: 'success', message: request.t('resources.saved') });
        return reply.redirect(`/resources/${r.slug}`, 303);
      },
    });
  });
  app.post('/resources/:slug/delete', { schema: { params: SlugParams } }, async (request, reply) => {
    const r = await visibleResource(request, request.params.slug);
    await deleteResource(db, request.actor, r);
    setFlash(reply, { kind: 'success', message: request.t('resources.deleted') });
    return reply.redirect('/resources', 303);
  });

  // ---- the resource page, files and share links -------------------------------------------------------
  async function resourcePage(request: FastifyRequest, reply: FastifyReply, stored: ResourceRow, forms: { link?: FormState; report?: FormState } = {}, status = 200) {
    // Title and summary in the reader's language where written.
    const r = localizeRow(stored, RESOURCE_TEXT, request.locale);
    const [details, partners, uses] = await Promise.all([resourceDetails(db, r.id), partnersOf(db, request.actor), recentUseReports(db, r.id)]);
    // Groups the reader may not see are not named.
    details.groups = details.groups.filter((g) => can(request.actor, 'group.view', g));
    const stamp = r.updated_at.getTime();
    const [summaryHtml, descriptionHtml] = await app.glossary.annotatePage([
      { key: `resource-summary:${r.id}:${stamp}:${r.lang_of.summary}`, html: escapeHtml(r.summary) },
      { key: `resource-description:${r.id}:${stamp}`, html: r.description ? renderMarkdown(r.description) : '' },
    ]);
    if (r.visibility !== 'public') reply.header('x-robots-tag', 'noindex');
    // A member's translation of the title and summary, when there is one.
    const memberTranslation = await resourceTranslation(db, r.id);
    return renderFor(
      app,
      request,
      reply,
      (ctx) => ({
        title: r.title,
        hasErrors: status >= 400,
        breadcrumbs: [{ label: ctx.t('resources.library'), href: '/resources' }],
        children: h(ResourceView, {
          ctx,
          resource: r,
          details,
          uses,
          partners,
          forms: { link: forms.link ?? emptyForm({ channel: 'newsletter' }), report: forms.report ?? emptyForm({ channel: 'newsletter' }) },
          idempotencyKey: idemKeyOf(request.body) ?? randomToken(16),
          baseUrl: config.baseUrl,
          html: { summary: summaryHtml!, description: descriptionHtml! },
          memberTranslation,
          can: {
            translate: can(request.actor, 'resource.translate', stored),
            askTranslation: can(request.actor, 'resource.request_translation', stored),
            edit: can(request.actor, 'resource.update', r),
            review: can(request.actor, 'dissemination.review', undefined),
            signIn: request.actor.kind === 'anonymous',
          },
        }),
      }),
      status,
    );
  }
  app.get('/resources/:slug', { schema: { params: SlugParams } }, async (request, reply) => {
    const r = await visibleResource(request, request.params.slug);
    if (r.deleted_at) throw new AppError('not_found');
    await count(request, r.id, VIEW_KIND.page);
    return resourcePage(request, reply, r);
  });
  app.get('/resources/:slug/files/:id', { schema: { params: Type.Object({ slug: Type.String({ maxLength: 120 }), id: Type.Integer({ minimum: 1, maximum: 2 ** 53 }) }) } }, async (request, reply) => {
    const r = await visibleResource(request, request.params.slug);
    const f = await db.selectFrom('resource_files').selectAll().where('id', '=', request.params.id).where('resource_id', '=', r.id).executeTakeFirst();
    if (!f || !files.exists(f.storage_key)) throw new AppError('not_found');
    await count(request, r.id, VIEW_KIND.download);
    // A signed-in download is asked about later: did you use it? (value/followups.ts)
    await noteFollowup(request, r.id, 'download');
    // Always a download, never rendered by the browser as a page; the type was decided from the bytes.
    return reply
      .header('content-type', f.content_type)
      .header('content-length', String(f.size_bytes))
      .header('content-disposition', `attachment; filename="${f.filename.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(f.filename)}`)
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('cache-control', r.visibility === 'public' ? 'public, max-age=3600' : 'private, no-store')
      .send(files.stream(f.storage_key));
  });
  app.get('/r/:code', { schema: { params: Type.Object({ code: Type.String({ maxLength: 20 }) }) } }, async (request, reply) => {
    const link = await db.selectFrom('share_links').select(['id', 'resource_id']).where('code', '=', request.params.code).executeTakeFirst();
    if (!link) throw new AppError('not_found');
    const r = await visibleResourceById(request, link.resource_id);
    if (r.deleted_at) throw new AppError('not_found');
    await count(request, r.id, VIEW_KIND.link, link.id);
    await noteFollowup(request, r.id, 'link');
    reply.header('cache-control', 'no-store').header('x-robots-tag', 'noindex');
    return reply.redirect(`/resources/${r.slug}`, 302);
  });
  app.post('/resources/:slug/links', { schema: { params: SlugParams } }, async (request, reply) => {
    const r = await visibleResource(request, request.params.slug);
    if (request.actor.kind !== 'user') throw new AppError('unauthenticated');
    return submitForm({
      schema: LinkInput,
      request,
      reply,
      render: (form, status) => resourcePage(request, reply, r, { link: form }, status),
      run: async (input) => {
        const link = await createShareLink(db, request.actor, r, input);
        setFlash(reply, { kind: 'success', message: request.t('resources.link_ready', { url: `${config.baseUrl}/r/${link.code}` }) });
        return reply.redirect(`/resources/${r.slug}#share`, 303);
      },
    });
  });
  app.post('/resources/:slug/dissemination', { schema: { params: SlugParams } }, async (request, reply) => {
    const r = await visibleResource(request, request.params.slug);
    if (request.actor.kind !== 'user') throw new AppError('unauthenticated');
    return submitForm({
      schema: DisseminationInput,
      request,
      reply,
      prepare: (v) => ({ ...v, audiences: v.audiences || undefined, states: v.states || undefined, evidence_url: v.evidence_url || undefined }),
      render: (form, status) => resourcePage(request, reply, r, { report: form }, status),
      run: async (input) => {
        await reportDissemination({ db, jobs: app.deps.jobs }, request.actor, r, input, idemKeyOf(request.body));
        setFlash(reply, { kind: 'success', message: request.t('resources.reported') });
        return reply.redirect(`/resources/${r.slug}#reach`, 303);
      },
    });
  });

  // ---- use reports ----------------------------------------------------------------------------------------
  const usePage = (request: FastifyRequest, reply: FastifyReply, r: ResourceRow, form: FormState, status = 200) =>
    renderFor(
      app,
      request,
      reply,
      (ctx) => ({
        title: ctx.t('resources.use_title'),
        lead: ctx.t('resources.use_lead'),
        hasErrors: status >= 400,
        breadcrumbs: [
          { label: ctx.t('resources.library'), href: '/resources' },
          { label: r.title, href: `/resources/${r.slug}` },
        ],
        children: h(UseReportView, { ctx, form, action: `/resources/${r.slug}/use`, idempotencyKey: idemKeyOf(request.body) ?? randomToken(16) }),
      }),
      status,
    );
  app.get('/resources/:slug/use', { schema: { params: SlugParams } }, async (request, reply) => {
    const r = await visibleResource(request, request.params.slug);
    authorize(request.actor, 'resource.use_report', r);
    return usePage(request, reply, r, emptyForm());
  });
  app.post('/resources/:slug/use', { schema: { params: SlugParams } }, async (request, reply) => {
    const r = await visibleResource(request, request.params.slug);
    authorize(request.actor, 'resource.use_report', r);
    return submitForm({
      schema: UseReportInput,
      request,
      reply,
      render: (form, status) => usePage(request, reply, r, form, status),
      run: async (input) => {
        await reportUse({ db, jobs: app.deps.jobs }, request.actor, r, input, visitorKey(request), idemKeyOf(request.body));
        setFlash(reply, { kind: 'success', message: request.t('resources.use_thanks') });
        return reply.redirect(`/resources/${r.slug}`, 303);
      },
    });
  });

  // ---- collections ------------------------------------------------------------------------------------------
  app.get('/collections', async (request, reply) => {
    const rows = await listCollections(db, request.actor);
    return renderFor(app, request, reply, (ctx) => ({
      title: ctx.t('collections.title'),
      lead: ctx.t('collections.lead'),
      children: h(CollectionsView, { ctx, collections: rows, canCreate: request.actor.kind === 'user' && (can(request.actor, 'collection.manage', { group_id: null }) || [...request.actor.memberships.entries()].some(([g]) => can(request.actor, 'collection.manage', { group_id: g }))) }),
    }));
  });
  const collectionForm = async (request: FastifyRequest, reply: FastifyReply, form: FormState, status = 200) => {
    const groups = (await listGroups(db, request.actor)).filter((g) => can(request.actor, 'collection.manage', { group_id: g.id }));
    return renderFor(
      app,
      request,
      reply,
      (ctx) => ({
        title: ctx.t('collections.new'),
        hasErrors: status >= 400,
        breadcrumbs: [{ label: ctx.t('collections.title'), href: '/collections' }],
        children: h(CollectionFormView, { ctx, form, groups: groups.map((g) => ({ value: g.slug, label: g.name })), facilitator: can(request.actor, 'collection.manage', { group_id: null }), idempotencyKey: idemKeyOf(request.body) ?? randomToken(16) }),
      }),
      status,
    );
  };
  app.get('/collections/new', async (request, reply) => {
    if (request.actor.kind !== 'user') throw new AppError('unauthenticated');
    const groups = (await listGroups(db, request.actor)).filter((g) => can(request.actor, 'collection.manage', { group_id: g.id }));
    if (!groups.length && !can(request.actor, 'collection.manage', { group_id: null })) throw new AppError('forbidden');
    return collectionForm(request, reply, emptyForm());
  });
  app.post('/collections', async (request, reply) =>
    submitForm({
      schema: CollectionInput,
      request,
      reply,
      bilingual: { fields: ['title', 'description'], required: ['title'] },
      prepare: (v) => ({ ...v, group: v.group || undefined }),
      render: (form, status) => collectionForm(request, reply, form, status),
      run: async (input) => {
        if (request.actor.kind !== 'user') throw new AppError('unauthenticated');
        const c = await createCollection(db, request.actor, input, idemKeyOf(request.body));
        return reply.redirect(`/collections/${c.slug}`, 303);
      },
    }),
  );
  const getCollection = async (request: FastifyRequest, slug: string) => {
    const c = await db
      .selectFrom('collections as c')
      .leftJoin('practice_groups as g', 'g.id', 'c.group_id')
      .select(['c.id', 'c.slug', 'c.title', 'c.description', 'c.language', 'c.translations', 'c.group_id', 'g.name as group_name', 'g.slug as group_slug', 'g.visibility', 'g.join_policy', 'g.archived_at'])
      .where('c.slug', '=', slug)
      .executeTakeFirst();
    if (!c) throw new AppError('not_found');
    // A collection curated by a group the viewer may not see is not found.
    if (c.group_id !== null) authorize(request.actor, 'group.view', { id: c.group_id, visibility: c.visibility!, join_policy: c.join_policy!, archived_at: c.archived_at });
    return c;
  };
  app.get('/collections/:slug', { schema: { params: SlugParams } }, async (request, reply) => {
    const c = localizeRow(await getCollection(request, request.params.slug), ['title', 'description'], request.locale);
    const items = await collectionItems(db, request.actor, c.id);
    const manage = can(request.actor, 'collection.manage', { group_id: c.group_id });
    const candidates = manage ? (await searchLibrary(db, request.actor, { sort: 'title', page: 1 })).items.filter((r) => !items.some((i) => i.id === r.id)) : [];
    return renderFor(app, request, reply, (ctx) => ({
      title: c.title,
      titleLang: c.lang_of.title,
      breadcrumbs: [{ label: ctx.t('collections.title'), href: '/collections' }],
      children: h(CollectionView, { ctx, collection: c, items, manage, candidates: candidates.map((r) => ({ value: String(r.id), label: r.title })) }),
    }));
  });
  app.post('/collections/:slug/items', { schema: { params: SlugParams } }, async (request, reply) => {
    const c = await getCollection(request, request.params.slug);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const action = String(body.action ?? 'add');
    const resourceId = Number(body.resource);
    if (!['add', 'remove', 'up', 'down'].includes(action) || !Number.isSafeInteger(resourceId) || resourceId < 1) {
      throw new AppError('validation_failed', { fields: { resource: request.t('validation.choose') } });
    }
    if (action === 'add') {
      const r = await getResourceById(db, resourceId);
      if (!r || !can(request.actor, 'resource.view', r)) throw new AppError('validation_failed', { fields: { resource: request.t('validation.choose') } });
    }
    await editCollection(db, request.actor, c, { action: action as 'add', resourceId });
    return reply.redirect(`/collections/${c.slug}#items`, 303);
  });

  // ---- JSON API -----------------------------------------------------------------------------------------------
  const present = (r: ResourceRow) => ({
    id: r.id,
    slug: r.slug,
    title: r.title,
    summary: r.summary,
    kind: r.kind,
    url: `${config.baseUrl}/resources/${r.slug}`,
    external_url: r.external_url,
    audiences: r.audiences,
    topics: r.topics,
    level: r.level,
    language: r.language,
    translations: r.translations,
    evidence_level: r.evidence_level,
    review_status: r.review_status,
    published_on: r.published_on,
    visibility: r.visibility,
    accessibility: r.accessibility,
  });
  app.get(
    '/api/v1/resources',
    { config: { list: { items: 'resources', perPage: LIBRARY_PAGE } }, schema: {
        tags: ['resources'],
        summary: 'Search and filter the library (only what the requester may see)',
        querystring: LibraryQuery,
        response: { 200: listOf({ resources: Type.Array(ResourceSummary), total: Type.Integer() }), ...errorResponses(400, 429) },
      },
    },
    async (request) => {
      const r = await searchWithLimit(request, libraryFilters(request.query as Record<string, unknown>));
      return { resources: r.items.map(present), total: r.total };
    },
  );
  app.post(
    '/api/v1/resources',
    {
      schema: {
        tags: ['resources'],
        summary: 'Add a resource (JSON with a link, or multipart/form-data with a "file")',
        security: [{ bearer: [] }],
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ maxLength: 100 })) }),
        response: { 201: ResourceSummary, ...errorResponses(400, 401, 403, 413, 429) },
      },
    },
    async (request, reply) => {
      authorize(request.actor, 'resource.create', undefined);
      const v = validate(ResourceInput, prepareResource({ ...((request.body as Record<string, unknown>) ?? {}) }), request.t);
      if (!v.ok) throw new AppError('validation_failed', { fields: v.errors });
      const created = await createResource(deps, request.actor, v.value, fileOf(request), request.headers['idempotency-key']);
      return reply.code(201).send(present((await getResourceById(db, created.id))!));
    },
  );
  app.get(
    '/api/v1/resources/:id',
    {
      schema: {
        tags: ['resources'],
        summary: 'One resource, with its files and reach',
        params: IdParams,
        response: {
          200: Type.Composite([
            ResourceSummary,
            Type.Object({
              description: Type.String(),
              files: Type.Array(Type.Object({ id: Type.Integer(), version: Type.Integer(), filename: Type.String(), content_type: Type.String(), size_bytes: Type.Integer(), url: Type.String() })),
              reach: Type.Object({ web_visitors: Type.Integer(), downloads: Type.Integer(), use_reports: Type.Integer() }),
            }),
          ]),
          ...errorResponses(404),
        },
      },
    },
    async (request) => {
      const r = await visibleResourceById(request, request.params.id);
      if (r.deleted_at) throw new AppError('not_found');
      const d = await resourceDetails(db, r.id);
      return {
        ...present(r),
        description: r.description,
        files: d.files.map((f) => ({ id: f.id, version: f.version, filename: f.filename, content_type: f.content_type, size_bytes: f.size_bytes, url: `${config.baseUrl}/resources/${r.slug}/files/${f.id}` })),
        reach: { web_visitors: d.web.visitors, downloads: d.web.downloads, use_reports: d.use.n },
      };
    },
  );
  documentMultipart('POST', '/api/v1/resources', Type.Omit(ResourceInput, []).properties, { name: 'file', description: 'The resource file (PDF, Word, image…); its type is read from its bytes' }, ResourceInput);
  app.post(
    '/api/v1/resources/:id/links',
    {
      schema: {
        tags: ['resources'],
        summary: "Get (or make) a partner's tracked short link for a resource",
        security: [{ bearer: [] }],
        params: IdParams,
        body: LinkInput,
        response: { 200: Type.Object({ code: Type.String(), url: Type.String() }), 201: Type.Object({ code: Type.String(), url: Type.String() }), ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const r = await visibleResourceById(request, request.params.id);
      if (request.actor.kind !== 'user') throw new AppError('unauthenticated');
      const link = await createShareLink(db, request.actor, r, request.body);
      return reply.code(link.created ? 201 : 200).send({ code: link.code, url: `${config.baseUrl}/r/${link.code}` });
    },
  );
  app.post(
    '/api/v1/resources/:id/dissemination',
    {
      schema: {
        tags: ['resources'],
        summary: 'Report how a partner passed a resource on',
        security: [{ bearer: [] }],
        params: IdParams,
        body: DisseminationInput,
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ maxLength: 100 })) }),
        response: { 201: Type.Object({ id: Type.Integer() }), ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const r = await visibleResourceById(request, request.params.id);
      if (request.actor.kind !== 'user') throw new AppError('unauthenticated');
      return reply.code(201).send(await reportDissemination({ db, jobs: app.deps.jobs }, request.actor, r, request.body, request.headers['idempotency-key']));
    },
  );
  app.post(
    '/api/v1/resources/:id/use-reports',
    {
      schema: {
        tags: ['resources'],
        summary: 'Say how you used a resource (no account needed)',
        params: IdParams,
        body: UseReportInput,
        response: { 201: Type.Object({ id: Type.Integer() }), ...errorResponses(400, 404, 429) },
      },
    },
    async (request, reply) => {
      const r = await visibleResourceById(request, request.params.id);
      return reply.code(201).send(await reportUse({ db, jobs: app.deps.jobs }, request.actor, r, request.body, visitorKey(request), request.headers['idempotency-key'] as string | undefined));
    },
  );
};

