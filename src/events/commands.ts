import { queueWebhooks } from '../webhooks/deliver.js';
import { noteAttendanceFollowups } from '../value/followups.js';
import { randomUUID } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import { sql } from 'kysely';
import { type Db, type Tx } from '../platform/db/db.js';
import type { RegistrationResponse, RegistrationStatus } from '../platform/db/schema.js';
import type { Actor, UserActor } from '../platform/auth/actor.js';
import { can } from '../platform/auth/policy.js';
import { AppError, type FieldErrors, msg } from '../platform/http/errors.js';
import { audit, once } from '../platform/db/tx.js';
import { Enum, EnumList, Line, OptionalLine, OptionalText, RequiredText, TranslationsInput, Url, clean } from '../platform/http/schema-helpers.js';
import { asLang, cleanTranslations } from '../platform/i18n/content.js';
import { QUEUES, type Jobs } from '../platform/jobs/jobs.js';
import { MAX_OCCURRENCES, REPEAT_PRESETS, expandRule, isTimeZone, normalizeRule, presetRule, utcToLocal, withEnd, zonedToUtc } from './time.js';
import { privacyCheck } from '../trust/privacy-guard.js';
import { ACCOMMODATIONS, EVENT_KINDS, MATERIAL_ROLES, RESPONSES, getEvent, getVisibleEvent, organizerScopes, registrationOf, requireOrganizer, scopeKey } from './queries.js';
const Time = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', 'x-message': 'events.time_format' });
const DateStr = Type.String({ format: 'date', 'x-message': 'validation.date' });

/** One schema for the form and the API (the API sends the same fields as JSON). */
export const EventInput = Type.Object({
  title: Line(200),
  kind: Enum(EVENT_KINDS),
  /** community, group:<slug or id> or state:<code> */
  scope: Type.String({
    pattern: '^(community|group:([0-9]{1,15}|[a-z0-9][a-z0-9-]{0,99})|state:[A-Za-z]{2})$',
    'x-message': 'validation.choose',
    description: 'community, group:<slug> or state:<code> (the "scope" the groups and states lists give); group:<id> also works',
  }),
  description: OptionalText(20000),
  agenda: OptionalText(20000),
  language: Type.Optional(Enum(['en', 'es'] as const)),
  /** Title, description and agenda in the other language than `language`. */
  translations: TranslationsInput({ title: OptionalLine(200), description: OptionalText(20000), agenda: OptionalText(20000) }),
  start_date: DateStr,
  start_time: Time,
  end_date: Type.Optional(Type.Union([DateStr, Type.Literal('')])),
  end_time: Time,
  time_zone: Type.String({ minLength: 1, maxLength: 64, 'x-message': 'events.time_zone_invalid' }),
  location: OptionalText(500),
  online_url: Type.Optional(Url()),
  capacity: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, 'x-message': 'events.capacity_range' })),
  deadline_date: Type.Optional(Type.Union([DateStr, Type.Literal('')])),
  deadline_time: Type.Optional(Type.Union([Time, Type.Literal('')])),
  repeat: Type.Optional(Enum(REPEAT_PRESETS)),
  repeat_count: Type.Optional(Type.Integer({ minimum: 2, maximum: MAX_OCCURRENCES, 'x-message': 'events.repeat_count_range' })),
  repeat_until: Type.Optional(Type.Union([DateStr, Type.Literal('')])),
  rrule: OptionalText(500),
  /** When changing one occurrence of a series: just this one, or all upcoming ones not changed on their own. */
  apply_to: Type.Optional(Enum(['this', 'all'] as const)),
  acknowledge_privacy: Type.Optional(Type.Boolean({ description: 'Set after the organizer has checked a privacy warning and chooses to publish' })),
});
export type EventInput = Static<typeof EventInput>;

/** An event's fields written in both languages. */
export const EVENT_TEXT = ['title', 'description', 'agenda'] as const;

export const RegistrationInput = Type.Object({
  response: Enum(RESPONSES),
  accommodations: Type.Optional(EnumList(ACCOMMODATIONS)),
  interpretation_language: OptionalText(100),
  accommodation_notes: OptionalText(2000),
});
export type RegistrationInput = Static<typeof RegistrationInput>;

export const AttendanceInput = Type.Object({
  attended: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 100000 })),
  notes: OptionalText(20000),
});
export const MaterialInput = Type.Object({ resource: RequiredText(500), role: Enum(MATERIAL_ROLES) });

