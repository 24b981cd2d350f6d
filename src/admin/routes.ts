import { toBilingualForm } from '../platform/i18n/content.js';
import { COMMUNITY_TEXT } from '../community/queries.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import { h } from 'preact';
import { authorize, can } from '../platform/auth/policy.js';
import { randomToken } from '../platform/auth/secrets.js';
import { renderFor, setFlash, idemKeyOf } from '../platform/http/request-context.js';
import { submitForm } from '../platform/http/forms.js';
import { AppError } from '../platform/http/errors.js';
import { emptyForm, type FormState } from '../platform/views/forms.js';
import { validate } from '../platform/http/validation.js';
import { escapeLike } from '../community/queries.js';
import {
  CommunityInput,
  OrganizationInput,
  PersonAdminInput,
  StateInitiativeInput,
  adminUpdatePerson,
  createOrganization,
  deleteOrganization,
  saveStateInitiative,
  updateCommunity,
  updateOrganization,
} from '../community/commands.js';
import { archiveGroup } from '../groups/commands.js';
import { getGroup } from '../groups/queries.js';
import { AdminHome, CommunityForm, GroupAdminList, OrgAdminList, OrgForm, PeopleAdmin, StateAdminList, StateForm } from './views.js';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 53 }) });

/** Facilitators' pages to manage the community, organizations, states, groups and people. */
export const adminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.deps;

  app.addHook('preHandler', async (request) => {
    if (request.url.startsWith('/admin')) authorize(request.actor, 'admin.access', undefined);
  });

  /** Organizations' and state initiatives' descriptions, written side by side (English unless only Spanish is given). */
  const DESCRIPTION_FORM = { fields: ['description'] } as const;
  const crumbs = (request: FastifyRequest, ...more: { label: string; href: string }[]) => [{ label: request.t('nav.admin'), href: '/admin' }, ...more];

  app.get('/admin', async (request, reply) => {
    const audit = await db
      .selectFrom('audit_log as a')
      .leftJoin('users as u', 'u.id', 'a.actor_id')
      .select(['a.id', 'u.name as actor', 'a.action', 'a.subject_type', 'a.subject_id', 'a.created_at'])
      .orderBy('a.id', 'desc')
      .limit(25)
      .execute();
    return renderFor(app, request, reply, (ctx) => ({ title: ctx.t('admin.title'), children: h(AdminHome, { ctx, audit, can: { identityProviders: can(request.actor, 'identity_providers.manage', undefined), retention: can(request.actor, 'retention.manage', undefined) } }) }));
  });

  // ---- community ----------------------------------------------------------------------------
  const communityPage = (request: FastifyRequest, reply: FastifyReply, form: FormState, status = 200) =>
    renderFor(app, request, reply, (ctx) => ({ title: ctx.t('admin.community'), hasErrors: status >= 400, breadcrumbs: crumbs(request), children: h(CommunityForm, { ctx, form }) }), status);
  app.get('/admin/community', async (request, reply) => {
    const c = await db.selectFrom('community').selectAll().executeTakeFirst();
    return communityPage(request, reply, emptyForm(c ? toBilingualForm({ ...c, website: c.website ?? '' }, COMMUNITY_TEXT) : { reach_goal: 0 }));
  });
  app.post('/admin/community', async (request, reply) =>
    submitForm({
      schema: CommunityInput,
      request,
      reply,
      bilingual: { fields: COMMUNITY_TEXT, required: ['name'] },
      // An empty follow-up delay keeps the current one.
      prepare: ({ followup_delay_days, ...v }) => (followup_delay_days === '' || followup_delay_days === undefined ? v : { ...v, followup_delay_days }),
      render: (form, status) => communityPage(request, reply, form, status),
      run: async (input) => {
        await updateCommunity(db, request.actor, input, app.community);
        setFlash(reply, { kind: 'success', message: request.t('admin.saved') });
        return reply.redirect('/admin/community', 303);
      },
    }),
  );

  // ---- organizations ----------------------------------------------------------------------
  app.get('/admin/organizations', async (request, reply) => {
    const orgs = await db.selectFrom('organizations').select(['id', 'slug', 'name', 'kind', 'level']).orderBy(sql`lower(name)`).execute();
    return renderFor(app, request, reply, (ctx) => ({ title: ctx.t('admin.organizations'), breadcrumbs: crumbs(request), children: h(OrgAdminList, { ctx, orgs }) }));
  });
  const orgPage = (request: FastifyRequest, reply: FastifyReply, form: FormState, id: number | undefined, status = 200) =>
    renderFor(
      app,
      request,
      reply,
      (ctx) => ({
        title: id ? ctx.t('admin.edit_organization') : ctx.t('admin.new_organization'),
        hasErrors: status >= 400,
        breadcrumbs: crumbs(request, { label: ctx.t('admin.organizations'), href: '/admin/organizations' }),
        children: h(OrgForm, {
          ctx,
          form,
          action: id ? `/admin/organizations/${id}` : '/admin/organizations',
          deleteAction: id ? `/admin/organizations/${id}/delete` : undefined,
          idempotencyKey: id ? undefined : (idemKeyOf(request.body) ?? randomToken(16)),
        }),
      }),
      status,
    );
  app.get('/admin/organizations/new', async (request, reply) => orgPage(request, reply, emptyForm({ kind: 'member', level: 'national' }), undefined));
  app.post('/admin/organizations', async (request, reply) =>
    submitForm({
      schema: OrganizationInput,
      request,
      reply,
      bilingual: DESCRIPTION_FORM,
      prepare: (v) => ({ states: [], ...v }),
      render: (form, status) => orgPage(request, reply, form, undefined, status),
      run: async (input) => {
        const org = await createOrganization(db, request.actor, input, idemKeyOf(request.body));
        setFlash(reply, { kind: 'success', message: request.t('admin.saved') });
        return reply.redirect(`/organizations/${org.slug}`, 303);
      },
    }),
  );
  app.get('/admin/organizations/:id', { schema: { params: IdParams } }, async (request, reply) => {
    const org = await db.selectFrom('organizations').selectAll().where('id', '=', request.params.id).executeTakeFirst();
    if (!org) throw new AppError('not_found');
    return orgPage(request, reply, emptyForm(toBilingualForm({ ...org, website: org.website ?? '' }, DESCRIPTION_FORM.fields)), org.id);
  });
  app.post('/admin/organizations/:id', { schema: { params: IdParams } }, async (request, reply) =>
    submitForm({
      schema: OrganizationInput,
      request,
      reply,
      bilingual: DESCRIPTION_FORM,
      prepare: (v) => ({ states: [], ...v }),
      render: (form, status) => orgPage(request, reply, form, request.params.id, status),
      run: async (input) => {
        await updateOrganization(db, request.actor, request.params.id, input);
        app.community.invalidate();
        setFlash(reply, { kind: 'success', message: request.t('admin.saved') });
        return reply.redirect(`/organizations/${input.slug}`, 303);
      },
    }),
  );
  app.post('/admin/organizations/:id/delete', { schema: { params: IdParams } }, async (request, reply) => {
    await deleteOrganization(db, request.actor, request.params.id, app.community);
    setFlash(reply, { kind: 'success', message: request.t('admin.deleted') });
    return reply.redirect('/admin/organizations', 303);
  });

  // ---- state initiatives ------------------------------------------------------------------------
  app.get('/admin/states', async (request, reply) => {
    const states = await db.selectFrom('state_initiatives').select(['id', 'state_code', 'name', 'status']).orderBy('state_code').execute();
    return renderFor(app, request, reply, (ctx) => ({ title: ctx.t('admin.states'), breadcrumbs: crumbs(request), children: h(StateAdminList, { ctx, states }) }));
  });
  const statePage = async (request: FastifyRequest, reply: FastifyReply, form: FormState, id: number | undefined, status = 200) => {
    const agencies = await db.selectFrom('organizations').select(['id', 'name']).orderBy(sql`lower(name)`).execute();
    return renderFor(
      app,
      request,
      reply,
      (ctx) => ({
        title: id ? ctx.t('admin.edit_state') : ctx.t('admin.new_state'),
        hasErrors: status >= 400,
        breadcrumbs: crumbs(request, { label: ctx.t('admin.states'), href: '/admin/states' }),
        children: h(StateForm, { ctx, form, action: id ? `/admin/states/${id}` : '/admin/states', agencies }),
      }),
      status,
    );
  };
  app.get('/admin/states/new', async (request, reply) => statePage(request, reply, emptyForm({ status: 'active' }), undefined));
  const saveState = (request: FastifyRequest, reply: FastifyReply, id: number | undefined) =>
    submitForm({
      schema: StateInitiativeInput,
      request,
      reply,
      bilingual: DESCRIPTION_FORM,
      render: (form, status) => statePage(request, reply, form, id, status),
      run: async (input) => {
        const saved = await saveStateInitiative(db, request.actor, id, input);
        setFlash(reply, { kind: 'success', message: request.t('admin.saved') });
        return reply.redirect(`/states/${saved.state_code.toLowerCase()}`, 303);
      },
    });
  app.post('/admin/states', async (request, reply) => saveState(request, reply, undefined));
  app.get('/admin/states/:id', { schema: { params: IdParams } }, async (request, reply) => {
    const s = await db.selectFrom('state_initiatives').selectAll().where('id', '=', request.params.id).executeTakeFirst();
    if (!s) throw new AppError('not_found');
    return statePage(request, reply, emptyForm(toBilingualForm({ ...s, education_agency_id: s.education_agency_id ?? '', mental_health_agency_id: s.mental_health_agency_id ?? '' }, DESCRIPTION_FORM.fields)), s.id);
  });
  app.post('/admin/states/:id', { schema: { params: IdParams } }, async (request, reply) => saveState(request, reply, request.params.id));

  // ---- groups ---------------------------------------------------------------------------------------
  app.get('/admin/groups', async (request, reply) => {
    const groups = await db.selectFrom('practice_groups').select(['slug', 'name', 'visibility', 'join_policy', 'member_count', 'archived_at']).orderBy(sql`lower(name)`).execute();
    return renderFor(app, request, reply, (ctx) => ({ title: ctx.t('admin.groups'), breadcrumbs: crumbs(request), children: h(GroupAdminList, { ctx, groups }) }));
  });
  app.post('/admin/groups/:slug/archive', { schema: { params: Type.Object({ slug: Type.String({ maxLength: 100 }) }) } }, async (request, reply) => {
    const group = await getGroup(db, request.params.slug);
    if (!group) throw new AppError('not_found');
    const archived = String((request.body as Record<string, unknown> | undefined)?.archived ?? 'true') === 'true';
    await archiveGroup(db, request.actor, group, archived);
    setFlash(reply, { kind: 'success', message: request.t(archived ? 'admin.archived' : 'admin.unarchived') });
    return reply.redirect('/admin/groups', 303);
  });

  // ---- people -----------------------------------------------------------------------------------------
  app.get('/admin/people', { schema: { querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 200 })) }) } }, async (request, reply) => {
    const q = (request.query.q ?? '').trim();
    let query = db
      .selectFrom('users')
      .select(['id', 'name', 'email', 'role', 'is_youth', 'hidden', 'deactivated_at', 'email_verified_at'])
      .orderBy(sql`lower(name)`)
      .limit(200);
    if (q) query = query.where((eb) => eb.or([eb('name', 'ilike', `%${escapeLike(q)}%`), eb('email', 'ilike', `%${escapeLike(q)}%`)]));
    const people = await query.execute();
    return renderFor(app, request, reply, (ctx) => ({
      title: ctx.t('admin.people'),
      breadcrumbs: crumbs(request),
      children: h(PeopleAdmin, { ctx, people, q, canSetRole: can(request.actor, 'person.setRole', undefined) }),
    }));
  });
  app.post('/admin/people/:id', { schema: { params: IdParams } }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const input = {
      role: typeof body.role === 'string' ? body.role : undefined,
      hidden: body.hidden === undefined ? undefined : body.hidden === 'true',
      deactivated: body.deactivated === undefined ? undefined : body.deactivated === 'true',
    };
    const r = validate(PersonAdminInput, input, request.t);
    if (!r.ok) throw new AppError('validation_failed', { fields: r.errors });
    try {
      await adminUpdatePerson(db, request.actor, request.params.id, r.value);
      setFlash(reply, { kind: 'success', message: request.t('admin.saved') });
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'conflict') throw err;
      setFlash(reply, { kind: 'error', message: request.t('admin.not_yourself') });
    }
    return reply.redirect('/admin/people', 303);
  });
};
