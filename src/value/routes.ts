import { groupCrumb, groupNameText } from '../platform/views/bilingual.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { h } from 'preact';
import { authorize, can } from '../platform/auth/policy.js';
import { randomToken } from '../platform/auth/secrets.js';
import { AppError, msg } from '../platform/http/errors.js';
import { submitForm } from '../platform/http/forms.js';
import { formValues, idemKeyOf, renderFor, requireUser, setFlash, viewerTimeZone } from '../platform/http/request-context.js';
import { Enum, errorResponses } from '../platform/http/schema-helpers.js';
import { listOf } from '../platform/http/pagination.js';
import { emptyForm, type FormState } from '../platform/views/forms.js';
import { zonedToUtc } from '../events/time.js';
import { getVisibleGroup, listGroups } from '../groups/queries.js';
import { getThread, threadSubject, type ThreadRow } from '../discussions/queries.js';
import type { ValueCycle } from '../platform/db/schema.js';
import {
  FollowupAnswerInput,
  answerFollowup,
  dismissFollowup,
  getOwnFollowup,
  openFollowups,
  readFollowupStopToken,
  setFollowupsOff,
  type OpenFollowup,
} from './followups.js';
import { CYCLES, ReviewInput, StoryInput, createStory, cycleCounts, deleteStory, getVisibleStory, linkAddresses, listStories, reviewStory, storyLinks, storySubject, updateStory, type StoryRow } from './stories.js';
import {
  CloseInput,
  OpenDecisionInput,
  VoteInput,
  castVote,
  closeDecision,
  decisionResults,
  decisionSubject,
  getVisibleDecision,
  listDecisions,
  openDecision,
  type Decision,
  type OpenDecisionValue,
} from './decisions.js';
import { DecisionFormView, DecisionView, DecisionsListView, FollowupAnswerView, FollowupStopView, FollowupsView, StoriesView, StoryFormView, StoryReviewView, StoryView } from './views.js';
import { decisionOpen } from './policy.js';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 53 }) });
const StoriesQuery = Type.Object({ cycle: Type.Optional(Enum(CYCLES)), page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) });
const NewStoryQuery = Type.Object({
  group: Type.Optional(Type.String({ maxLength: 100 })),
  thread: Type.Optional(Type.Integer({ minimum: 1, maximum: 2 ** 53 })),
  resource: Type.Optional(Type.String({ maxLength: 120, pattern: '^[a-z0-9-]*$' })),
  event: Type.Optional(Type.Integer({ minimum: 1, maximum: 2 ** 53 })),
  agenda: Type.Optional(Type.String({ maxLength: 120, pattern: '^[a-z0-9-]*$' })),
});
const PAGE = 20;
/** ISO 8601 with an offset (the API's rule for every time it takes). */
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Form values: checkboxes to booleans, one choice to a list. */
const asList = (v: unknown) => (v === undefined || v === '' ? undefined : Array.isArray(v) ? v : [v]);
const asBool = (v: unknown) => (Array.isArray(v) ? v.includes('true') : v === 'true' || v === 'on');