// ---- creating and changing ---------------------------------------------------------------------------

interface Timing {
  startsLocal: string;
  startsAt: Date;
  endsAt: Date;
  durationMinutes: number;
  deadline: Date | null;
}

/** Works out the times from the form, in the chosen zone; field errors for anything that does not add up. */
function timing(input: EventInput): Timing {
  const errors: FieldErrors = {};
  if (!isTimeZone(input.time_zone)) errors.time_zone = msg('events.time_zone_invalid');
  const zone = isTimeZone(input.time_zone) ? input.time_zone : 'UTC';
  const startsLocal = `${input.start_date}T${input.start_time}`;
  const startsAt = zonedToUtc(startsLocal, zone);
  const endsAt = zonedToUtc(`${input.end_date || input.start_date}T${input.end_time}`, zone);
  if (!startsAt) errors.start_date = msg('validation.date');
  if (!endsAt) errors.end_time = msg('validation.date');
  if (startsAt && endsAt && endsAt <= startsAt) errors.end_time = msg('events.end_after_start');
  if (startsAt && endsAt && endsAt.getTime() - startsAt.getTime() > 7 * 86_400_000) errors.end_time = msg('events.too_long');
  let deadline: Date | null = null;
  if (input.deadline_date) {
    deadline = zonedToUtc(`${input.deadline_date}T${input.deadline_time || '23:59'}`, zone) ?? null;
    if (!deadline) errors.deadline_date = msg('validation.date');
    else if (startsAt && deadline > startsAt) errors.deadline_date = msg('events.deadline_before_start');
  }
  if (Object.keys(errors).length) throw new AppError('validation_failed', { fields: errors });
  return { startsLocal, startsAt: startsAt!, endsAt: endsAt!, durationMinutes: Math.round((endsAt!.getTime() - startsAt!.getTime()) / 60_000), deadline };
}

/** The rule from the form's repeat choice, or undefined for a single event. */
function ruleOf(input: EventInput, startsLocal: string): string | undefined {
  const repeat = input.repeat ?? 'none';
  if (repeat === 'none') return undefined;
  const end = { count: input.repeat_count, until: input.repeat_until || undefined };
  if (end.until && end.until < input.start_date) throw new AppError('validation_failed', { fields: { repeat_until: msg('events.until_after_start') } });
  if (repeat === 'custom') {
    const rule = normalizeRule(input.rrule ?? '');
    if (!rule) throw new AppError('validation_failed', { fields: { rrule: msg('events.rrule_invalid') } });
    return withEnd(rule, end);
  }
  return presetRule(repeat, startsLocal, end.count || end.until ? end : { count: 6 });
}

async function scopeOf(db: Db, actor: UserActor, scope: string): Promise<{ group_id: number | null; state_code: string | null }> {
  const scopes = await organizerScopes(db, actor);
  if (scope === 'community') {
    if (!scopes.community) throw new AppError('validation_failed', { fields: { scope: msg('events.scope_not_allowed') } });
    return { group_id: null, state_code: null };
  }
  const [kind, raw] = scope.split(':') as ['group' | 'state', string];
  const group = kind === 'group' ? scopes.groups.find((g) => (/^[0-9]+$/.test(raw) ? g.id === Number(raw) : g.slug === raw)) : undefined;
  if (group) return { group_id: group.id, state_code: null };
  const code = raw.toUpperCase();
  if (kind === 'state' && scopes.states.some((s) => s.code === code)) return { group_id: null, state_code: code };
  throw new AppError('validation_failed', { fields: { scope: msg('events.scope_not_allowed') } });
}

const requireVerified = (actor: Actor): UserActor => {
  if (actor.kind !== 'user') throw new AppError('unauthenticated');
  if (!actor.emailVerified) throw new AppError('forbidden');
  return actor;
};

const newUid = (host: string) => `${randomUUID()}@${host}`;

/** Queues the day-before and hour-before reminders for an event's current start (each once). */
export async function scheduleReminders(tx: Tx, jobs: Jobs, e: { id: number; starts_at: Date }): Promise<void> {
  const now = Date.now();
  for (const [kind, ms] of [['day', 86_400_000], ['hour', 3_600_000]] as const) {
    const at = e.starts_at.getTime() - ms;
    if (at <= now) continue;
    await jobs.send(tx, QUEUES.eventReminder, { eventId: e.id, kind, startsAt: e.starts_at.toISOString() }, { key: `rem:${e.id}:${kind}:${e.starts_at.getTime()}`, startAfter: new Date(at) });
  }
}

