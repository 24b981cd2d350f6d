import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { h } from 'preact';
import { renderFor } from '../platform/http/request-context.js';
import { AppError } from '../platform/http/errors.js';
import { errorResponses } from '../platform/http/schema-helpers.js';
import { authorize } from '../platform/auth/policy.js';
import {
  getOrganization,
  getPerson,
  getState,
  homeCounts,
  listOrganizations,
  listStates,
  organizationsOf,
  peopleInState,
  peopleOfOrganization,
  personSubject,
  presentPerson,
  stateContacts,
} from './queries.js';
import { CommunitySchema, OrganizationSchema, PersonSchema, StateSchema } from './schemas.js';
import { HomeView, OrganizationView, OrganizationsView, PersonPage, StateView, StatesView } from './views.js';
import { ORG_KINDS } from './vocab.js';
import { listGroups, groupsOfPerson } from '../groups/queries.js';

/** Home, organizations, state initiatives and people: pages and API. */
export const communityRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.deps;

  app.get('/', async (request, reply) => {
    const [community, counts, groups] = await Promise.all([app.community.get(), homeCounts(db), listGroups(db, request.actor)]);
    return renderFor(app, request, reply, (ctx) => ({
      title: community?.name ?? ctx.t('home.empty_title'),
      ownHeading: true,
      children: h(HomeView, { ctx, community, counts, groups }),
    }));
  });

  const OrgQuery = Type.Object({ kind: Type.Optional(Type.String({ maxLength: 40 })), q: Type.Optional(Type.String({ maxLength: 200 })) });
  app.get('/organizations', { schema: { querystring: OrgQuery } }, async (request, reply) => {
    const kind = (ORG_KINDS as readonly string[]).includes(request.query.kind ?? '') ? request.query.kind! : '';
    const q = (request.query.q ?? '').trim();
    const orgs = await listOrganizations(db, { kind: kind || undefined, q: q || undefined });
    return renderFor(app, request, reply, (ctx) => ({
      title: ctx.t('orgs.title'),
      lead: ctx.t('orgs.lead'),
      children: h(OrganizationsView, { ctx, orgs, kind, q, kinds: ORG_KINDS }),
    }));
  });

  app.get('/organizations/:slug', { schema: { params: Type.Object({ slug: Type.String({ maxLength: 100 }) }) } }, async (request, reply) => {
    const org = await getOrganization(db, request.params.slug);
    if (!org) throw new AppError('not_found');
    const [people, initiatives] = await Promise.all([
      peopleOfOrganization(db, request.actor, org.id),
      db
        .selectFrom('state_initiatives')
        .select(['state_code', 'name'])
        .where((eb) => eb.or([eb('education_agency_id', '=', org.id), eb('mental_health_agency_id', '=', org.id)]))
        .orderBy('state_code')
        .execute(),
    ]);
    return renderFor(app, request, reply, (ctx) => ({
      title: org.name,
      breadcrumbs: [{ label: ctx.t('orgs.title'), href: '/organizations' }],
      children: h(OrganizationView, { ctx, org, people, initiatives }),
    }));
  });

  app.get('/states', async (request, reply) => {
    const states = await listStates(db);
    return renderFor(app, request, reply, (ctx) => ({ title: ctx.t('states.title'), lead: ctx.t('states.lead'), children: h(StatesView, { ctx, states }) }));
  });

  app.get('/states/:code', { schema: { params: Type.Object({ code: Type.String({ maxLength: 2, minLength: 2 }) }) } }, async (request, reply) => {
    const state = await getState(db, request.params.code);
    if (!state) throw new AppError('not_found');
    const [contacts, people] = await Promise.all([stateContacts(db, request.actor, state.id), peopleInState(db, request.actor, state.state_code)]);
    return renderFor(app, request, reply, (ctx) => ({
      title: state.name,
      breadcrumbs: [{ label: ctx.t('states.title'), href: '/states' }],
      children: h(StateView, { ctx, state, contacts, people }),
    }));
  });

  app.get('/people/:id', { schema: { params: Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 53 }) }) } }, async (request, reply) => {
    const row = await getPerson(db, request.params.id);
    if (!row) throw new AppError('not_found');
    authorize(request.actor, 'person.view', personSubject(row));
    const orgs = (await organizationsOf(db, [row.id])).get(row.id) ?? [];
    const person = presentPerson(request.actor, row, orgs);
    const groups = await groupsOfPerson(db, request.actor, row.id);
    // Anonymous visitors: profiles are not for search engines.
    reply.header('x-robots-tag', 'noindex');
    return renderFor(app, request, reply, (ctx) => ({
      title: person.name,
      children: h(PersonPage, { ctx, person, groups, isSelf: request.actor.id === row.id }),
    }));
  });

  // ---- JSON API --------------------------------------------------------------------
  app.get(
    '/api/v1/community',
    { schema: { tags: ['community'], summary: 'The community: mission, facilitators, funders, goal and counts', response: { 200: CommunitySchema, ...errorResponses(404) } } },
    async () => {
      const [community, counts] = await Promise.all([app.community.get(), homeCounts(db)]);
      if (!community) throw new AppError('not_found');
      return { ...community, counts };
    },
  );
  app.get(
    '/api/v1/organizations',
    {
      schema: {
        tags: ['community'],
        summary: 'Organizations taking part',
        querystring: Type.Object({ kind: Type.Optional(Type.Union(ORG_KINDS.map((k) => Type.Literal(k)))), q: Type.Optional(Type.String({ maxLength: 200 })) }),
        response: { 200: Type.Object({ organizations: Type.Array(OrganizationSchema) }), ...errorResponses(400) },
      },
    },
    async (request) => ({ organizations: await listOrganizations(db, { kind: request.query.kind, q: request.query.q?.trim() || undefined }) }),
  );
  app.get(
    '/api/v1/organizations/:slug',
    {
      schema: {
        tags: ['community'],
        summary: 'One organization and its people',
        params: Type.Object({ slug: Type.String({ maxLength: 100 }) }),
        response: { 200: Type.Composite([OrganizationSchema, Type.Object({ people: Type.Array(PersonSchema) })]), ...errorResponses(404) },
      },
    },
    async (request) => {
      const org = await getOrganization(db, request.params.slug);
      if (!org) throw new AppError('not_found');
      return { ...org, people: await peopleOfOrganization(db, request.actor, org.id) };
    },
  );
  app.get(
    '/api/v1/states',
    { schema: { tags: ['community'], summary: 'State initiatives', response: { 200: Type.Object({ states: Type.Array(StateSchema) }) } } },
    async () => ({ states: await listStates(db) }),
  );
  app.get(
    '/api/v1/people/:id',
    {
      schema: {
        tags: ['community'],
        summary: 'A person, with only the fields they let the requester see',
        params: Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 53 }) }),
        response: { 200: PersonSchema, ...errorResponses(404) },
      },
    },
    async (request) => {
      const row = await getPerson(db, request.params.id);
      if (!row) throw new AppError('not_found');
      authorize(request.actor, 'person.view', personSubject(row));
      const orgs = (await organizationsOf(db, [row.id])).get(row.id) ?? [];
      return presentPerson(request.actor, row, orgs);
    },
  );
};