/** Evidence of value: use follow-ups, value-creation stories, polls and proposals; their pages and API. */
export const valueRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db, jobs, config } = app.deps;

  // ---- use follow-ups ---------------------------------------------------------------------------------
  app.get('/follow-ups', async (request, reply) => {
    const actor = requireUser(request);
    const [items, me, community] = await Promise.all([openFollowups(db, actor), db.selectFrom('users').select('followups_off').where('id', '=', actor.id).executeTakeFirstOrThrow(), app.community.get()]);
    return renderFor(app, request, reply, (ctx) => ({
      title: ctx.t('followups.title'),
      lead: ctx.t('followups.lead'),
      children: h(FollowupsView, { ctx, items, off: me.followups_off, delayDays: community?.followup_delay_days ?? 30 }),
    }));
  });
  app.post('/follow-ups/settings', async (request, reply) => {
    const actor = requireUser(request);
    const off = asBool(formValues(request.body).off);
    await setFollowupsOff(db, actor.id, off);
    setFlash(reply, { kind: 'success', message: request.t(off ? 'followups.turned_off' : 'followups.turned_on') });
    return reply.redirect('/follow-ups', 303);
  });
  const answerPage = async (request: FastifyRequest, reply: FastifyReply, id: number, form: FormState, status = 200) => {
    const f = await getOwnFollowup(db, requireUser(request), id);
    return renderFor(
      app,
      request,
      reply,
      (ctx) => ({
        title: ctx.t('followups.title'),
        hasErrors: status >= 400,
        breadcrumbs: [{ label: ctx.t('followups.title'), href: '/follow-ups' }],
        children: h(FollowupAnswerView, { ctx, f, form, idempotencyKey: idemKeyOf(request.body) ?? randomToken(16) }),
      }),
      status,
    );
  };
  app.get('/follow-ups/:id', { schema: { params: IdParams } }, async (request, reply) => {
    const actor = requireUser(request);
    const f = await getOwnFollowup(db, actor, request.params.id);
    if (f.answered_at || f.outcome) {
      setFlash(reply, { kind: 'info', message: request.t('followups.already_answered') });
      return reply.redirect('/follow-ups', 303);
    }
    return answerPage(request, reply, request.params.id, emptyForm());
  });
  app.post('/follow-ups/:id', { schema: { params: IdParams } }, async (request, reply) => {
    const actor = requireUser(request);
    return submitForm({
      schema: FollowupAnswerInput,
      request,
      reply,
      render: (form, status) => answerPage(request, reply, request.params.id, form, status),
      run: async (input) => {
        const r = await answerFollowup({ db, jobs }, actor, request.params.id, input, idemKeyOf(request.body));
        const f = await db.selectFrom('use_followups').select('resource_id').where('id', '=', request.params.id).executeTakeFirst();
        setFlash(reply, { kind: 'success', message: request.t(r.outcome === 'used' ? (f?.resource_id ? 'followups.thanks_used' : 'followups.thanks_used_event') : 'followups.thanks') });
        return reply.redirect('/follow-ups', 303);
      },
    });
  });
  app.post('/follow-ups/:id/dismiss', { schema: { params: IdParams } }, async (request, reply) => {
    await dismissFollowup(db, requireUser(request), request.params.id);
    setFlash(reply, { kind: 'success', message: request.t('followups.dismissed') });
    return reply.redirect('/follow-ups', 303);
  });
  // One-click "stop asking me" from the email (RFC 8058: the POST needs no session and no CSRF token).
  const StopParams = Type.Object({ token: Type.String({ maxLength: 60 }) });
  const stopPage = (request: FastifyRequest, reply: FastifyReply, token: string, done: boolean, valid: boolean) =>
    renderFor(app, request, reply, (ctx) => ({ title: ctx.t('followups.stop_title'), children: h(FollowupStopView, { ctx, action: `/follow-ups/stop/${encodeURIComponent(token)}`, done, valid }) }), valid ? 200 : 404);
  app.get('/follow-ups/stop/:token', { schema: { params: StopParams } }, async (request, reply) => {
    request.noPageCache = true;
    return stopPage(request, reply, request.params.token, false, readFollowupStopToken(config.sessionSecret, request.params.token) !== undefined);
  });
  app.post('/follow-ups/stop/:token', { schema: { params: StopParams }, config: { csrf: false } }, async (request, reply) => {
    const userId = readFollowupStopToken(config.sessionSecret, request.params.token);
    if (userId !== undefined) await setFollowupsOff(db, userId, true);
    return stopPage(request, reply, request.params.token, true, userId !== undefined);
  });

  const FollowupJson = Type.Object({
    id: Type.Integer(),
    trigger: Type.String(),
    asked_at: Type.String({ format: 'date-time' }),
    resource: Type.Union([Type.Object({ slug: Type.String(), title: Type.String() }), Type.Null()]),
    event: Type.Union([Type.Object({ id: Type.Integer(), title: Type.String() }), Type.Null()]),
  });
  const followupJson = (f: OpenFollowup) => ({
    id: f.id,
    trigger: f.trigger,
    asked_at: f.asked_at.toISOString(),
    resource: f.resource && { slug: f.resource.slug, title: f.resource.title },
    event: f.event && { id: f.event.id, title: f.event.title },
  });
  app.get(
    '/api/v1/me/follow-ups',
    { config: { list: { items: 'follow_ups', perPage: 50 } }, schema: { tags: ['value'], summary: 'Questions waiting for you: did you use what you downloaded or attended?', security: [{ bearer: [] }], response: { 200: listOf({ follow_ups: Type.Array(FollowupJson) }), ...errorResponses(401) } } },
    async (request) => ({ follow_ups: (await openFollowups(db, requireUser(request))).map(followupJson) }),
  );
  app.post(
    '/api/v1/follow-ups/:id/answer',
    {
      schema: {
        tags: ['value'],
        summary: 'Answer a follow-up: "used" files a use report (how_used and usefulness required)',
        security: [{ bearer: [] }],
        params: IdParams,
        body: FollowupAnswerInput,
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ maxLength: 100 })) }),
        response: { 200: Type.Object({ outcome: Type.String(), use_report_id: Type.Union([Type.Integer(), Type.Null()]) }), ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request) => {
      const r = await answerFollowup({ db, jobs }, requireUser(request), request.params.id, request.body, request.headers['idempotency-key']);
      return { outcome: r.outcome, use_report_id: r.useReportId };
    },
  );

  // ---- stories ------------------------------------------------------------------------------------------
  const reviewCount = async (request: FastifyRequest) =>
    can(request.actor, 'story.review', undefined) ? Number((await db.selectFrom('value_stories').select(db.fn.countAll<number>().as('n')).where('status', '=', 'pending').where('audience', '<>', 'group').executeTakeFirstOrThrow()).n) : null;
  app.get('/stories', { schema: { querystring: StoriesQuery } }, async (request, reply) => {
    const page = request.query.page ?? 1;
    const cycle = request.query.cycle as ValueCycle | undefined;
    const [{ stories, more }, counts, pending] = await Promise.all([listStories(db, request.actor, { cycle, limit: PAGE, offset: (page - 1) * PAGE }), cycleCounts(db, request.actor), reviewCount(request)]);
    return renderFor(app, request, reply, (ctx) => ({
      title: ctx.t('stories.title'),
      lead: ctx.t('stories.lead'),
      children: h(StoriesView, { ctx, stories, counts, cycle, basePath: '/stories', newHref: can(request.actor, 'story.create', { group: null }) ? '/stories/new' : null, page, more, reviewCount: pending }),
    }));
  });
  app.get('/groups/:slug/stories', { schema: { params: Type.Object({ slug: Type.String({ maxLength: 100 }) }), querystring: StoriesQuery } }, async (request, reply) => {
    const group = await getVisibleGroup(db, request.actor, request.params.slug);
    const page = request.query.page ?? 1;
    const cycle = request.query.cycle as ValueCycle | undefined;
    const [{ stories, more }, counts] = await Promise.all([listStories(db, request.actor, { groupId: group.id, cycle, limit: PAGE, offset: (page - 1) * PAGE }), cycleCounts(db, request.actor, group.id)]);
    if (group.visibility !== 'public') reply.header('x-robots-tag', 'noindex');
    return renderFor(app, request, reply, (ctx) => ({
      title: ctx.t('stories.group_title', { group: groupNameText(ctx, group.name) }),
      lead: ctx.t('stories.lead'),
      breadcrumbs: [groupCrumb(ctx, group.name, group.slug)],
      children: h(StoriesView, { ctx, stories, counts, cycle, basePath: `/groups/${group.slug}/stories`, newHref: can(request.actor, 'story.create', { group }) ? `/stories/new?group=${encodeURIComponent(group.slug)}` : null, page, more, reviewCount: null }),
    }));
  });

  /** The groups a person may tell a story in (for the form's choice). */
  const storyGroups = async (request: FastifyRequest) => (await listGroups(db, request.actor)).filter((g) => !g.archived_at && can(request.actor, 'story.create', { group: g })).map((g) => ({ value: g.slug, label: g.name }));
  const storyFormPage = async (request: FastifyRequest, reply: FastifyReply, form: FormState, status: number, story?: StoryRow) => {
    const groups = await storyGroups(request);
    return renderFor(
      app,
      request,
      reply,
      (ctx) => ({
        title: story ? ctx.t('stories.edit') : ctx.t('stories.new'),
        hasErrors: status >= 400,
        breadcrumbs: [{ label: ctx.t('stories.title'), href: '/stories' }, ...(story ? [{ label: story.title, href: `/stories/${story.id}` }] : [])],
        children: h(StoryFormView, { ctx, form, action: story ? `/stories/${story.id}` : '/stories', groups, idempotencyKey: story ? undefined : (idemKeyOf(request.body) ?? randomToken(16)), editing: !!story }),
      }),
      status,
    );
  };
  const prepareStory = (v: Record<string, unknown>) => ({ ...v, cycles: asList(v.cycles) ?? [], perspectives: asList(v.perspectives) ?? [], acknowledge_privacy: v.acknowledge_privacy === undefined ? undefined : asBool(v.acknowledge_privacy) });
  app.get('/stories/new', { schema: { querystring: NewStoryQuery } }, async (request, reply) => {
    const actor = requireUser(request);
    if (!can(actor, 'story.create', { group: null })) throw new AppError('forbidden');
    const q = request.query;
    // "Tell a story about this": the thing it came from is filled in (and checked like any link when saved).
    const links = [q.thread ? `/threads/${q.thread}` : '', q.resource ? `/resources/${q.resource}` : '', q.event ? `/events/${q.event}` : '', q.agenda ? `/agenda/${q.agenda}` : ''].filter(Boolean).join('\n');
    return storyFormPage(request, reply, emptyForm({ group: q.group ?? '', links, audience: q.group ? 'group' : 'members', language: actor.locale.startsWith('es') ? 'es' : 'en' }), 200);
  });
  app.post('/stories', async (request, reply) => {
    const actor = requireUser(request);
    return submitForm({
      schema: StoryInput,
      request,
      reply,
      prepare: prepareStory,
      render: (form, status) => storyFormPage(request, reply, form, status),
      run: async (input) => {
        const s = await createStory(db, actor, input, idemKeyOf(request.body));
        setFlash(reply, { kind: 'success', message: request.t(input.audience === 'group' ? 'stories.saved' : 'stories.saved_review') });
        return reply.redirect(`/stories/${s.id}`, 303);
      },
    });
  });
  app.get('/stories/review', async (request, reply) => {
    authorize(request.actor, 'story.review', undefined);
    const { stories } = await listStories(db, request.actor, { status: 'pending', limit: 200 });
    return renderFor(app, request, reply, (ctx) => ({
      title: ctx.t('stories.review_title'),
      lead: ctx.t('stories.review_lead'),
      breadcrumbs: [{ label: ctx.t('stories.title'), href: '/stories' }],
      children: h(StoryReviewView, { ctx, stories: stories.reverse() }),
    }));
  });
  const storyPage = async (request: FastifyRequest, reply: FastifyReply, s: StoryRow, reviewForm: FormState, status = 200) => {
    const links = await storyLinks(db, request.actor, s.id);
    if (s.audience !== 'public' || s.status !== 'approved') reply.header('x-robots-tag', 'noindex');
    return renderFor(
      app,
      request,
      reply,
      (ctx) => ({
        title: s.title,
        hasErrors: status >= 400,
        breadcrumbs: s.group_slug ? [groupCrumb(ctx, s.group_name!, s.group_slug), { label: ctx.t('stories.title'), href: `/groups/${s.group_slug}/stories` }] : [{ label: ctx.t('stories.title'), href: '/stories' }],
        children: h(StoryView, { ctx, s, links, canEdit: can(request.actor, 'story.edit', storySubject(s)), canReview: can(request.actor, 'story.review', undefined), reviewForm }),
      }),
      status,
    );
  };
  app.get('/stories/:id', { schema: { params: IdParams } }, async (request, reply) => storyPage(request, reply, await getVisibleStory(db, request.actor, request.params.id), emptyForm()));
  app.get('/stories/:id/edit', { schema: { params: IdParams } }, async (request, reply) => {
    const s = await getVisibleStory(db, request.actor, request.params.id);
    authorize(request.actor, 'story.edit', storySubject(s));
    return storyFormPage(
      request,
      reply,
      emptyForm({ title: s.title, body: s.body, language: s.language, group: s.group_slug ?? '', cycles: s.cycles, perspectives: s.perspectives, audience: s.audience, links: await linkAddresses(db, s.id) }),
      200,
      s,
    );
  });
  app.post('/stories/:id', { schema: { params: IdParams } }, async (request, reply) => {
    const s = await getVisibleStory(db, request.actor, request.params.id);
    authorize(request.actor, 'story.edit', storySubject(s));
    return submitForm({
      schema: StoryInput,
      request,
      reply,
      prepare: prepareStory,
      render: (form, status) => storyFormPage(request, reply, form, status, s),
      run: async (input) => {
        await updateStory(db, request.actor, s, input);
        setFlash(reply, { kind: 'success', message: request.t('stories.saved') });
        return reply.redirect(`/stories/${s.id}`, 303);
      },
    });
  });
  app.post('/stories/:id/delete', { schema: { params: IdParams } }, async (request, reply) => {
    const s = await getVisibleStory(db, request.actor, request.params.id);
    await deleteStory(db, request.actor, s);
    setFlash(reply, { kind: 'success', message: request.t('stories.deleted') });
    return reply.redirect(s.group_slug ? `/groups/${s.group_slug}/stories` : '/stories', 303);
  });
  app.post('/stories/:id/review', { schema: { params: IdParams } }, async (request, reply) => {
    const s = await getVisibleStory(db, request.actor, request.params.id);
    authorize(request.actor, 'story.review', undefined);
    return submitForm({
      schema: ReviewInput,
      request,
      reply,
      render: (form, status) => storyPage(request, reply, s, form, status),
      run: async (input) => {
        await reviewStory({ db, jobs }, request.actor, s, input);
        setFlash(reply, { kind: 'success', message: request.t('stories.reviewed') });
        return reply.redirect('/stories/review', 303);
      },
    });
  });

  // Stories in the API.
  const StoryJson = Type.Object({
    id: Type.Integer(),
    title: Type.String(),
    body: Type.String(),
    language: Type.String(),
    group: Type.Union([Type.String({ description: 'group:<slug>' }), Type.Null()]),
    cycles: Type.Array(Type.String()),
    perspectives: Type.Array(Type.String()),
    audience: Type.String(),
    status: Type.String(),
    author: Type.Union([Type.Object({ id: Type.Integer(), name: Type.String() }), Type.Null()]),
    created_at: Type.String({ format: 'date-time' }),
    url: Type.String(),
  });
  const storyJson = (s: StoryRow) => ({
    id: s.id,
    title: s.title,
    body: s.body,
    language: s.language,
    group: s.group_slug ? `group:${s.group_slug}` : null,
    cycles: s.cycles,
    perspectives: s.perspectives,
    audience: s.audience,
    status: s.status,
    author: s.author_id && s.author_name ? { id: s.author_id, name: s.author_name } : null,
    created_at: s.created_at.toISOString(),
    url: `${config.baseUrl}/stories/${s.id}`,
  });
  app.get(
    '/api/v1/stories',
    {
      config: { list: { items: 'stories', perPage: PAGE } },
      schema: {
        tags: ['value'],
        summary: 'Stories of value you may read, newest first (optionally one group’s, or one cycle’s)',
        querystring: Type.Object({ scope: Type.Optional(Type.String({ maxLength: 120, pattern: '^group:[a-z0-9-]+$' })), cycle: Type.Optional(Enum(CYCLES)), page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }),
        response: { 200: listOf({ stories: Type.Array(StoryJson), more: Type.Boolean() }), ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const q = request.query;
      const group = q.scope ? await getVisibleGroup(db, request.actor, q.scope.slice('group:'.length)) : undefined;
      const page = q.page ?? 1;
      const { stories, more } = await listStories(db, request.actor, { groupId: group?.id, cycle: q.cycle as ValueCycle | undefined, limit: PAGE, offset: (page - 1) * PAGE });
      return { stories: stories.map(storyJson), more };
    },
  );
  app.get(
    '/api/v1/stories/:id',
    { schema: { tags: ['value'], summary: 'One story of value, with what it involved', params: IdParams, response: { 200: Type.Intersect([StoryJson, Type.Object({ links: Type.Array(Type.Object({ kind: Type.String(), id: Type.Integer(), title: Type.String(), url: Type.String() })) })]), ...errorResponses(404) } } },
    async (request) => {
      const s = await getVisibleStory(db, request.actor, request.params.id);
      const links = await storyLinks(db, request.actor, s.id);
      return { ...storyJson(s), links: links.map((l) => ({ kind: l.kind, id: l.id, title: l.title, url: `${config.baseUrl}${l.href}` })) };
    },
  );
  app.post(
    '/api/v1/stories',
    {
      schema: {
        tags: ['value'],
        summary: 'Tell a story of value (shared beyond its group once a facilitator approves it)',
        security: [{ bearer: [] }],
        body: StoryInput,
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ maxLength: 100 })) }),
        response: { 201: Type.Object({ id: Type.Integer(), status: Type.String() }), ...errorResponses(400, 401, 403, 422, 429) },
      },
    },
    async (request, reply) => {
      const r = await createStory(db, requireUser(request), request.body, request.headers['idempotency-key']);
      return reply.code(201).send({ id: r.id, status: request.body.audience === 'group' ? 'shared_in_group' : 'pending' });
    },
  );

  // ---- polls and proposals ----------------------------------------------------------------------------------
  const visibleThread = async (request: FastifyRequest, id: number): Promise<ThreadRow> => {
    const th = await getThread(db, id);
    if (!th) throw new AppError('not_found');
    authorize(request.actor, 'thread.view', threadSubject(th));
    return th;
  };
  /** The form's closing time (the viewer's zone) or the API's (ISO 8601 with an offset). */
  const closesAt = (raw: string, zone: string | undefined): Date => {
    const d = zone ? zonedToUtc(raw.slice(0, 16), zone) : ISO_WITH_OFFSET.test(raw) ? new Date(raw) : undefined;
    if (!d || Number.isNaN(d.getTime())) throw new AppError('validation_failed', { fields: { closes_at: msg('decisions.closes_invalid') } });
    return d;
  };
  const decisionFormPage = (request: FastifyRequest, reply: FastifyReply, thread: ThreadRow, form: FormState, status = 200) =>
    renderFor(
      app,
      request,
      reply,
      (ctx) => ({
        title: ctx.t('decisions.new_title'),
        hasErrors: status >= 400,
        breadcrumbs: [{ label: thread.title, href: `/threads/${thread.id}` }],
        children: h(DecisionFormView, { ctx, form, threadId: thread.id, idempotencyKey: idemKeyOf(request.body) ?? randomToken(16) }),
      }),
      status,
    );
  app.get('/threads/:id/decisions/new', { schema: { params: IdParams } }, async (request, reply) => {
    const thread = await visibleThread(request, request.params.id);
    authorize(request.actor, 'decision.open', threadSubject(thread));
    return decisionFormPage(request, reply, thread, emptyForm({ kind: 'proposal' }));
  });
  const prepareDecision = (v: Record<string, unknown>) => ({ ...v, multiple: asBool(v.multiple), anonymous: asBool(v.anonymous) });
  app.post('/threads/:id/decisions', { schema: { params: IdParams } }, async (request, reply) => {
    const thread = await visibleThread(request, request.params.id);
    authorize(request.actor, 'decision.open', threadSubject(thread));
    return submitForm({
      schema: OpenDecisionInput,
      request,
      reply,
      prepare: prepareDecision,
      render: (form, status) => decisionFormPage(request, reply, thread, form, status),
      run: async (input) => {
        const value: OpenDecisionValue = { ...input, closes_at: closesAt(input.closes_at, viewerTimeZone(request)) };
        const d = await openDecision({ db, jobs }, request.actor, thread, value, idemKeyOf(request.body));
        setFlash(reply, { kind: 'success', message: request.t('decisions.opened') });
        return reply.redirect(`/decisions/${d.id}`, 303);
      },
    });
  });
  app.get('/decisions', async (request, reply) => {
    const decisions = await listDecisions(db, request.actor);
    return renderFor(app, request, reply, (ctx) => ({ title: ctx.t('decisions.title'), lead: ctx.t('decisions.lead'), children: h(DecisionsListView, { ctx, decisions }) }));
  });
  const agendaOptions = async () => (await db.selectFrom('agenda_items').select(['slug', 'title']).orderBy('position').orderBy('title').execute()).map((a) => ({ value: a.slug, label: a.title }));
  const showDecision = async (request: FastifyRequest, reply: FastifyReply, d: Decision, forms: { vote?: FormState; close?: FormState } = {}, status = 200) => {
    const r = await decisionResults(db, request.actor, d, (k) => request.t(`decisions.stance.${k}`));
    return decisionPageWith(request, reply, d, r, forms, status);
  };
  const decisionPageWith = async (request: FastifyRequest, reply: FastifyReply, d: Decision, r: Awaited<ReturnType<typeof decisionResults>>, forms: { vote?: FormState; close?: FormState }, status: number) => {
    const subject = decisionSubject(d);
    const canClose = can(request.actor, 'decision.close', subject);
    const options = canClose ? await agendaOptions() : [];
    if (d.thread.group_visibility && d.thread.group_visibility !== 'public') reply.header('x-robots-tag', 'noindex');
    return renderFor(
      app,
      request,
      reply,
      (ctx) => ({
        title: d.title,
        hasErrors: status >= 400,
        breadcrumbs: [...(d.thread.group_slug ? [groupCrumb(ctx, d.thread.group_name!, d.thread.group_slug)] : []), { label: d.thread.title, href: `/threads/${d.thread.id}` }],
        children: h(DecisionView, { ctx, d, r, canVote: can(request.actor, 'decision.vote', subject), canClose, voteForm: forms.vote ?? emptyForm(), closeForm: forms.close ?? emptyForm(), agendaOptions: options }),
      }),
      status,
    );
  };
  app.get('/decisions/:id', { schema: { params: IdParams } }, async (request, reply) => showDecision(request, reply, await getVisibleDecision(db, request.actor, request.params.id)));
  app.post('/decisions/:id/vote', { schema: { params: IdParams } }, async (request, reply) => {
    const d = await getVisibleDecision(db, request.actor, request.params.id);
    requireUser(request);
    return submitForm({
      schema: VoteInput,
      request,
      reply,
      prepare: (v) => ({ ...v, options: asList(v.options)?.map((x) => Number(x)) }),
      render: (form, status) => showDecision(request, reply, d, { vote: form }, status),
      run: async (input) => {
        await castVote(db, request.actor, d, input);
        setFlash(reply, { kind: 'success', message: request.t('decisions.voted') });
        return reply.redirect(`/decisions/${d.id}#decision-results`, 303);
      },
    });
  });
  app.post('/decisions/:id/close', { schema: { params: IdParams } }, async (request, reply) => {
    const d = await getVisibleDecision(db, request.actor, request.params.id);
    authorize(request.actor, 'decision.close', decisionSubject(d));
    return submitForm({
      schema: CloseInput,
      request,
      reply,
      prepare: (v) => ({ ...v, agenda_item: v.agenda_item || undefined }),
      render: (form, status) => showDecision(request, reply, d, { close: form }, status),
      run: async (input) => {
        await closeDecision(db, request.actor, d, input);
        setFlash(reply, { kind: 'success', message: request.t('decisions.closed_done') });
        return reply.redirect(`/decisions/${d.id}`, 303);
      },
    });
  });

  // Decisions in the API.
  const DecisionJson = Type.Object({
    id: Type.Integer(),
    thread_id: Type.Integer(),
    kind: Type.String(),
    title: Type.String(),
    details: Type.String(),
    multiple: Type.Boolean(),
    anonymous: Type.Boolean(),
    closes_at: Type.String({ format: 'date-time' }),
    closed_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    open: Type.Boolean(),
    outcome: Type.Union([Type.String(), Type.Null()]),
    agenda_item: Type.Union([Type.String(), Type.Null()]),
    options: Type.Array(Type.Object({ id: Type.Integer(), label: Type.String() })),
    results: Type.Object({
      voters: Type.Integer(),
      choices: Type.Array(Type.Object({ key: Type.String(), label: Type.String(), votes: Type.Integer() })),
      by_perspective: Type.Array(Type.Object({ perspective: Type.String(), voters: Type.Integer(), choices: Type.Record(Type.String(), Type.Integer()) })),
      not_weighed_in: Type.Array(Type.Object({ perspective: Type.String(), people: Type.Integer() })),
      not_weighed_in_total: Type.Integer(),
      votes: Type.Array(Type.Object({ name: Type.String(), choice: Type.Array(Type.String()), reason: Type.String(), perspectives: Type.Array(Type.String()) })),
      reasons: Type.Array(Type.Object({ choice: Type.Array(Type.String()), reason: Type.String() })),
    }),
    my_vote: Type.Union([Type.Object({ options: Type.Array(Type.Integer()), stance: Type.Union([Type.String(), Type.Null()]), reason: Type.String() }), Type.Null()]),
  });
  const decisionJson = async (request: FastifyRequest, d: Decision) => {
    const r = await decisionResults(db, request.actor, d, (k) => k);
    return {
      id: d.id,
      thread_id: d.thread_id,
      kind: d.kind,
      title: d.title,
      details: d.details,
      multiple: d.multiple,
      anonymous: d.anonymous,
      closes_at: d.closes_at.toISOString(),
      closed_at: d.closed_at?.toISOString() ?? null,
      open: decisionOpen(d),
      outcome: d.outcome,
      agenda_item: d.agenda_slug,
      options: d.options.map((o) => ({ id: o.id, label: o.label })),
      results: {
        voters: r.voters,
        choices: r.choices,
        by_perspective: r.byPerspective,
        not_weighed_in: r.notYet,
        not_weighed_in_total: r.notYetTotal,
        votes: r.votes.map((v) => ({ name: v.name, choice: v.choice, reason: v.reason, perspectives: v.perspectives })),
        reasons: r.reasons.map((v) => ({ choice: v.choice, reason: v.reason })),
      },
      my_vote: r.mine ? { options: r.mine.option_ids, stance: r.mine.stance, reason: r.mine.reason } : null,
    };
  };
  app.get(
    '/api/v1/decisions/:id',
    { schema: { tags: ['value'], summary: 'A poll or proposal with its results by perspective', params: IdParams, response: { 200: DecisionJson, ...errorResponses(404) } } },
    async (request) => decisionJson(request, await getVisibleDecision(db, request.actor, request.params.id)),
  );
  app.post(
    '/api/v1/threads/:id/decisions',
    {
      schema: {
        tags: ['value'],
        summary: 'Open a poll or proposal in a thread (its leads and facilitators); closes_at in ISO 8601 with an offset',
        security: [{ bearer: [] }],
        params: IdParams,
        body: OpenDecisionInput,
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ maxLength: 100 })) }),
        response: { 201: Type.Object({ id: Type.Integer() }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const actor = requireUser(request);
      const thread = await visibleThread(request, request.params.id);
      const d = await openDecision({ db, jobs }, actor, thread, { ...request.body, closes_at: closesAt(request.body.closes_at, undefined) }, request.headers['idempotency-key']);
      return reply.code(201).send(d);
    },
  );
  app.put(
    '/api/v1/decisions/:id/vote',
    {
      schema: {
        tags: ['value'],
        summary: 'Vote, or change your vote, until the decision closes (options for a poll, stance for a proposal)',
        security: [{ bearer: [] }],
        params: IdParams,
        body: VoteInput,
        response: { 200: DecisionJson, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      requireUser(request);
      const d = await getVisibleDecision(db, request.actor, request.params.id);
      await castVote(db, request.actor, d, request.body);
      return decisionJson(request, d);
    },
  );
  app.post(
    '/api/v1/decisions/:id/close',
    {
      schema: {
        tags: ['value'],
        summary: 'Close a decision and record its outcome (optionally on a shared-agenda item, by slug)',
        security: [{ bearer: [] }],
        params: IdParams,
        body: CloseInput,
        response: { 200: DecisionJson, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      requireUser(request);
      const d = await getVisibleDecision(db, request.actor, request.params.id);
      await closeDecision(db, request.actor, d, request.body);
      return decisionJson(request, (await getVisibleDecision(db, request.actor, d.id)));
    },
  );
};