export type EventMailKind = 'registered' | 'waitlisted' | 'promoted' | 'changed' | 'cancelled' | 'reminder_day' | 'reminder_hour';

export async function queueEventMail(tx: Tx, jobs: Jobs, eventId: number, userId: number, kind: EventMailKind, stamp: number | string): Promise<void> {
  await jobs.send(tx, QUEUES.eventMail, { eventId, userId, kind, stamp: String(stamp) }, { key: `em:${eventId}:${userId}:${kind}:${stamp}` });
}

/**
 * Creates an event, or a series and its occurrences (up to 52, over at most two
 * years), in one transaction with their reminders. Returns the first event's id.
 */
export async function createEvent(db: Db, jobs: Jobs, actor: Actor, input: EventInput, host: string, idemKey?: string): Promise<{ id: number; occurrences: number }> {
  const user = requireVerified(actor);
  const scope = await scopeOf(db, user, input.scope);
  const tm = timing(input);
  const rule = ruleOf(input, tm.startsLocal);
  privacyCheck(input.acknowledge_privacy, input.title, input.description, input.agenda);
  const occurrences = rule ? expandRule(rule, tm.startsLocal, input.time_zone, tm.durationMinutes) : [{ recurrenceId: null, startsAt: tm.startsAt, endsAt: tm.endsAt }];
  if (occurrences.length === 0) throw new AppError('validation_failed', { fields: { rrule: msg('events.rule_no_dates') } });
  const base = {
    ...scope,
    kind: input.kind,
    title: clean(input.title),
    description: clean(input.description),
    agenda: clean(input.agenda),
    language: input.language ?? 'en',
    translations: JSON.stringify(cleanTranslations(input.translations, EVENT_TEXT, asLang(input.language))),
    time_zone: input.time_zone,
    location: clean(input.location),
    online_url: clean(input.online_url) || null,
    capacity: input.capacity ?? null,
    created_by: user.id,
  };
  return once(db, user.id, idemKey, async (tx) => {
    const series = rule
      ? await tx.insertInto('event_series').values({ rrule: rule, time_zone: input.time_zone, starts_local: tm.startsLocal, duration_minutes: tm.durationMinutes, created_by: user.id }).returning('id').executeTakeFirstOrThrow()
      : undefined;
    const ids: number[] = [];
    for (const o of occurrences) {
      const shift = o.startsAt.getTime() - tm.startsAt.getTime();
      const row = await tx
        .insertInto('events')
        .values({
          ...base,
          uid: newUid(host),
          series_id: series?.id ?? null,
          recurrence_id: o.recurrenceId,
          starts_at: o.startsAt,
          ends_at: o.endsAt,
          // Each occurrence's deadline keeps the same distance before its start.
          registration_deadline: tm.deadline ? new Date(tm.deadline.getTime() + shift) : null,
        })
        .returning(['id', 'starts_at'])
        .executeTakeFirstOrThrow();
      ids.push(row.id);
      await scheduleReminders(tx, jobs, row);
      await queueWebhooks(tx, jobs, 'event.created', row.id);
    }
    await audit(tx, user.id, 'event.create', { type: 'event', id: ids[0] }, { occurrences: ids.length, series: series?.id ?? null });
    return { id: ids[0]!, occurrences: ids.length };
  });
}

/** Recounts an event's seats and lists from its registrations (under the event's row lock). */
export async function recount(tx: Tx, eventId: number) {
  await sql`UPDATE events e SET
      going_count = (SELECT count(*) FROM event_registrations r WHERE r.event_id = e.id AND r.status = 'confirmed'),
      maybe_count = (SELECT count(*) FROM event_registrations r WHERE r.event_id = e.id AND r.response = 'maybe'),
      waitlist_count = (SELECT count(*) FROM event_registrations r WHERE r.event_id = e.id AND r.status = 'waitlisted'),
      attended_count = (SELECT count(*) FROM event_registrations r WHERE r.event_id = e.id AND r.attended)
    WHERE e.id = ${eventId}`.execute(tx);
}

