import { listOf } from '../platform/http/pagination.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { h } from 'preact';
import { DateTime } from 'luxon';
import { randomToken, keyedHash, safeEqual } from '../platform/auth/secrets.js';
import { hit } from '../platform/auth/rate-limit.js';
import { AppError } from '../platform/http/errors.js';
import { submitForm } from '../platform/http/forms.js';
import { localizeRow, toBilingualForm } from '../platform/i18n/content.js';

/** The event form's fields written side by side; the event's language is the one its plain fields are in. */
const EVENT_FORM = { fields: EVENT_TEXT, language: (v: Record<string, unknown>) => v.language, required: ['title'] } as const;
import { idemKeyOf, renderFor, setFlash, viewerTimeZone } from '../platform/http/request-context.js';
import { TranslationsOutput, errorResponses } from '../platform/http/schema-helpers.js';
import { validate } from '../platform/http/validation.js';
import { sendCsv } from '../platform/http/csv.js';
import { audit } from '../platform/db/tx.js';
import { emptyForm, type FormState } from '../platform/views/forms.js';
import { paragraphsHtml } from '../platform/text.js';
import { listGroups, getVisibleGroup } from '../groups/queries.js';
import { listStates } from '../community/queries.js';
import { EVENT_TEXT, AttendanceInput, EventInput, MaterialInput, RegistrationInput, addMaterial, cancelEvent, createEvent, recordAttendance, register, updateEvent } from './commands.js';
import { EVENT_KINDS, attendanceBreakdown, canOrganize, formValuesOf, canViewEvent, getSeries, getVisibleEvent, listEvents, materialsOf, organizerScopes, registrationOf, registrationsOf, requireOrganizer, type EventRow } from './queries.js';
import { calendarOf } from './calendar.js';
import { addToCalendarLinks, seriesCalendar } from './series-calendar.js';
import { isTimeZone } from './time.js';
import { loadActor } from '../platform/auth/actor.js';
import { EventsView, type EventFiltersView } from './views.js';
import { CalendarSettingsView, EventFormView, EventView, OrganizeView } from './event-views.js';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 53 }) });
const ListQuery = Type.Object({
  view: Type.Optional(Type.Union([Type.Literal('list'), Type.Literal('month')])),
  month: Type.Optional(Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$' })),
  when: Type.Optional(Type.Union([Type.Literal('upcoming'), Type.Literal('past')])),
  scope: Type.Optional(Type.String({ maxLength: 120 })),
  kind: Type.Optional(Type.Union([Type.Literal(''), ...EVENT_KINDS.map((k) => Type.Literal(k))])),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
});

const EventSchema = Type.Object({
  id: Type.Integer(),
  uid: Type.String(),
  title: Type.String(),
  kind: Type.String(),
  description: Type.String(),
  agenda: Type.String(),
  language: Type.String({ description: 'The language the convening is held in, and its title, description and agenda are written in' }),
  translations: Type.Optional(TranslationsOutput),
  starts_at: Type.String({ format: 'date-time' }),
  ends_at: Type.String({ format: 'date-time' }),
  starts_at_local: Type.String({ format: 'date-time', description: 'starts_at with the offset of time_zone' }),
  ends_at_local: Type.String({ format: 'date-time', description: 'ends_at with the offset of time_zone' }),
  time_zone: Type.String(),
  location: Type.String(),
  online_url: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  capacity: Type.Union([Type.Integer(), Type.Null()]),
  seats_taken: Type.Integer(),
  waitlist: Type.Integer(),
  registration_deadline: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  status: Type.String(),
  group: Type.Union([Type.String(), Type.Null()]),
  group_id: Type.Union([Type.Integer(), Type.Null()]),
  state: Type.Union([Type.String(), Type.Null()]),
  scope: Type.String({ description: 'community, group:<slug> or state:<code>: the value to send back to move it' }),
  series_id: Type.Union([Type.Integer(), Type.Null()]),
  rrule: Type.Union([Type.String(), Type.Null()]),
  url: Type.String(),
  my_registration: Type.Optional(Type.Union([Type.Object({ response: Type.String(), status: Type.String() }), Type.Null()])),
});
/** An instant as ISO 8601 with its offset ("2027-03-02T18:00:00-05:00" or "…Z"). */
const Instant = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}:[0-9]{2})$', description: 'ISO 8601 date-time with an offset' });
const Instants = Type.Object({
  starts_at: Type.Optional({ ...Instant, description: 'Instead of start_date and start_time: when it starts (ISO 8601 with an offset); read in time_zone' }),
  ends_at: Type.Optional({ ...Instant, description: 'Instead of end_date and end_time: when it ends (ISO 8601 with an offset)' }),
});
/** The API's event body: the form's fields, or starts_at and ends_at instead of the date and time fields. */
const EventApiInput = Type.Composite(
  [Type.Omit(EventInput, ['start_date', 'start_time', 'end_time']), Type.Partial(Type.Pick(EventInput, ['start_date', 'start_time', 'end_time'])), Instants],
  {
    examples: [
      { title: 'Family partnership call', kind: 'group_call', scope: 'group:families-in-partnership', time_zone: 'America/New_York', starts_at: '2027-03-02T18:00:00-05:00', ends_at: '2027-03-02T19:00:00-05:00' },
      { title: 'State leads meeting', kind: 'state_convening', scope: 'state:MD', time_zone: 'America/New_York', start_date: '2027-03-09', start_time: '15:00', end_time: '16:00', repeat: 'monthly', repeat_count: 6 },
    ],
  },
);
const EventApiPatch = Type.Composite([Type.Partial(EventInput), Instants]);

