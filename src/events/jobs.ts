import { loc } from '../platform/i18n/content.js';
import type { Db } from '../platform/db/db.js';
import type { Config } from '../platform/config.js';
import type { Mailer } from '../platform/mail/mailer.js';
import { loadActor } from '../platform/auth/actor.js';
import { translator } from '../platform/i18n/i18n.js';
import { mailLocale, mailTo } from '../platform/mail/templates.js';
import { QUEUES, type Jobs } from '../platform/jobs/jobs.js';
import { canViewEvent, getEvent } from './queries.js';
import { queueEventMail, type EventMailKind } from './commands.js';
import { calendarOf } from './calendar.js';
import { DEFAULT_TIME_ZONE, eventFormatters, isTimeZone } from './time.js';
import { rollupEngagement } from '../analytics/engagement.js';

export interface EventJobDeps {
  db: Db;
  jobs: Jobs;
  mailer: Mailer;
  config: Config;
}

const KINDS: EventMailKind[] = ['registered', 'waitlisted', 'promoted', 'changed', 'cancelled', 'reminder_day', 'reminder_hour'];

/**
 * Job: one event email to one person. Reloads everything, and sends only if
 * it still holds (a confirmation for a seat still held, a change that is still
 * the latest, a reminder for the start that is still planned, an event the
 * person may still see). Each mail carries the event as an .ics attachment,
 * with the online link only for people who hold a seat.
 */
export async function sendEventMail(deps: EventJobDeps, data: { eventId: number; userId: number; kind: EventMailKind; stamp: string }): Promise<'sent' | 'skipped'> {
  const { db, config } = deps;
  const e = await getEvent(db, data.eventId);
  if (!e) return 'skipped';
  return db.transaction().execute(async (tx) => {
    const user = await tx
      .selectFrom('users')
      .select(['id', 'email', 'name', 'locale', 'time_zone', 'email_verified_at', 'deactivated_at'])
      .where('id', '=', data.userId)
      .executeTakeFirst();
    if (!user || user.deactivated_at || !user.email_verified_at) return 'skipped';
    const reg = await tx.selectFrom('event_registrations').selectAll().where('event_id', '=', e.id).where('user_id', '=', user.id).forUpdate().executeTakeFirst();
    if (!reg) return 'skipped';
    const reader = await loadActor(tx, user.id, 'session');
    if (!canViewEvent(reader, e)) return 'skipped';
    const k = data.kind;
    const stillHolds =
      ((k === 'registered' || k === 'promoted') && reg.status === 'confirmed' && e.status === 'scheduled') ||
      (k === 'waitlisted' && reg.status === 'waitlisted' && e.status === 'scheduled') ||
      (k === 'changed' && reg.response !== 'not_going' && e.status === 'scheduled' && String(e.sequence) === data.stamp) ||
      (k === 'cancelled' && reg.response !== 'not_going' && e.status === 'cancelled') ||
      ((k === 'reminder_day' || k === 'reminder_hour') && e.status === 'scheduled' && (reg.status === 'confirmed' || reg.response === 'maybe') && e.starts_at.toISOString() === data.stamp);
    if (!stillHolds) return 'skipped';
    if (k === 'reminder_day' || k === 'reminder_hour') {
      const first = await tx
        .insertInto('event_reminders_sent')
        .values({ event_id: e.id, user_id: user.id, kind: k === 'reminder_day' ? 'day' : 'hour', starts_at: e.starts_at })
        .onConflict((oc) => oc.doNothing())
        .returning('event_id')
        .executeTakeFirst();
      if (!first) return 'skipped';
    }
    const locale = mailLocale(user);
    const t = translator(locale);
    const zone = isTimeZone(user.time_zone) ? user.time_zone : isTimeZone(e.time_zone) ? e.time_zone : DEFAULT_TIME_ZONE;
    const f = eventFormatters(locale, zone);
    const seat = reg.status === 'confirmed';
    const url = `${config.baseUrl}/events/${e.id}`;
    // The title in the reader's language when the organizer wrote it.
    const title = loc(e, 'title', locale);
    const paragraphs = [
      t(`events.mail.${k}.body`, { title }),
      t('events.mail.when', { when: f.range(e.starts_at, e.ends_at) }),
      ...(e.location ? [t('events.mail.where', { where: e.location })] : []),
      ...(e.online_url && seat && e.status === 'scheduled' ? [t('events.mail.online', { url: e.online_url })] : []),
      ...(reg.accommodations.length && e.status === 'scheduled' ? [t('events.mail.accommodations', { list: reg.accommodations.map((a) => t(`events.accommodation.${a}`)).join(', ') })] : []),
    ];
    const host = new URL(config.baseUrl).hostname || 'localhost';
    const mail = mailTo(user, () => ({
      subject: t(`events.mail.${k}.subject`, { title }),
      paragraphs,
      action: { label: t('events.mail.open'), url },
    }));
    await deps.mailer.send({
      ...mail,
      messageId: `<event-${e.id}-${user.id}-${k}-${data.stamp}@${host}>`,
      references: `<event-${e.id}@${host}>`,
      attachments: [
        {
          filename: 'event.ics',
          content: calendarOf([{ ...e, title, description: loc(e, 'description', locale) }], { name: title, baseUrl: config.baseUrl, includeOnlineUrl: () => seat }),
          contentType: 'text/calendar; charset=utf-8; method=PUBLISH',
        },
      ],
    });
    return 'sent';
  });
}

/** Job: a day or an hour before an event, queue a reminder for each person going (or maybe going), if the event still starts then. */
export async function eventReminder(deps: EventJobDeps, data: { eventId: number; kind: 'day' | 'hour'; startsAt: string }): Promise<number> {
  const { db, jobs } = deps;
  return db.transaction().execute(async (tx) => {
    const e = await tx.selectFrom('events').select(['id', 'status', 'starts_at']).where('id', '=', data.eventId).executeTakeFirst();
    if (!e || e.status !== 'scheduled' || e.starts_at.toISOString() !== data.startsAt) return 0;
    const people = await tx
      .selectFrom('event_registrations')
      .select('user_id')
      .where('event_id', '=', e.id)
      .where((eb) => eb.or([eb('status', '=', 'confirmed'), eb('response', '=', 'maybe')]))
      .execute();
    for (const p of people) await queueEventMail(tx, jobs, e.id, p.user_id, data.kind === 'day' ? 'reminder_day' : 'reminder_hour', data.startsAt);
    return people.length;
  });
}

export function registerEventJobs(deps: EventJobDeps): void {
  deps.jobs.handle(QUEUES.eventMail, async (d) => {
    const eventId = Number(d.eventId);
    const userId = Number(d.userId);
    const kind = d.kind as EventMailKind;
    if (!Number.isSafeInteger(eventId) || !Number.isSafeInteger(userId) || !KINDS.includes(kind)) throw new Error('event mail job has bad data');
    await sendEventMail(deps, { eventId, userId, kind, stamp: String(d.stamp) });
  });
  deps.jobs.handle(QUEUES.eventReminder, async (d) => {
    const eventId = Number(d.eventId);
    if (!Number.isSafeInteger(eventId) || (d.kind !== 'day' && d.kind !== 'hour')) throw new Error('reminder job has bad data');
    await eventReminder(deps, { eventId, kind: d.kind, startsAt: String(d.startsAt) });
  });
  deps.jobs.handle(QUEUES.engagementRollup, async () => {
    await rollupEngagement(deps.db);
  });
}