async function confirmedCount(tx: Tx, eventId: number): Promise<number> {
  const r = await tx.selectFrom('event_registrations').select((eb) => eb.fn.countAll<number>().as('n')).where('event_id', '=', eventId).where('status', '=', 'confirmed').executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Moves people from the waitlist into free seats, first come first served, and tells them. */
export async function promote(tx: Tx, jobs: Jobs, e: { id: number; capacity: number | null }): Promise<number> {
  const free = e.capacity === null ? Number.MAX_SAFE_INTEGER : e.capacity - (await confirmedCount(tx, e.id));
  if (free <= 0) return 0;
  const next = await tx
    .selectFrom('event_registrations')
    .select('user_id')
    .where('event_id', '=', e.id)
    .where('status', '=', 'waitlisted')
    .orderBy('waitlisted_at')
    .orderBy('user_id')
    .limit(Math.min(free, 10000))
    .execute();
  const now = new Date();
  for (const r of next) {
    await tx.updateTable('event_registrations').set({ status: 'confirmed', waitlisted_at: null, updated_at: now }).where('event_id', '=', e.id).where('user_id', '=', r.user_id).execute();
    await queueEventMail(tx, jobs, e.id, r.user_id, 'promoted', now.getTime());
  }
  return next.length;
}

/**
 * Registers (or changes a registration): going takes a seat while there is one,
 * else a place on the waitlist; maybe and not going hold none, and giving a seat
 * up promotes the next person. The event's row is locked for the whole change,
 * so concurrent sign-ups for the last seats never overbook.
 */
export async function register(db: Db, jobs: Jobs, actor: Actor, eventId: number, input: RegistrationInput): Promise<{ status: RegistrationStatus; response: RegistrationResponse }> {
  const user = requireVerified(actor);
  const accommodations = input.response === 'not_going' ? [] : (input.accommodations ?? []);
  // The command checks who may see the event itself, so a job or an import that calls it cannot skip that.
  await getVisibleEvent(db, actor, eventId);
  return db.transaction().execute(async (tx) => {
    const e = await tx.selectFrom('events').select(['id', 'capacity', 'status', 'ends_at', 'starts_at', 'registration_deadline']).where('id', '=', eventId).forUpdate().executeTakeFirst();
    if (!e) throw new AppError('not_found');
    const now = new Date();
    const prev = await registrationOf(tx, eventId, user.id);
    if (e.status === 'cancelled') throw new AppError('conflict', { fields: { _: msg('events.closed_cancelled') } });
    if (e.ends_at < now) throw new AppError('conflict', { fields: { _: msg('events.closed_past') } });
    // After the deadline people may still step back (not going), but not sign up.
    if (e.registration_deadline && e.registration_deadline < now && input.response !== 'not_going') throw new AppError('conflict', { fields: { _: msg('events.closed_deadline') } });
    if (accommodations.includes('interpretation') && !clean(input.interpretation_language)) {
      throw new AppError('validation_failed', { fields: { interpretation_language: msg('events.interpretation_language_needed') } });
    }
    let status: RegistrationStatus = 'none';
    if (input.response === 'going') {
      if (prev?.status === 'confirmed') status = 'confirmed';
      else if (e.capacity === null || (await confirmedCount(tx, e.id)) < e.capacity) status = 'confirmed';
      else status = 'waitlisted';
    }
    const values = {
      response: input.response,
      status,
      waitlisted_at: status === 'waitlisted' ? (prev?.status === 'waitlisted' ? prev.waitlisted_at : now) : null,
      accommodations,
      interpretation_language: accommodations.includes('interpretation') ? clean(input.interpretation_language) : '',
      accommodation_notes: accommodations.length ? clean(input.accommodation_notes) : '',
      updated_at: now,
    };
    await tx
      .insertInto('event_registrations')
      .values({ event_id: e.id, user_id: user.id, ...values })
      .onConflict((oc) => oc.columns(['event_id', 'user_id']).doUpdateSet(values))
      .execute();
    if (prev?.status === 'confirmed' && status !== 'confirmed') await promote(tx, jobs, e);
    await recount(tx, e.id);
    const changed = prev?.status !== status;
    if (changed && status === 'confirmed') await queueEventMail(tx, jobs, e.id, user.id, 'registered', now.getTime());
    if (changed && status === 'waitlisted') await queueEventMail(tx, jobs, e.id, user.id, 'waitlisted', now.getTime());
    if (!prev) await queueWebhooks(tx, jobs, 'registration.created', e.id, now.getTime());
    return { status, response: input.response };
  });
}

/**
 * Changes an event. For an occurrence of a series, `apply_to: 'all'` changes
 * every upcoming occurrence not changed on its own (keeping each one's date,
 * taking the new times of day); otherwise only this one changes, and stops
 * following the series. A new time or place raises the iCalendar SEQUENCE and
 * tells everyone registered; a new time reschedules reminders; more seats
 * promote from the waitlist.
 */
export async function updateEvent(db: Db, jobs: Jobs, actor: Actor, eventId: number, input: EventInput): Promise<{ changed: number }> {
  const user = requireVerified(actor);
  const current = await getEvent(db, eventId);
  if (!current) throw new AppError('not_found');
  await requireOrganizer(db, user, current);
  const scope = input.scope === scopeKey(current) ? { group_id: current.group_id, state_code: current.state_code } : await scopeOf(db, user, input.scope);
  const tm = timing(input);
  privacyCheck(input.acknowledge_privacy, input.title, input.description, input.agenda);
  const all = current.series_id !== null && input.apply_to === 'all';
  return db.transaction().execute(async (tx) => {
    const targets = all
      ? await tx
          .selectFrom('events')
          .selectAll()
          .where('series_id', '=', current.series_id)
          .where((eb) => eb.or([eb('id', '=', current.id), eb.and([eb('detached', '=', false), eb('starts_at', '>=', new Date())])]))
          .orderBy('starts_at')
          .forUpdate()
          .execute()
      : await tx.selectFrom('events').selectAll().where('id', '=', current.id).forUpdate().execute();
    const now = new Date();
    for (const e of targets) {
      let startsAt = tm.startsAt;
      let endsAt = tm.endsAt;
      if (all && e.id !== current.id) {
        // Same date as before (in the event's zone), the new time of day and length.
        const day = utcToLocal(e.starts_at, input.time_zone).date;
        startsAt = zonedToUtc(`${day}T${input.start_time}`, input.time_zone)!;
        endsAt = new Date(startsAt.getTime() + tm.durationMinutes * 60_000);
      }
      const timeChanged = startsAt.getTime() !== e.starts_at.getTime() || endsAt.getTime() !== e.ends_at.getTime();
      const placeChanged = clean(input.location) !== e.location || (clean(input.online_url) || null) !== e.online_url;
      const shift = startsAt.getTime() - tm.startsAt.getTime();
      await tx
        .updateTable('events')
        .set({
          ...scope,
          kind: input.kind,
          title: clean(input.title),
          description: clean(input.description),
          agenda: clean(input.agenda),
          language: input.language ?? e.language,
          ...(input.translations !== undefined ? { translations: JSON.stringify(cleanTranslations(input.translations, EVENT_TEXT, asLang(input.language ?? e.language))) } : {}),
          time_zone: input.time_zone,
          location: clean(input.location),
          online_url: clean(input.online_url) || null,
          capacity: input.capacity ?? null,
          starts_at: startsAt,
          ends_at: endsAt,
          registration_deadline: tm.deadline ? new Date(tm.deadline.getTime() + shift) : null,
          detached: e.series_id !== null && !all ? true : e.detached,
          sequence: timeChanged || placeChanged ? e.sequence + 1 : e.sequence,
          updated_at: now,
        })
        .where('id', '=', e.id)
        .execute();
      if (timeChanged) await scheduleReminders(tx, jobs, { id: e.id, starts_at: startsAt });
      await queueWebhooks(tx, jobs, 'event.changed', e.id, now.getTime());
      if ((timeChanged || placeChanged) && e.status === 'scheduled' && endsAt > now) {
        const people = await tx.selectFrom('event_registrations').select('user_id').where('event_id', '=', e.id).where('response', 'in', ['going', 'maybe']).execute();
        for (const p of people) await queueEventMail(tx, jobs, e.id, p.user_id, 'changed', e.sequence + 1);
      }
      if ((input.capacity ?? null) === null || (e.capacity !== null && input.capacity! > e.capacity)) await promote(tx, jobs, { id: e.id, capacity: input.capacity ?? null });
      await recount(tx, e.id);
    }
    if (all) {
      await tx
        .updateTable('event_series')
        .set({ time_zone: input.time_zone, starts_local: `${tm.startsLocal.slice(0, 10)}T${input.start_time}`, duration_minutes: tm.durationMinutes, updated_at: now })
        .where('id', '=', current.series_id)
        .execute();
    }
    await audit(tx, user.id, 'event.update', { type: 'event', id: current.id }, { apply_to: all ? 'all' : 'this', changed: targets.length });
    return { changed: targets.length };
  });
}
/** Cancels an event (or it and the series' upcoming occurrences) and tells everyone registered. */
export async function cancelEvent(db: Db, jobs: Jobs, actor: Actor, eventId: number, applyTo: 'this' | 'all'): Promise<number> {
  const user = requireVerified(actor);
  const current = await getEvent(db, eventId);
  if (!current) throw new AppError('not_found');
  await requireOrganizer(db, user, current);
  return db.transaction().execute(async (tx) => {
    const now = new Date();
    const targets = await tx
      .selectFrom('events')
      .select(['id', 'sequence', 'ends_at'])
      .$if(applyTo === 'all' && current.series_id !== null, (q) => q.where('series_id', '=', current.series_id).where((eb) => eb.or([eb('id', '=', current.id), eb('starts_at', '>=', now)])))
      .$if(!(applyTo === 'all' && current.series_id !== null), (q) => q.where('id', '=', current.id))
      .where('status', '=', 'scheduled')
      .forUpdate()
      .execute();
    for (const e of targets) {
      await tx.updateTable('events').set({ status: 'cancelled', sequence: e.sequence + 1, updated_at: now }).where('id', '=', e.id).execute();
      await queueWebhooks(tx, jobs, 'event.changed', e.id, now.getTime());
      if (e.ends_at > now) {
        const people = await tx.selectFrom('event_registrations').select('user_id').where('event_id', '=', e.id).where('response', 'in', ['going', 'maybe']).execute();
        for (const p of people) await queueEventMail(tx, jobs, e.id, p.user_id, 'cancelled', e.sequence + 1);
      }
    }
    await audit(tx, user.id, 'event.cancel', { type: 'event', id: current.id }, { count: targets.length });
    return targets.length;
  });
}

/** After the event: who attended (from the registrations) and the notes. */
export async function recordAttendance(db: Db, actor: Actor, eventId: number, input: Static<typeof AttendanceInput>): Promise<void> {
  const user = requireVerified(actor);
  const e = await getEvent(db, eventId);
  if (!e) throw new AppError('not_found');
  await requireOrganizer(db, user, e);
  const ids = [...new Set(input.attended ?? [])];
  await db.transaction().execute(async (tx) => {
    await tx.selectFrom('events').select('id').where('id', '=', eventId).forUpdate().execute();
    await tx.updateTable('event_registrations').set({ attended: false }).where('event_id', '=', eventId).where('attended', '=', true).$if(ids.length > 0, (q) => q.where('user_id', 'not in', ids)).execute();
    if (ids.length) await tx.updateTable('event_registrations').set({ attended: true }).where('event_id', '=', eventId).where('user_id', 'in', ids).execute();
    // Each person who came is asked later whether they used what they took from it.
    await noteAttendanceFollowups(tx, eventId, ids);
    // updated_at moves even without notes: the hourly engagement rollup re-reads the days of recently changed events.
    await tx.updateTable('events').set({ ...(input.notes !== undefined ? { notes: clean(input.notes) } : {}), updated_at: new Date() }).where('id', '=', eventId).execute();
    await recount(tx, eventId);
    await audit(tx, user.id, 'event.attendance', { type: 'event', id: eventId }, { attended: ids.length });
  });
}

/** Files a library resource (recording, slides) with the event, by its address or slug. */
export async function addMaterial(db: Db, actor: Actor, eventId: number, input: Static<typeof MaterialInput>): Promise<void> {
  const user = requireVerified(actor);
  const e = await getEvent(db, eventId);
  if (!e) throw new AppError('not_found');
  await requireOrganizer(db, user, e);
  const slug = clean(input.resource).replace(/[?#].*$/, '').replace(/\/+$/, '').split('/').pop() ?? '';
  const r = await db.selectFrom('resources').select(['id', 'visibility', 'group_id', 'created_by', 'deleted_at']).where('slug', '=', slug).executeTakeFirst();
  if (!r || r.deleted_at || !can(user, 'resource.view', r)) throw new AppError('validation_failed', { fields: { resource: msg('events.material_not_found') } });
  await db.transaction().execute(async (tx) => {
    await tx.insertInto('event_resources').values({ event_id: eventId, resource_id: r.id, role: input.role }).onConflict((oc) => oc.columns(['event_id', 'resource_id']).doUpdateSet({ role: input.role })).execute();
    await audit(tx, user.id, 'event.material', { type: 'event', id: eventId }, { resource: r.id });
  });
}
