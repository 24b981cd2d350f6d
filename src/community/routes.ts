import { listOf } from '../platform/http/pagination.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { h } from 'preact';
import { isFacilitator } from '../platform/auth/actor.js';
import { mayMessage } from '../conversations/conversations.js';
import { listEvents } from '../events/queries.js';
import { resultCache } from '../platform/http/result-cache.js';
import { forYou, visitorHome, type VisitorHome } from './for-you.js';
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
import { DirectoryView, HomeView, OrganizationView, OrganizationsView, PersonPage, StateView, StatesView } from './views.js';
import { ORG_KINDS } from './vocab.js';
import { localizeRows } from '../platform/i18n/content.js';
import { GROUP_TEXT } from '../groups/commands.js';
import { cachedGroupsBySize, firstOf, listGroups, groupsOfPerson, getVisibleGroup } from '../groups/queries.js';
import { DIRECTORY_PAGE, groupsOfPeople, searchDirectory } from './directory.js';
import { PERSPECTIVES, STATE_CODES, STATES as STATES_BY_CODE } from './vocab.js';

/** Home, organizations, state initiatives and people: pages and API. */
/** Practice groups shown on the home page of a large community. */
const HOME_GROUPS = 12;

export const communityRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.deps;

  const groupsBySize = cachedGroupsBySize(app.pageCache);
  // What a visitor sees happening is the same for every visitor: read once per cache period.
  const visitorSections = resultCache<VisitorHome>(app.pageCache, 1);
  app.get('/', async (request, reply) => {
    const actor = request.actor;
    const [community, counts, bySize] = await Promise.all([app.community.localized(request.locale), homeCounts(db), groupsBySize(db, actor)]);
    // A large community shows its busiest groups here; the groups page lists them all.
    const first = firstOf(bySize, HOME_GROUPS * 2 + 1);
    const busiest = first.length > HOME_GROUPS * 2;
    const shown = localizeRows(busiest ? first.slice(0, HOME_GROUPS) : first, GROUP_TEXT, request.locale);
    // By name in the reader's language (the busiest keep their order by size).
    const groups = busiest ? shown : shown.sort((a, b) => a.name.localeCompare(b.name, request.locale));
    const mine = actor.kind === 'user' ? await forYou(db, actor, bySize) : undefined;
    const visitor = actor.kind === 'user' ? undefined : await visitorSections('visitor', () => visitorHome(db));
    return renderFor(app, request, reply, (ctx) => ({
      title: community?.name ?? ctx.t('home.empty_title'),
      ownHeading: true,
      children: h(HomeView, { ctx, community, counts, groups, forYou: mine, visitor }),
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
    const groups = await groupsOfPeople(db, request.actor, people.map((p) => p.id));
    return renderFor(app, request, reply, (ctx) => ({
      title: org.name,
      breadcrumbs: [{ label: ctx.t('orgs.title'), href: '/organizations' }],
      children: h(OrganizationView, { ctx, org, people, initiatives, groups }),
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
    const [groups, events] = await Promise.all([
      groupsOfPeople(db, request.actor, people.map((p) => p.id)),
      listEvents(db, request.actor, { state: state.state_code.trim(), when: 'upcoming', perPage: 3, count: false }),
    ]);
    return renderFor(app, request, reply, (ctx) => ({
      title: state.name,
      breadcrumbs: [{ label: ctx.t('states.title'), href: '/states' }],
      alternates: [{ type: 'text/calendar' as const, title: `${ctx.t('events.title')} · ${state.name}`, href: `/states/${state.state_code.trim().toLowerCase()}/calendar.ics` }],
      children: h(StateView, { ctx, state, contacts, people, groups, events: events.rows }),
    }));
  });

  // ---- the member directory -------------------------------------------------------------
  const DirectoryQuery = Type.Object({
    q: Type.Optional(Type.String({ maxLength: 200 })),
    perspective: Type.Optional(Type.Union([Type.Literal(''), ...PERSPECTIVES.map((p) => Type.Literal(p))])),
    state: Type.Optional(Type.Union([Type.Literal(''), ...STATE_CODES.map((c) => Type.Literal(c))])),
    organization: Type.Optional(Type.Union([Type.Literal(''), Type.Integer({ minimum: 1, maximum: 2 ** 53 })])),
    group: Type.Optional(Type.String({ maxLength: 100 })),
    expertise: Type.Optional(Type.String({ maxLength: 200 })),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
  });
  const directoryFilters = async (request: { actor: import('../platform/auth/actor.js').Actor; query: import('@sinclair/typebox').Static<typeof DirectoryQuery> }) => {
    const q = request.query;
    const group = q.group ? (await getVisibleGroup(db, request.actor, q.group)).id : undefined;
    return {
      q: q.q?.trim() || undefined,
      perspective: q.perspective || undefined,
      state: q.state || undefined,
      organization: typeof q.organization === 'number' ? q.organization : undefined,
      group,
      expertise: q.expertise?.trim() || undefined,
      page: q.page ?? 1,
    };
  };
  app.get('/people', { schema: { querystring: DirectoryQuery } }, async (request, reply) => {
    const f = await directoryFilters(request);
    const [r, organizations, groups, states] = await Promise.all([
      searchDirectory(db, request.actor, f),
      db.selectFrom('organizations').select(['id', 'name']).orderBy('name').execute(),
      listGroups(db, request.actor),
      listStates(db),
    ]);
    reply.header('x-robots-tag', 'noindex');
    const filters = Object.fromEntries(Object.entries(request.query).filter(([k]) => k !== 'page').map(([k, v]) => [k, String(v ?? '')]));
    return renderFor(app, request, reply, (ctx) => ({
      title: ctx.t('directory.title'),
      lead: ctx.t('directory.lead'),
      children: h(DirectoryView, {
        ctx,
        people: r.people,
        total: r.total,
        page: f.page,
        filters,
        options: { organizations, groups: groups.map((g) => ({ slug: g.slug, name: g.name })), states: listStatesOptions(states) },
      }),
    }));
  });
  const listStatesOptions = (states: { state_code: string; name: string }[]) => {
    // Every state and territory people may live in, initiatives first by name.
    const seen = new Set(states.map((s) => s.state_code.trim()));
    return [...states.map((s) => ({ code: s.state_code.trim(), name: STATES_BY_CODE[s.state_code.trim()] ?? s.name })), ...STATE_CODES.filter((c) => !seen.has(c)).map((c) => ({ code: c, name: STATES_BY_CODE[c]! }))];
  };
  app.get(
    '/api/v1/people',
    { config: { list: { items: 'people', perPage: DIRECTORY_PAGE } }, schema: {
        tags: ['community'],
        summary: 'Find people by name, perspective, state, organization, group and expertise (only fields each person lets the requester see)',
        querystring: DirectoryQuery,
        response: { 200: listOf({ people: Type.Array(PersonSchema), total: Type.Integer(), page: Type.Integer(), per_page: Type.Integer() }), ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const f = await directoryFilters(request);
      const r = await searchDirectory(db, request.actor, f);
      return { people: r.people, total: r.total, page: f.page, per_page: DIRECTORY_PAGE };
    },
  );

  app.get('/people/:id', { schema: { params: Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 53 }) }) } }, async (request, reply) => {
    const row = await getPerson(db, request.params.id);
    if (!row) throw new AppError('not_found');
    authorize(request.actor, 'person.view', personSubject(row));
    const orgs = (await organizationsOf(db, [row.id])).get(row.id) ?? [];
    const person = presentPerson(request.actor, row, orgs);
    const groups = await groupsOfPerson(db, request.actor, row.id);
    const canMessage = request.actor.kind === 'user' && (await mayMessage(db, request.actor, row.id));
    // Anonymous visitors: profiles are not for search engines.
    reply.header('x-robots-tag', 'noindex');
    return renderFor(app, request, reply, (ctx) => ({
      title: person.name,
      children: h(PersonPage, { ctx, person, groups, isSelf: request.actor.id === row.id, canRemovePhoto: isFacilitator(request.actor), canMessage }),
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
    { config: { list: { items: 'organizations', perPage: 1000 } }, schema: {
        tags: ['community'],
        summary: 'Organizations taking part',
        querystring: Type.Object({ kind: Type.Optional(Type.Union(ORG_KINDS.map((k) => Type.Literal(k)))), q: Type.Optional(Type.String({ maxLength: 200 })) }),
        response: { 200: listOf({ organizations: Type.Array(OrganizationSchema) }), ...errorResponses(400) },
      },
    },
    async (request) => ({ organizations: (await listOrganizations(db, { kind: request.query.kind, q: request.query.q?.trim() || undefined })).map((o) => ({ ...o, partner: `org:${o.slug}` })) }),
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
      return { ...org, partner: `org:${org.slug}`, people: await peopleOfOrganization(db, request.actor, org.id) };
    },
  );
  app.get(
    '/api/v1/states',
    { config: { list: { items: 'states', perPage: 100 } }, schema: { tags: ['community'], summary: 'State initiatives', response: { 200: listOf({ states: Type.Array(StateSchema) }) } } },
    async () => ({ states: (await listStates(db)).map((s) => ({ ...s, partner: `state:${s.state_code.trim()}`, scope: `state:${s.state_code.trim()}` })) }),
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
