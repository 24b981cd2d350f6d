import { groupCrumb, groupNameText } from '../platform/views/bilingual.js';
import { documentBodyless } from '../platform/http/openapi.js';
import { listOf } from '../platform/http/pagination.js';
import { paragraphsHtml } from '../platform/text.js';
import type { Actor } from '../platform/auth/actor.js';
import { resultCache } from '../platform/http/result-cache.js';
import { identityOf } from '../platform/views/kept.js';
import { resourceReader } from '../resources/policy.js';
import { eventReader } from '../events/policy.js';
import { groupMembersCond, perspectiveGaps } from '../agenda/queries.js';
import { createHash } from 'node:crypto';
import { groupResources } from '../resources/queries.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { h } from 'preact';
import { listEvents } from '../events/queries.js';
import { randomToken } from '../platform/auth/secrets.js';
import { renderFor, safeNext, setFlash, idemKeyOf } from '../platform/http/request-context.js';
import { submitForm } from '../platform/http/forms.js';
import { AppError } from '../platform/http/errors.js';
import { Enum, TranslationsOutput, errorResponses } from '../platform/http/schema-helpers.js';
import { localizeRow, localizeRows, toBilingualForm } from '../platform/i18n/content.js';
import { authorize, can } from '../platform/auth/policy.js';
import { emptyForm, type FormState } from '../platform/views/forms.js';
import { PersonSchema } from '../community/schemas.js';
import { GROUP_ROLES } from '../community/vocab.js';
import { GROUP_TEXT, GroupInput, GroupPatch, createGroup, decideRequest, inviteToGroup, joinGroup, leaveGroup, removeMember, setMemberRole, updateGroup, type JoinOutcome } from './commands.js';
import { getGroup, getVisibleGroup, groupMember, groupMemberRows, groupMembers, groupPageLists, groupViewerState, leadsOf, listGroups, presentMembers, priorities, type GroupRow, type MemberRow } from './queries.js';
import { GroupFormView, GroupMemberView, GroupView, GroupsView, type GroupPageData } from './views.js';
import { threadRows, withUnread, type ThreadRow } from '../discussions/queries.js';

const SlugParams = Type.Object({ slug: Type.String({ maxLength: 100 }) });
const MemberParams = Type.Object({ slug: Type.String({ maxLength: 100 }), userId: Type.Integer({ minimum: 1, maximum: 2 ** 53 }) });

const GroupSummary = Type.Object({
  id: Type.Integer(),
  slug: Type.String(),
  scope: Type.String({ description: 'How to place a convening in this group: group:<slug>' }),
  name: Type.String(),
  short_name: Type.String(),
  mission: Type.String(),
  led_by: Type.String(),
  visibility: Type.String(),
  join_policy: Type.String(),
  member_count: Type.Integer(),
  archived: Type.Boolean(),
  leads: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String(), role: Type.String() })),
  language: Type.String({ description: 'The language name and mission are written in (en or es)' }),
  translations: Type.Optional(TranslationsOutput),
});
const GroupDetail = Type.Composite([
  GroupSummary,
  Type.Object({
    priorities: Type.Array(Type.Object({ position: Type.Integer(), text: Type.String(), translations: Type.Optional(TranslationsOutput) })),
    membership: Type.Union([Type.Object({ role: Type.String(), status: Type.String() }), Type.Null()]),
  }),
]);

/** Members shown per page on a group's page. */
const MEMBERS_PER_PAGE = 48;

/** The group form's fields written side by side in English and Spanish. */
const GROUP_FORM = { fields: [...GROUP_TEXT, 'priorities'], required: ['name'], lists: ['priorities'] } as const;

/** Textarea lines → list of priorities (for the HTML form). */
const priorityLines = (v: Record<string, unknown>) => ({
  ...v,
  priorities: typeof v.priorities === 'string' ? v.priorities.split('\n').map((s) => s.replace(/^\s*\d+[.)]\s*/, '').trim()).filter(Boolean) : v.priorities,
});