/** starts_at / ends_at turned into the form's date and time fields in the event's zone (other fields as they are). */
function fromInstants(body: Record<string, unknown>, zone: string): Record<string, unknown> {
  const { starts_at, ends_at, ...rest } = body;
  const at = (v: unknown, field: string) => {
    const d = DateTime.fromISO(String(v), { setZone: true });
    if (!d.isValid) throw new AppError('validation_failed', { fields: { [field]: { key: 'validation.format' } } });
    return d.setZone(isTimeZone(zone) ? zone : 'UTC');
  };
  if (starts_at !== undefined) {
    const s = at(starts_at, 'starts_at');
    Object.assign(rest, { start_date: s.toFormat('yyyy-MM-dd'), start_time: s.toFormat('HH:mm') });
  }
  if (ends_at !== undefined) {
    const e = at(ends_at, 'ends_at');
    Object.assign(rest, { end_date: e.toFormat('yyyy-MM-dd'), end_time: e.toFormat('HH:mm') });
  }
  return rest;
}

const RegistrationSchema = Type.Object({
  user_id: Type.Integer(),
  name: Type.String(),
  response: Type.String(),
  status: Type.String(),
  accommodations: Type.Array(Type.String()),
  interpretation_language: Type.String(),
  accommodation_notes: Type.String(),
  attended: Type.Boolean(),
});

/** Blank optional fields of the form are left out rather than sent as "" (numbers, repeat choices). */
function prepareEvent(v: Record<string, unknown>): Record<string, unknown> {
  const out = { ...v };
  for (const k of ['capacity', 'repeat_count', 'repeat', 'apply_to', 'language']) if (out[k] === '') delete out[k];
  return out;
}

/** Convenings: list and month views, events, registration, organizer view, calendars, settings and API. */
export const eventRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db, config, jobs } = app.deps;
  const host = new URL(config.baseUrl).hostname || 'localhost';

  const present = (e: EventRow, showOnline: boolean) => ({
    id: e.id,
    uid: e.uid,
    title: e.title,
    kind: e.kind,
    description: e.description,
    agenda: e.agenda,
    language: e.language,
    translations: e.translations,
    starts_at: e.starts_at.toISOString(),
    ends_at: e.ends_at.toISOString(),
    starts_at_local: DateTime.fromJSDate(e.starts_at, { zone: e.time_zone }).toISO({ suppressMilliseconds: true })!,
    ends_at_local: DateTime.fromJSDate(e.ends_at, { zone: e.time_zone }).toISO({ suppressMilliseconds: true })!,
    time_zone: e.time_zone,
    location: e.location,
    ...(showOnline ? { online_url: e.online_url } : {}),
    capacity: e.capacity,
    seats_taken: e.going_count,
    waitlist: e.waitlist_count,
    registration_deadline: e.registration_deadline?.toISOString() ?? null,
    status: e.status,
    group: e.group_slug,
    group_id: e.group_id,
    state: e.state_code?.trim() ?? null,
    scope: e.group_slug ? `group:${e.group_slug}` : e.state_code ? `state:${e.state_code.trim()}` : 'community',
    series_id: e.series_id,
    rrule: e.rrule,
    url: `${config.baseUrl}/events/${e.id}`,
  });

  /** Resolves the list's "where" filter (community, group:<slug>, state:<code>) for the viewer. */
  const scopeFilter = async (request: FastifyRequest, scope: string | undefined) => {
    if (!scope) return {};
    if (scope === 'community') return { community: true as const };
    const [kind, value] = scope.split(':');
    if (kind === 'group' && value) return { group: (await getVisibleGroup(db, request.actor, value)).id };
    if (kind === 'state' && value && /^[A-Z]{2}$/.test(value)) return { state: value };
    throw new AppError('validation_failed', { fields: { scope: request.t('validation.choose') } });
  };

  // ---- list and month views --------------------------------------------------------------------------
  app.get('/events', { schema: { querystring: ListQuery } }, async (request, reply) => {
    const q = request.query;
    const view = q.view ?? 'list';
    const tz = viewerTimeZone(request);
    const month = q.month ?? DateTime.now().setZone(tz).toFormat('yyyy-MM');
    const scope = await scopeFilter(request, q.scope);
    const page = q.page ?? 1;
    let rows: EventRow[];
    let more = false;
    const base = { group: 'group' in scope ? scope.group : undefined, state: 'state' in scope ? scope.state : undefined, communityOnly: 'community' in scope, kind: q.kind || undefined };
    if (view === 'month') {
      const from = DateTime.fromISO(`${month}-01`, { zone: tz });
      const r = await listEvents(db, request.actor, { ...base, from: from.toJSDate(), to: from.plus({ months: 1 }).toJSDate(), perPage: 500, count: false });
      rows = r.rows;
    } else {
      const r = await listEvents(db, request.actor, { ...base, when: q.when ?? 'upcoming', page, perPage: 25 });
      rows = r.rows;
      more = page * 25 < r.total;
    }
    const [groups, states, scopes] = await Promise.all([listGroups(db, request.actor), listStates(db), organizerScopes(db, request.actor)]);
    const filters: EventFiltersView = { when: q.when ?? 'upcoming', view, month, scope: q.scope ?? '', kind: q.kind ?? '' };
    const query = new URLSearchParams(Object.entries({ view, month: view === 'month' ? month : '', when: q.when ?? '', scope: q.scope ?? '', kind: q.kind ?? '' }).filter(([, v]) => v) as [string, string][]).toString();
    const feedHref = 'group' in scope && q.scope ? `/groups/${q.scope.slice(6)}/calendar.ics` : 'state' in scope && scope.state ? `/states/${scope.state}/calendar.ics` : '/events/calendar.ics';
    return renderFor(app, request, reply, (ctx) => ({
      title: ctx.t('events.title'),
      lead: ctx.t('events.lead'),
      alternates: [{ type: 'text/calendar' as const, title: ctx.t('events.title'), href: feedHref }],
      children: h(EventsView, {
        ctx,
        rows,
        filters,
        page,
        more,
        groups: groups.map((g) => ({ slug: g.slug, name: g.name })),
        states: states.map((s) => ({ code: s.state_code.trim(), name: s.name })),
        canCreate: scopes.community || scopes.groups.length > 0 || scopes.states.length > 0,
        feedHref,
        query,
      }),
    }));
  });

  // ---- creating and editing ----------------------------------------------------------------------------
  const requireScopes = async (request: FastifyRequest) => {
    if (request.actor.kind !== 'user') throw new AppError('unauthenticated');
    const scopes = await organizerScopes(db, request.actor);
    if (!scopes.community && scopes.groups.length === 0 && scopes.states.length === 0) throw new AppError('forbidden');
    return scopes;
  };
  const formPage = async (request: FastifyRequest, reply: FastifyReply, form: FormState, status = 200, editing?: EventRow) => {
    const scopes = await organizerScopes(db, request.actor);
    // An event's own scope stays selectable while editing, even for someone who could not create there.
    if (editing?.group_id && !scopes.groups.some((g) => g.id === editing.group_id)) scopes.groups.push({ id: editing.group_id, slug: editing.group_slug ?? '', name: editing.group_name ?? '' });
    if (editing?.state_code && !scopes.states.some((s) => s.code === editing.state_code!.trim())) scopes.states.push({ code: editing.state_code.trim(), name: editing.state_name ?? '' });
    if (editing && !editing.group_id && !editing.state_code) scopes.community = true;
    return renderFor(
      app,
      request,
      reply,
      (ctx) => ({
        title: editing ? ctx.t('events.edit_title', { title: editing.title }) : ctx.t('events.new'),
        hasErrors: status >= 400,
        breadcrumbs: [{ label: ctx.t('events.title'), href: '/events' }, ...(editing ? [{ label: editing.title, href: `/events/${editing.id}` }] : [])],
        children: h(EventFormView, {
          ctx,
          form,
          scopes,
          action: editing ? `/events/${editing.id}/edit` : '/events',
          idempotencyKey: editing ? undefined : (idemKeyOf(request.body) ?? randomToken(16)),
          editing: editing ? { series: editing.series_id !== null } : undefined,
        }),
      }),
      status,
    );
  };
  app.get('/events/new', async (request, reply) => {
    const scopes = await requireScopes(request);
    const tz = viewerTimeZone(request);
    const tomorrow = DateTime.now().setZone(tz).plus({ days: 7 }).toFormat('yyyy-MM-dd');
    return formPage(
      request,
      reply,
      emptyForm({ kind: 'group_call', scope: scopes.community ? 'community' : scopes.groups[0] ? `group:${scopes.groups[0].id}` : `state:${scopes.states[0]!.code}`, start_date: tomorrow, start_time: '15:00', end_time: '16:00', time_zone: tz, repeat: 'none', language: request.locale }),
    );
  });
  app.post('/events', async (request, reply) => {
    await requireScopes(request);
    return submitForm({
      schema: EventInput,
      request,
      reply,
      bilingual: EVENT_FORM,
      prepare: prepareEvent,
      render: (form, status) => formPage(request, reply, form, status),
      run: async (input) => {
        const r = await createEvent(db, jobs, request.actor, input, host, idemKeyOf(request.body));
        setFlash(reply, { kind: 'success', message: request.t('events.created', { count: r.occurrences }) });
        return reply.redirect(`/events/${r.id}`, 303);
      },
    });
  });
  app.get('/events/:id/edit', { schema: { params: IdParams } }, async (request, reply) => {
    const e = await getVisibleEvent(db, request.actor, request.params.id);
    await requireOrganizer(db, request.actor, e);
    return formPage(request, reply, emptyForm(toBilingualForm({ ...formValuesOf(e), translations: e.translations }, EVENT_TEXT)), 200, e);
  });
  app.post('/events/:id/edit', { schema: { params: IdParams } }, async (request, reply) => {
    const e = await getVisibleEvent(db, request.actor, request.params.id);
    await requireOrganizer(db, request.actor, e);
    return submitForm({
      schema: EventInput,
      request,
      reply,
      bilingual: EVENT_FORM,
      prepare: prepareEvent,
      render: (form, status) => formPage(request, reply, form, status, e),
      run: async (input) => {
        const r = await updateEvent(db, jobs, request.actor, e.id, input);
        setFlash(reply, { kind: 'success', message: request.t('events.saved', { count: r.changed }) });
        return reply.redirect(`/events/${e.id}`, 303);
      },
    });
  });
  app.post('/events/:id/cancel', { schema: { params: IdParams } }, async (request, reply) => {
    const e = await getVisibleEvent(db, request.actor, request.params.id);
    const applyTo = (request.body as Record<string, unknown> | undefined)?.apply_to === 'all' ? 'all' : 'this';
    const n = await cancelEvent(db, jobs, request.actor, e.id, applyTo);
    setFlash(reply, { kind: 'success', message: request.t('events.cancelled_done', { count: n }) });
    return reply.redirect(`/events/${e.id}`, 303);
  });

  // ---- one event -----------------------------------------------------------------------------------------
  const eventPage = async (request: FastifyRequest, reply: FastifyReply, id: number, form?: FormState, status = 200) => {
    // Title, description and agenda in the reader's language where written.
    const e = localizeRow(await getVisibleEvent(db, request.actor, id), EVENT_TEXT, request.locale);
    const [reg, organizer, materials, occurrences] = await Promise.all([
      request.actor.kind === 'user' ? registrationOf(db, e.id, request.actor.id) : Promise.resolve(undefined),
      canOrganize(db, request.actor, e),
      materialsOf(db, request.actor, e.id),
      e.series_id
        ? db.selectFrom('events').select(['id', 'starts_at', 'status']).where('series_id', '=', e.series_id).orderBy('starts_at').limit(60).execute()
        : Promise.resolve([]),
    ]);
    const [descriptionHtml, agendaHtml, notesHtml] = await app.glossary.annotatePage([
      { key: `event:${e.id}:${e.updated_at.getTime()}:d:${e.lang_of.description}`, html: paragraphsHtml(e.description) },
      { key: `event:${e.id}:${e.updated_at.getTime()}:a:${e.lang_of.agenda}`, html: paragraphsHtml(e.agenda) },
      { key: `event:${e.id}:${e.updated_at.getTime()}:n`, html: paragraphsHtml(e.notes) },
    ]);
    const initial = reg
      ? { response: reg.response, accommodations: reg.accommodations, interpretation_language: reg.interpretation_language, accommodation_notes: reg.accommodation_notes }
      : { response: 'going' };
    if (e.group_visibility && e.group_visibility !== 'public') reply.header('x-robots-tag', 'noindex');
    return renderFor(
      app,
      request,
      reply,
      (ctx) => ({
        title: e.title,
        titleLang: e.lang_of.title,
        hasErrors: status >= 400,
        breadcrumbs: [{ label: ctx.t('events.title'), href: '/events' }],
        children: h(EventView, { ctx, e: { ...e, descriptionHtml: descriptionHtml!, agendaHtml: agendaHtml!, notesHtml: notesHtml! }, registration: reg, organizer, form: form ?? emptyForm(initial), materials, occurrences, calendarLinks: addToCalendarLinks(e, config.baseUrl) }),
      }),
      status,
    );
  };
  app.get('/events/:id', { schema: { params: IdParams } }, async (request, reply) => eventPage(request, reply, request.params.id));

  app.post('/events/:id/register', { schema: { params: IdParams } }, async (request, reply) => {
    const e = await getVisibleEvent(db, request.actor, request.params.id);
    if (request.actor.kind !== 'user') throw new AppError('unauthenticated');
    await hit(db, `register:u${request.actor.id}`, { max: 30, windowSeconds: 60 });
    return submitForm({
      schema: RegistrationInput,
      request,
      reply,
      prepare: (v) => ({ ...v, accommodations: v.accommodations === undefined || v.accommodations === '' ? [] : v.accommodations }),
      render: (form, status) => eventPage(request, reply, e.id, form, status),
      run: async (input) => {
        const r = await register(db, jobs, request.actor, e.id, input);
        setFlash(reply, { kind: 'success', message: request.t(`events.registered.${r.status === 'none' ? r.response : r.status}`) });
        return reply.redirect(`/events/${e.id}#register`, 303);
      },
    });
  });

  // ---- organizer view ---------------------------------------------------------------------------------------
  const organizePage = async (request: FastifyRequest, reply: FastifyReply, id: number, forms: Partial<Record<'attendance' | 'material', FormState>> = {}, status = 200) => {
    const e = await getVisibleEvent(db, request.actor, id);
    const user = await requireOrganizer(db, request.actor, e);
    const [registrations, breakdown, materials] = await Promise.all([registrationsOf(db, e.id), attendanceBreakdown(db, e.id), materialsOf(db, request.actor, e.id)]);
    // Accommodation requests are sensitive: every read by an organizer is audited.
    await audit(db, user.id, 'event.read_registrations', { type: 'event', id: e.id }, { count: registrations.length });
    reply.header('cache-control', 'private, no-store');
    return renderFor(
      app,
      request,
      reply,
      (ctx) => ({
        title: ctx.t('events.organize_title', { title: e.title }),
        hasErrors: status >= 400,
        breadcrumbs: [{ label: ctx.t('events.title'), href: '/events' }, { label: e.title, href: `/events/${e.id}` }],
        children: h(OrganizeView, { ctx, e, registrations, breakdown, materials, forms: { attendance: forms.attendance ?? emptyForm({ notes: e.notes }), material: forms.material ?? emptyForm({ role: 'recording' }) } }),
      }),
      status,
    );
  };
  app.get('/events/:id/organize', { schema: { params: IdParams } }, async (request, reply) => organizePage(request, reply, request.params.id));
  app.post('/events/:id/attendance', { schema: { params: IdParams } }, async (request, reply) => {
    const e = await getVisibleEvent(db, request.actor, request.params.id);
    return submitForm({
      schema: AttendanceInput,
      request,
      reply,
      prepare: (v) => ({ ...v, attended: v.attended === undefined || v.attended === '' ? [] : v.attended }),
      render: (form, status) => organizePage(request, reply, e.id, { attendance: form }, status),
      run: async (input) => {
        await recordAttendance(db, request.actor, e.id, input);
        setFlash(reply, { kind: 'success', message: request.t('events.attendance_saved') });
        return reply.redirect(`/events/${e.id}/organize`, 303);
      },
    });
  });
  app.post('/events/:id/materials', { schema: { params: IdParams } }, async (request, reply) => {
    const e = await getVisibleEvent(db, request.actor, request.params.id);
    await requireOrganizer(db, request.actor, e);
    return submitForm({
      schema: MaterialInput,
      request,
      reply,
      render: (form, status) => organizePage(request, reply, e.id, { material: form }, status),
      run: async (input) => {
        await addMaterial(db, request.actor, e.id, input);
        setFlash(reply, { kind: 'success', message: request.t('events.material_filed') });
        return reply.redirect(`/events/${e.id}/organize`, 303);
      },
    });
  });
  app.get('/events/:id/registrations.csv', { schema: { params: IdParams } }, async (request, reply) => {
    const e = await getVisibleEvent(db, request.actor, request.params.id);
    const user = await requireOrganizer(db, request.actor, e);
    await hit(db, `export:u${user.id}`, { max: 30, windowSeconds: 3600 });
    const rows = await registrationsOf(db, e.id);
    await audit(db, user.id, 'event.export_registrations', { type: 'event', id: e.id }, { count: rows.length });
    return sendCsv(
      reply,
      `event-${e.id}-registrations.csv`,
      rows.map((r) => ({ ...r, perspectives: r.perspectives.join(' '), accommodations: r.accommodations.join(' '), created_at: r.created_at.toISOString(), waitlisted_at: r.waitlisted_at?.toISOString() ?? '' })),
      ['name', 'email', 'response', 'status', 'waitlisted_at', 'accommodations', 'interpretation_language', 'accommodation_notes', 'attended', 'state_code', 'perspectives', 'created_at'],
      request.t,
    );
  });

  /** The viewer's registration, and whether they may see the online link (a held seat, or organizing). */
  const seatOf = async (request: FastifyRequest, e: EventRow) => {
    const reg = request.actor.kind === 'user' ? await registrationOf(db, e.id, request.actor.id) : undefined;
    return { reg, seat: reg?.status === 'confirmed' || (await canOrganize(db, request.actor, e)) };
  };

  // ---- calendars -------------------------------------------------------------------------------------------
  const ics = (reply: FastifyReply, body: string, name: string, cache: 'public' | 'private') =>
    reply
      .header('content-type', 'text/calendar; charset=utf-8')
      .header('content-disposition', `inline; filename="${name}"`)
      .header('cache-control', cache === 'public' ? 'public, max-age=300' : 'private, no-store')
      .header('x-robots-tag', 'noindex')
      .send(body);
  /** Feeds hold upcoming events and those of the last 90 days. */
  const feedRows = async (viewer: FastifyRequest['actor'], f: { group?: number; state?: string; registeredBy?: number }) =>
    (await listEvents(db, viewer, { ...f, from: new Date(Date.now() - 90 * 86_400_000), perPage: 1000, count: false })).rows;

  app.get('/events/:id/event.ics', { schema: { params: IdParams } }, async (request, reply) => {
    const e = await getVisibleEvent(db, request.actor, request.params.id);
    const { seat } = await seatOf(request, e);
    return ics(reply, calendarOf([e], { name: e.title, baseUrl: config.baseUrl, includeOnlineUrl: () => seat }), `event-${e.id}.ics`, request.actor.kind === 'user' || e.group_id ? 'private' : 'public');
  });
  const anonymous = { kind: 'anonymous', id: null } as const;
  // A whole series as one entry (RRULE, its time zone, and the occurrences changed one at a time).
  app.get('/events/series/:id/series.ics', { schema: { params: IdParams } }, async (request, reply) => {
    const found = await getSeries(db, request.params.id);
    const rows = found?.rows.filter((e) => canViewEvent(request.actor, e)) ?? [];
    // Every occurrence shares its series' audience: one hidden means the series is not the viewer's.
    if (!found || rows.length === 0 || rows.length !== found.rows.length) throw new AppError('not_found');
    const body = seriesCalendar(found.series, rows, { name: rows[0]!.title, baseUrl: config.baseUrl, host });
    if (!body) throw new AppError('not_found');
    return ics(reply, body, `series-${found.series.id}.ics`, request.actor.kind === 'user' || rows[0]!.group_id ? 'private' : 'public');
  });
  app.get('/events/calendar.ics', async (_request, reply) => {
    const community = await app.community.get();
    const rows = await feedRows(anonymous, {});
    return ics(reply, calendarOf(rows, { name: community?.short_name || community?.name || 'Convene', baseUrl: config.baseUrl }), 'events.ics', 'public');
  });
  app.get('/groups/:slug/calendar.ics', { schema: { params: Type.Object({ slug: Type.String({ maxLength: 100 }) }) } }, async (request, reply) => {
    // Feeds are read by calendar programs without cookies: only public groups have one.
    const group = await getVisibleGroup(db, anonymous, request.params.slug);
    return ics(reply, calendarOf(await feedRows(anonymous, { group: group.id }), { name: group.name, baseUrl: config.baseUrl }), `${group.slug}.ics`, 'public');
  });
  app.get('/states/:code/calendar.ics', { schema: { params: Type.Object({ code: Type.String({ pattern: '^[A-Za-z]{2}$' }) }) } }, async (request, reply) => {
    const code = request.params.code.toUpperCase();
    const state = await db.selectFrom('state_initiatives').select(['name']).where('state_code', '=', code).executeTakeFirst();
    if (!state) throw new AppError('not_found');
    return ics(reply, calendarOf(await feedRows(anonymous, { state: code }), { name: state.name, baseUrl: config.baseUrl }), `${code.toLowerCase()}.ics`, 'public');
  });

  // A person's private feed: /calendar/<user id>-<token>.ics, the token a keyed hash of a nonce kept in calendar_feeds.
  const feedToken = (userId: number, nonce: string) => keyedHash(config.sessionSecret, `calendar:${userId}:${nonce}`);
  const feedUrlOf = async (userId: number) => {
    const row = await db.selectFrom('calendar_feeds').select('token_hash').where('user_id', '=', userId).executeTakeFirst();
    return row ? `${config.baseUrl}/calendar/${userId}-${feedToken(userId, row.token_hash)}.ics` : undefined;
  };
  app.get('/calendar/:file', { schema: { params: Type.Object({ file: Type.String({ maxLength: 80 }) }) } }, async (request, reply) => {
    const m = /^([0-9]{1,15})-([A-Za-z0-9_-]{22})\.ics$/.exec(request.params.file);
    if (!m) throw new AppError('not_found');
    const userId = Number(m[1]);
    const row = await db.selectFrom('calendar_feeds').select('token_hash').where('user_id', '=', userId).executeTakeFirst();
    if (!row || !safeEqual(feedToken(userId, row.token_hash), m[2]!)) throw new AppError('not_found');
    const owner = await loadActor(db, userId, 'token');
    if (owner.kind !== 'user') throw new AppError('not_found');
    const rows = await feedRows(owner, { registeredBy: userId });
    const seats = new Set(
      (await db.selectFrom('event_registrations').select('event_id').where('user_id', '=', userId).where('status', '=', 'confirmed').execute()).map((r) => r.event_id),
    );
    return ics(reply, calendarOf(rows, { name: 'Convene', baseUrl: config.baseUrl, includeOnlineUrl: (e) => seats.has(e.id) }), 'my-events.ics', 'private');
  });

  // ---- settings: time zone and private feed -----------------------------------------------------------------
  const requireUser = (request: FastifyRequest) => {
    if (request.actor.kind !== 'user') throw new AppError('unauthenticated');
    return request.actor;
  };
  const settingsPage = async (request: FastifyRequest, reply: FastifyReply, form?: FormState, status = 200) => {
    const user = requireUser(request);
    const feedUrl = await feedUrlOf(user.id);
    return renderFor(
      app,
      request,
      reply,
      (ctx) => ({
        title: ctx.t('events.settings.title'),
        hasErrors: status >= 400,
        breadcrumbs: [{ label: ctx.t('settings.title'), href: '/settings' }],
        children: h(CalendarSettingsView, { ctx, form: form ?? emptyForm({ time_zone: user.timeZone ?? '' }), feedUrl, current: user.timeZone }),
      }),
      status,
    );
  };
  app.get('/settings/calendar', async (request, reply) => settingsPage(request, reply));
  app.post('/settings/calendar', async (request, reply) => {
    const user = requireUser(request);
    const raw = (request.body as Record<string, unknown> | undefined)?.time_zone;
    const zone = typeof raw === 'string' ? raw.trim() : '';
    if (zone && !isTimeZone(zone)) return settingsPage(request, reply, { values: { time_zone: zone }, errors: { time_zone: request.t('events.time_zone_invalid') } }, 400);
    await db.updateTable('users').set({ time_zone: zone || null, updated_at: new Date() }).where('id', '=', user.id).execute();
    setFlash(reply, { kind: 'success', message: request.t('events.settings.tz_saved') });
    return reply.redirect('/settings/calendar', 303);
  });
  app.post('/settings/calendar/feed', async (request, reply) => {
    const user = requireUser(request);
    const nonce = randomToken(16);
    await db
      .insertInto('calendar_feeds')
      .values({ user_id: user.id, token_hash: nonce })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ token_hash: nonce, created_at: new Date() }))
      .execute();
    setFlash(reply, { kind: 'success', message: request.t('events.settings.feed_made') });
    return reply.redirect('/settings/calendar#feed-heading', 303);
  });
  app.post('/settings/calendar/feed/revoke', async (request, reply) => {
    const user = requireUser(request);
    await db.deleteFrom('calendar_feeds').where('user_id', '=', user.id).execute();
    setFlash(reply, { kind: 'success', message: request.t('events.settings.feed_revoked') });
    return reply.redirect('/settings/calendar', 303);
  });

  // ---- API --------------------------------------------------------------------------------------------------
  const ApiListQuery = Type.Object({
    when: Type.Optional(Type.Union([Type.Literal('upcoming'), Type.Literal('past')])),
    group: Type.Optional(Type.String({ maxLength: 100 })),
    state: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
    kind: Type.Optional(Type.Union(EVENT_KINDS.map((k) => Type.Literal(k)))),
    from: Type.Optional(Type.String({ format: 'date' })),
    to: Type.Optional(Type.String({ format: 'date' })),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
  });
  app.get(
    '/api/v1/events',
    { config: { list: { items: 'events', perPage: 50 } }, schema: { tags: ['events'], summary: 'Events the requester may see (upcoming by default)', querystring: ApiListQuery, response: { 200: listOf({ events: Type.Array(EventSchema), total: Type.Integer() }), ...errorResponses(400, 404) } } },
    async (request) => {
      const q = request.query;
      const group = q.group ? (await getVisibleGroup(db, request.actor, q.group)).id : undefined;
      const r = await listEvents(db, request.actor, {
        when: q.from || q.to ? undefined : (q.when ?? 'upcoming'),
        group,
        state: q.state,
        kind: q.kind,
        from: q.from ? new Date(`${q.from}T00:00:00Z`) : undefined,
        to: q.to ? new Date(`${q.to}T00:00:00Z`) : undefined,
        page: q.page,
        perPage: 50,
      });
      return { events: r.rows.map((e) => present(e, false)), total: r.total };
    },
  );
  app.post(
    '/api/v1/events',
    { schema: { tags: ['events'], summary: 'Create an event or a recurring series (organizers)', security: [{ bearer: [] }], body: EventApiInput, response: { 201: EventSchema, ...errorResponses(400, 401, 403) } } },
    async (request, reply) => {
      await requireScopes(request);
      const v = validate(EventInput, fromInstants(request.body as Record<string, unknown>, request.body.time_zone), request.t);
      if (!v.ok) throw new AppError('validation_failed', { fields: v.errors });
      const r = await createEvent(db, jobs, request.actor, v.value, host, request.headers['idempotency-key'] as string | undefined);
      return reply.code(201).send(present(await getVisibleEvent(db, request.actor, r.id), true));
    },
  );
  app.get(
    '/api/v1/events/:id',
    { schema: { tags: ['events'], summary: 'One event (the online link only for people with a seat and organizers)', params: IdParams, response: { 200: EventSchema, ...errorResponses(404) } } },
    async (request) => {
      const e = await getVisibleEvent(db, request.actor, request.params.id);
      const { reg, seat } = await seatOf(request, e);
      return { ...present(e, seat), my_registration: reg ? { response: reg.response, status: reg.status } : null };
    },
  );
  app.patch(
    '/api/v1/events/:id',
    {
      schema: {
        tags: ['events'],
        summary: 'Change an event, or all upcoming occurrences of its series with apply_to "all" (organizers)',
        security: [{ bearer: [] }],
        params: IdParams,
        body: EventApiPatch,
        response: { 200: EventSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const e = await getVisibleEvent(db, request.actor, request.params.id);
      await requireOrganizer(db, request.actor, e);
      // Unchanged fields keep their values: the patch is laid over the event as the form would show it.
      const body = request.body as Record<string, unknown>;
      const merged = { ...prepareEvent(formValuesOf(e)), ...fromInstants(body, typeof body.time_zone === 'string' ? body.time_zone : e.time_zone) };
      const v = validate(EventInput, merged, request.t);
      if (!v.ok) throw new AppError('validation_failed', { fields: v.errors });
      await updateEvent(db, jobs, request.actor, e.id, v.value);
      return present(await getVisibleEvent(db, request.actor, e.id), true);
    },
  );
  app.post(
    '/api/v1/events/:id/registrations',
    {
      schema: {
        tags: ['events'],
        summary: "Register (going, maybe, not going) with accommodation requests; going joins the waitlist when the event is full",
        security: [{ bearer: [] }],
        params: IdParams,
        body: RegistrationInput,
        response: { 200: Type.Object({ response: Type.String(), status: Type.String() }), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const e = await getVisibleEvent(db, request.actor, request.params.id);
      if (request.actor.kind !== 'user') throw new AppError('unauthenticated');
      await hit(db, `register:u${request.actor.id}`, { max: 30, windowSeconds: 60 });
      return register(db, jobs, request.actor, e.id, request.body);
    },
  );
  app.get(
    '/api/v1/events/:id/registrations',
    { config: { list: { items: 'registrations', perPage: 100000 } }, schema: { tags: ['events'], summary: 'Who registered, with accommodation requests (organizers; each read is audited)', security: [{ bearer: [] }], params: IdParams, response: { 200: listOf({ registrations: Type.Array(RegistrationSchema) }), ...errorResponses(401, 403, 404) } } },
    async (request) => {
      const e = await getVisibleEvent(db, request.actor, request.params.id);
      const user = await requireOrganizer(db, request.actor, e);
      const rows = await registrationsOf(db, e.id);
      await audit(db, user.id, 'event.read_registrations', { type: 'event', id: e.id }, { count: rows.length, via: 'api' });
      return { registrations: rows.map((r) => ({ user_id: r.user_id, name: r.name, response: r.response, status: r.status, accommodations: r.accommodations, interpretation_language: r.interpretation_language, accommodation_notes: r.accommodation_notes, attended: r.attended })) };
    },
  );
};