/** Practice groups: list, page, join/leave/requests, leads' tools, and the API. */
export const groupRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.deps;

  const visibleGroup = (request: FastifyRequest, slug: string) => getVisibleGroup(db, request.actor, slug);

  const summary = (g: GroupRow, leads: { id: number; name: string; role: string }[] = []) => ({ ...g, scope: `group:${g.slug}`, archived: g.archived_at !== null, leads });

  app.get('/groups', async (request, reply) => {
    // In the reader's language, and in that language's alphabetical order.
    const groups = localizeRows(await listGroups(db, request.actor), GROUP_TEXT, request.locale).sort((a, b) => a.name.localeCompare(b.name, request.locale));
    return renderFor(app, request, reply, (ctx) => ({
      title: ctx.t('groups.title'),
      lead: ctx.t('groups.lead'),
      children: h(GroupsView, { ctx, groups, canCreate: can(request.actor, 'group.create', undefined) }),
    }));
  });

  // ---- create / edit -------------------------------------------------------------------
  const newForm = (request: FastifyRequest, reply: FastifyReply, form: FormState, status = 200) =>
    renderFor(
      app,
      request,
      reply,
      (ctx) => ({
        title: ctx.t('groups.new'),
        hasErrors: status >= 400,
        breadcrumbs: [{ label: ctx.t('groups.title'), href: '/groups' }],
        children: h(GroupFormView, { ctx, form, action: '/groups', isNew: true, idempotencyKey: idemKeyOf(request.body) ?? randomToken(16) }),
      }),
      status,
    );
  app.get('/groups/new', async (request, reply) => {
    authorize(request.actor, 'group.create', undefined);
    return newForm(request, reply, emptyForm({ led_by: 'none', visibility: 'public', join_policy: 'open' }));
  });
  app.post('/groups', async (request, reply) => {
    authorize(request.actor, 'group.create', undefined);
    return submitForm({
      schema: GroupInput,
      request,
      reply,
      bilingual: GROUP_FORM,
      prepare: priorityLines,
      render: (form, status) => newForm(request, reply, { ...form, values: { ...form.values, priorities: (form.values.priorities as string[] | undefined)?.join?.('\n') ?? form.values.priorities } }, status),
      run: async (input) => {
        const created = await createGroup(db, request.actor, input, { idempotencyKey: idemKeyOf(request.body) });
        app.groupNames.invalidate();
        setFlash(reply, { kind: 'success', message: request.t('groups.created') });
        return reply.redirect(`/groups/${created.slug}`, 303);
      },
    });
  });

  const editForm = (request: FastifyRequest, reply: FastifyReply, group: GroupRow, form: FormState, status = 200) =>
    renderFor(
      app,
      request,
      reply,
      (ctx) => ({
        title: ctx.t('groups.edit_title', { name: group.name }),
        hasErrors: status >= 400,
        breadcrumbs: [
          { label: ctx.t('groups.title'), href: '/groups' },
          groupCrumb(ctx, group.name, group.slug),
        ],
        children: h(GroupFormView, { ctx, form, action: `/groups/${group.slug}/edit`, isNew: false }),
      }),
      status,
    );
  app.get('/groups/:slug/edit', { schema: { params: SlugParams } }, async (request, reply) => {
    const group = await visibleGroup(request, request.params.slug);
    authorize(request.actor, 'group.update', group);
    const pr = (await priorities(db, [group.id])).get(group.id) ?? [];
    const list = pr.map((p) => p.text);
    const other = group.language === 'es' ? 'en' : 'es';
    const translated = pr.map((p) => String(p.translations[other]?.text ?? ''));
    const tr = { ...(group.translations as Record<string, Record<string, unknown>>) };
    tr[other] = { ...(tr[other] ?? {}), priorities: translated };
    return editForm(request, reply, group, emptyForm(toBilingualForm({ ...group, translations: tr, priorities: list }, GROUP_FORM.fields)));
  });
  app.post('/groups/:slug/edit', { schema: { params: SlugParams } }, async (request, reply) => {
    const group = await visibleGroup(request, request.params.slug);
    authorize(request.actor, 'group.update', group);
    return submitForm({
      schema: Type.Omit(GroupInput, ['slug']),
      request,
      reply,
      bilingual: GROUP_FORM,
      prepare: (v) => priorityLines({ priorities: '', ...v }),
      render: (form, status) => editForm(request, reply, group, { ...form, values: { ...form.values, priorities: (form.values.priorities as string[] | undefined)?.join?.('\n') ?? form.values.priorities ?? '' } }, status),
      run: async (input) => {
        await updateGroup(db, request.actor, group, input);
        app.groupNames.invalidate();
        setFlash(reply, { kind: 'success', message: request.t('groups.saved') });
        return reply.redirect(`/groups/${group.slug}`, 303);
      },
    });
  });

  // ---- the group page ---------------------------------------------------------------------
  /**
   * Everything `presentMembers` looks at in the viewer: signed in or not, a
   * facilitator or not, and whether they are on this page of the list (people
   * see all of their own fields). Viewers with the same answer see the same list.
   */
  function membersViewer(actor: Actor, rows: MemberRow[]): string {
    if (actor.kind !== 'user') return 'anonymous';
    if (can(actor, 'group.see_all_member_fields', undefined)) return 'facilitator';
    return rows.some((r) => r.id === actor.id) ? `member:${actor.id}` : 'member';
  }
  // What the page shows is mostly the same for everyone who may see the group (its
  // threads, a page of members, leads, priorities, reviews, agenda links, who is not
  // here): shared for the page-cache period, cleared by any write, and presented per
  // viewer on each request. Resources and events are shared by readers who may read
  // the same ones. Only the viewer's own state is read on every view.
  const gapsCache = resultCache<Awaited<ReturnType<typeof perspectiveGaps>>>(app.pageCache);
  const sharedCache = resultCache<{ lists: Awaited<ReturnType<typeof groupPageLists>>; members: MemberRow[]; threads: ThreadRow[]; kept: Map<string, string> }>(app.pageCache, 200);
  const resourcesCache = resultCache<Awaited<ReturnType<typeof groupResources>>>(app.pageCache);
  const eventsCache = resultCache<Awaited<ReturnType<typeof listEvents>>>(app.pageCache);
  async function groupPage(request: FastifyRequest, reply: FastifyReply, stored: GroupRow, invite: FormState = emptyForm(), status = 200, membersPage = 1) {
    const actor = request.actor;
    // Name, mission and priorities in the reader's language where written (policies read the stored row).
    const group = localizeRow(stored, GROUP_TEXT, request.locale);
    const canManage = can(actor, 'group.manage_members', group);
    const shared = sharedCache(`${group.id}:${membersPage}`, async () => {
      const [lists, members, latest] = await Promise.all([
        groupPageLists(db, group.id),
        // A page of members at a time: large groups have thousands.
        groupMemberRows(db, group.id, { limit: MEMBERS_PER_PAGE + 1, offset: (membersPage - 1) * MEMBERS_PER_PAGE }),
        threadRows(db, group.id, 1),
      ]);
      return { lists, members, threads: latest.threads.slice(0, 5), kept: new Map<string, string>() };
    });
    const [{ lists, members: memberRows, threads, kept }, resources, gaps, events] = await Promise.all([
      shared,
      resourcesCache(`${resourceReader(actor)}:${group.id}`, () => groupResources(db, actor, group.id)),
      gapsCache(String(group.id), () => perspectiveGaps(db, groupMembersCond(group.id))),
      eventsCache(`${eventReader(actor)}:${group.id}`, () => listEvents(db, actor, { group: group.id, when: 'upcoming', perPage: 3, count: false })),
    ]);
    const own = actor.kind === 'user' ? await groupViewerState(db, actor, group.id, { pending: canManage, threadIds: threads.map((x) => x.id) }) : undefined;
    // The mission as paragraphs, with glossary terms marked up.
    const missionHtml = await app.glossary.annotate(
      paragraphsHtml(group.mission),
      `group-mission:${group.id}:${group.lang_of.mission}:${createHash('sha1').update(group.mission).digest('base64')}`,
    );
    const membership = actor.kind === 'user' ? actor.memberships.get(group.id) : undefined;
    const pageRows = memberRows.slice(0, MEMBERS_PER_PAGE);
    const data: GroupPageData = {
      group,
      priorities: localizeRows(lists.priorities, ['text'], request.locale, stored.language),
      leads: presentMembers(actor, lists.leads),
      members: () => presentMembers(actor, pageRows),
      membersKey: `${membersViewer(actor, pageRows)}#${identityOf(memberRows)}`,
      kept,
      membersPage,
      membersMore: memberRows.length > MEMBERS_PER_PAGE,
      pending: own?.pending ?? [],
      membership,
      threads: own ? withUnread(threads, own.marks) : threads,
      watchLevel: own?.watchLevel,
      resources,
      events: events.rows,
      missionHtml,
      gaps,
      reviews: lists.reviews,
      agendaLinks: localizeRows(lists.agendaLinks, ['title'], request.locale),
      can: {
        startThread: can(actor, 'thread.create', { group }),
        join: can(actor, 'group.join', group),
        request: can(actor, 'group.request', group),
        leave: can(actor, 'group.leave', group),
        update: can(actor, 'group.update', group),
        manage: canManage,
        assignLeads: can(actor, 'group.assign_leads', group),
        signIn: actor.kind === 'anonymous' && group.join_policy !== 'invite',
        verify: actor.kind === 'user' && !actor.emailVerified && !membership,
        // Only an active lead or co-lead (an invited lead has not accepted yet).
        review: can(actor, 'group.review', group),
      },
    };
    return renderFor(
      app,
      request,
      reply,
      (ctx) => ({
        title: group.name,
        titleLang: group.lang_of.name,
        // Feed readers and calendar programs carry no session: only public groups have feeds.
        alternates:
          group.visibility === 'public' && !group.archived_at
            ? [
                { type: 'application/atom+xml' as const, title: ctx.t('discussions.group_title', { name: groupNameText(ctx, group.name) }), href: `/groups/${group.slug}/feed.atom` },
                { type: 'text/calendar' as const, title: `${ctx.t('events.title')} · ${group.name}`, href: `/groups/${group.slug}/calendar.ics` },
              ]
            : undefined,
        hasErrors: status >= 400,
        breadcrumbs: [{ label: ctx.t('groups.title'), href: '/groups' }],
        children: h(GroupView, { ctx, data, invite }),
      }),
      status,
    );
  }

  app.get('/groups/:slug', { schema: { params: SlugParams, querystring: Type.Object({ page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })) }) } }, async (request, reply) => {
    const group = await visibleGroup(request, request.params.slug);
    if (group.visibility !== 'public') reply.header('x-robots-tag', 'noindex');
    return groupPage(request, reply, group, emptyForm(), 200, request.query.page ?? 1);
  });

  const outcomeMessage = (request: FastifyRequest, outcome: JoinOutcome) => request.t(`groups.outcome_${outcome}`);

  app.post('/groups/:slug/join', { schema: { params: SlugParams } }, async (request, reply) => {
    const group = await visibleGroup(request, request.params.slug);
    const body = request.body as Record<string, unknown> | undefined;
    const outcome = await joinGroup(db, request.actor, group, String(body?.message ?? ''));
    setFlash(reply, { kind: 'success', message: outcomeMessage(request, outcome) });
    // Back where the person asked (the group's discussions, say), or the group's page.
    return reply.redirect(safeNext(body?.next, `/groups/${group.slug}`), 303);
  });
  app.post('/groups/:slug/leave', { schema: { params: SlugParams } }, async (request, reply) => {
    const group = await visibleGroup(request, request.params.slug);
    try {
      await leaveGroup(db, request.actor, group);
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'conflict') throw err;
      setFlash(reply, { kind: 'error', message: request.t('groups.last_lead') });
      return reply.redirect(`/groups/${group.slug}`, 303);
    }
    setFlash(reply, { kind: 'success', message: request.t('groups.left') });
    return reply.redirect(`/groups/${group.slug}`, 303);
  });
  app.post('/groups/:slug/requests/:userId/:decision', { schema: { params: Type.Composite([MemberParams, Type.Object({ decision: Enum(['approve', 'decline'] as const) })]) } }, async (request, reply) => {
    const group = await visibleGroup(request, request.params.slug);
    await decideRequest(db, request.actor, group, request.params.userId, request.params.decision === 'approve');
    setFlash(reply, { kind: 'success', message: request.t(request.params.decision === 'approve' ? 'groups.approved' : 'groups.declined') });
    return reply.redirect(`/groups/${group.slug}#group-pending`, 303);
  });
  app.post('/groups/:slug/invite', { schema: { params: SlugParams } }, async (request, reply) => {
    const group = await visibleGroup(request, request.params.slug);
    authorize(request.actor, 'group.manage_members', group);
    return submitForm({
      schema: Type.Object({ email: Type.String({ format: 'email', maxLength: 254 }) }),
      request,
      reply,
      render: (form, status) => groupPage(request, reply, group, form, status),
      run: async ({ email }) => {
        await inviteToGroup(db, request.actor, group, email);
        setFlash(reply, { kind: 'success', message: request.t('groups.invited') });
        return reply.redirect(`/groups/${group.slug}#group-pending`, 303);
      },
    });
  });
  // One member, for the group's leads and facilitators: change their role or remove them.
  app.get('/groups/:slug/members/:userId', { schema: { params: MemberParams } }, async (request, reply) => {
    const group = await visibleGroup(request, request.params.slug);
    const manage = can(request.actor, 'group.manage_members', group);
    const assignLeads = can(request.actor, 'group.assign_leads', group);
    if (!manage && !assignLeads) authorize(request.actor, 'group.manage_members', group);
    const member = await groupMember(db, request.actor, group.id, request.params.userId);
    if (!member) throw new AppError('not_found');
    reply.header('x-robots-tag', 'noindex');
    return renderFor(app, request, reply, (ctx) => ({
      title: ctx.t('groups.manage_member', { name: member.name }),
      breadcrumbs: [
        { label: ctx.t('groups.title'), href: '/groups' },
        groupCrumb(ctx, group.name, group.slug),
      ],
      children: h(GroupMemberView, { ctx, data: { group, member, can: { manage, assignLeads } } }),
    }));
  });
  app.post('/groups/:slug/members/:userId/role', { schema: { params: MemberParams } }, async (request, reply) => {
    const group = await visibleGroup(request, request.params.slug);
    authorize(request.actor, 'group.assign_leads', group);
    const role = String((request.body as Record<string, unknown> | undefined)?.role ?? '');
    if (!(GROUP_ROLES as readonly string[]).includes(role)) throw new AppError('validation_failed', { fields: { role: request.t('validation.choose') } });
    try {
      await setMemberRole(db, request.actor, group, request.params.userId, role as (typeof GROUP_ROLES)[number]);
      setFlash(reply, { kind: 'success', message: request.t('groups.role_changed') });
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'conflict') throw err;
      setFlash(reply, { kind: 'error', message: request.t('groups.last_lead') });
    }
    return reply.redirect(`/groups/${group.slug}/members/${request.params.userId}`, 303);
  });
  app.post('/groups/:slug/members/:userId/remove', { schema: { params: MemberParams } }, async (request, reply) => {
    const group = await visibleGroup(request, request.params.slug);
    try {
      await removeMember(db, request.actor, group, request.params.userId);
      setFlash(reply, { kind: 'success', message: request.t('groups.member_removed') });
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'conflict') throw err;
      setFlash(reply, { kind: 'error', message: request.t('groups.last_lead') });
    }
    return reply.redirect(`/groups/${group.slug}#group-members`, 303);
  });

  // ---- JSON API ---------------------------------------------------------------------------------
  app.get(
    '/api/v1/groups',
    { config: { list: { items: 'groups', perPage: 1000 } }, schema: { tags: ['groups'], summary: 'Practice groups the requester may see', response: { 200: listOf({ groups: Type.Array(GroupSummary) }) } } },
    async (request) => {
      const groups = await listGroups(db, request.actor);
      const leads = await leadsOf(db, request.actor, groups.map((g) => g.id));
      return { groups: groups.map((g) => summary(g, leads.get(g.id))) };
    },
  );
  app.get(
    '/api/v1/groups/:slug',
    { schema: { tags: ['groups'], summary: 'One practice group', params: SlugParams, response: { 200: GroupDetail, ...errorResponses(404) } } },
    async (request) => {
      const group = await visibleGroup(request, request.params.slug);
      const [pr, leads] = await Promise.all([priorities(db, [group.id]), leadsOf(db, request.actor, [group.id])]);
      const m = request.actor.kind === 'user' ? request.actor.memberships.get(group.id) : undefined;
      return { ...summary(group, leads.get(group.id)), priorities: pr.get(group.id) ?? [], membership: m ?? null };
    },
  );
  app.get(
    '/api/v1/groups/:slug/members',
    { config: { list: { items: 'members', perPage: MEMBERS_PER_PAGE } }, schema: {
        tags: ['groups'],
        summary: "A group's active members, as the requester may see them",
        params: SlugParams,
        response: { 200: listOf({ members: Type.Array(Type.Composite([PersonSchema, Type.Object({ group_role: Type.String() })])) }), ...errorResponses(404) },
      },
    },
    async (request) => {
      const group = await visibleGroup(request, request.params.slug);
      return { members: await groupMembers(db, request.actor, group.id, { leadsFirst: true }) };
    },
  );
  app.post(
    '/api/v1/groups',
    {
      schema: {
        tags: ['groups'],
        summary: 'Create a practice group (facilitators)',
        security: [{ bearer: [] }],
        body: GroupInput,
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ maxLength: 100 })) }),
        response: { 201: GroupDetail, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const created = await createGroup(db, request.actor, request.body, { idempotencyKey: request.headers['idempotency-key'] });
      app.groupNames.invalidate();
      const group = (await getGroup(db, created.slug))!;
      const pr = await priorities(db, [group.id]);
      const leads = await leadsOf(db, request.actor, [group.id]);
      return reply.code(201).send({ ...summary(group, leads.get(group.id)), priorities: pr.get(group.id) ?? [], membership: { role: 'lead', status: 'active' } });
    },
  );
  app.patch(
    '/api/v1/groups/:slug',
    {
      schema: { tags: ['groups'], summary: 'Update a practice group (leads, facilitators)', security: [{ bearer: [] }], params: SlugParams, body: GroupPatch, response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) } },
    },
    async (request, reply) => {
      const group = await visibleGroup(request, request.params.slug);
      await updateGroup(db, request.actor, group, request.body);
      app.groupNames.invalidate();
      return reply.code(204).send(null);
    },
  );
  const JoinResult = Type.Object({ outcome: Type.String(), membership: Type.Union([Type.Object({ role: Type.String(), status: Type.String() }), Type.Null()]) });
  app.post(
    '/api/v1/groups/:slug/join',
    {
      schema: {
        tags: ['groups'],
        summary: 'Join an open group, accept an invitation, or ask to join',
        security: [{ bearer: [] }],
        params: SlugParams,
        body: Type.Object({ message: Type.Optional(Type.String({ maxLength: 1000 })) }),
        response: { 200: JoinResult, ...errorResponses(401, 403, 404) },
      },
      // The body is optional: no body means no message.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) => {
      const group = await visibleGroup(request, request.params.slug);
      const outcome = await joinGroup(db, request.actor, group, request.body?.message ?? '');
      const row = await db.selectFrom('group_memberships').select(['role', 'status']).where('group_id', '=', group.id).where('user_id', '=', request.actor.id!).executeTakeFirst();
      return { outcome, membership: row ?? null };
    },
  );
  documentBodyless('POST', '/api/v1/groups/:slug/leave');
  app.post(
    '/api/v1/groups/:slug/leave',
    { schema: { tags: ['groups'], summary: 'Leave a group, withdraw a request or decline an invitation', security: [{ bearer: [] }], params: SlugParams, response: { 204: Type.Null(), ...errorResponses(401, 404, 409) } } },
    async (request, reply) => {
      const group = await visibleGroup(request, request.params.slug);
      await leaveGroup(db, request.actor, group);
      return reply.code(204).send(null);
    },
  );
  app.post(
    '/api/v1/groups/:slug/requests/:userId',
    {
      schema: {
        tags: ['groups'],
        summary: 'Approve or decline a request to join (leads, facilitators)',
        security: [{ bearer: [] }],
        params: MemberParams,
        body: Type.Object({ decision: Enum(['approve', 'decline'] as const) }),
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const group = await visibleGroup(request, request.params.slug);
      await decideRequest(db, request.actor, group, request.params.userId, request.body.decision === 'approve');
      return reply.code(204).send(null);
    },
  );
};
