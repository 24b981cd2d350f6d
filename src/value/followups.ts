import { loc, type Lang } from '../platform/i18n/content.js';
import { mailLocale } from '../platform/mail/templates.js';
import { Type, type Static } from '@sinclair/typebox';
import { sql, type SqlBool } from 'kysely';
import type { Db, Tx } from '../platform/db/db.js';
import type { Config } from '../platform/config.js';
import type { Mailer } from '../platform/mail/mailer.js';
import { loadActor, type Actor, type UserActor } from '../platform/auth/actor.js';
import { can } from '../platform/auth/policy.js';
import { personToken, readPersonToken } from '../platform/auth/secrets.js';
import { AppError, msg } from '../platform/http/errors.js';
import { once } from '../platform/db/tx.js';
import { Enum, OptionalText, clean } from '../platform/http/schema-helpers.js';
import { QUEUES, type Jobs } from '../platform/jobs/jobs.js';
import { mailTo } from '../platform/mail/templates.js';
import { getResourceById } from '../resources/queries.js';
import { resourceReadableBy } from '../resources/policy.js';
import { eventReadableBy } from '../events/policy.js';
import { getEvent, eventSubject } from '../events/queries.js';
import { queueWebhooks } from '../webhooks/deliver.js';
import type { FollowupOutcome } from '../platform/db/schema.js';

/**
 * Asking about actual use at the right moment. A signed-in person who
 * downloads a resource, follows a partner's tracked link to it, or is marked
 * as having attended a convening is asked once, after the delay the
 * facilitators chose (`community.followup_delay_days`, 30 by default): "Did
 * you use it? How?". The question waits in the app (the home page and
 * /follow-ups) and, if the person takes email, comes by email once. An answer
 * of "yes" files a use report tied to the resource or convening. No one is
 * asked twice about the same thing (one row per person and thing); anyone
 * can turn the questions off.
 */

export interface FollowupDeps {
  db: Db;
  jobs: Jobs;
  mailer: Mailer;
  config: Config;
}

export type FollowupTrigger = 'download' | 'link' | 'attended';

/**
 * Notes that a person should be asked about a resource later (a download or
 * a tracked link while signed in). Nothing happens for visitors, for the
 * resource's own author, or when the person already has a question about it
 * or has already said how they used it.
 */
export async function noteResourceFollowup(db: Db | Tx, actor: Actor, resourceId: number, trigger: 'download' | 'link'): Promise<void> {
  if (actor.kind !== 'user') return;
  await sql`INSERT INTO use_followups (user_id, resource_id, trigger, due_at)
    SELECT ${actor.id}, r.id, ${trigger}, now() + make_interval(days => (SELECT coalesce(max(c.followup_delay_days), 30) FROM community c))
      FROM resources r
     WHERE r.id = ${resourceId} AND r.deleted_at IS NULL AND r.created_by IS DISTINCT FROM ${actor.id}
       AND NOT EXISTS (SELECT 1 FROM use_reports u WHERE u.user_id = ${actor.id} AND u.resource_id = r.id)
    ON CONFLICT (user_id, resource_id) WHERE resource_id IS NOT NULL DO NOTHING`.execute(db);
}

/** Notes the people marked as having attended a convening (inside the attendance transaction). */
export async function noteAttendanceFollowups(tx: Tx, eventId: number, userIds: number[]): Promise<void> {
  if (userIds.length === 0) return;
  await sql`INSERT INTO use_followups (user_id, event_id, trigger, due_at)
    SELECT r.user_id, r.event_id, 'attended', greatest(e.ends_at, now()) + make_interval(days => (SELECT coalesce(max(c.followup_delay_days), 30) FROM community c))
      FROM event_registrations r JOIN events e ON e.id = r.event_id
     WHERE r.event_id = ${eventId} AND r.attended AND r.user_id = ANY(${userIds}::bigint[])
       AND NOT EXISTS (SELECT 1 FROM use_reports u WHERE u.user_id = r.user_id AND u.event_id = r.event_id)
    ON CONFLICT (user_id, event_id) WHERE event_id IS NOT NULL DO NOTHING`.execute(tx);
}

/**
 * A use report filed without being asked settles the question about the same
 * thing: not yet asked, it will not be; asked, it counts as answered "used".
 */
export async function settleFollowupByReport(tx: Tx | Db, userId: number, subject: { resourceId: number } | { eventId: number }, reportId: number): Promise<void> {
  const open = () => {
    const q = tx.updateTable('use_followups').where('user_id', '=', userId).where('answered_at', 'is', null).where('outcome', 'is', null);
    return 'resourceId' in subject ? q.where('resource_id', '=', subject.resourceId) : q.where('event_id', '=', subject.eventId);
  };
  await open().where('asked_at', 'is', null).set({ outcome: 'skipped' }).execute();
  await open().where('asked_at', 'is not', null).set({ outcome: 'used', answered_at: new Date(), use_report_id: reportId }).execute();
}

// ---- asking ----------------------------------------------------------------------------------------

/** Whether the person may still see what the question is about. */
async function stillVisible(db: Db, reader: Actor, f: { resource_id: number | null; event_id: number | null }): Promise<boolean> {
  if (f.resource_id) {
    const r = await getResourceById(db, f.resource_id);
    return !!r && !r.deleted_at && can(reader, 'resource.view', r);
  }
  const e = await getEvent(db, f.event_id!);
  return !!e && e.status !== 'cancelled' && can(reader, 'event.view', eventSubject(e));
}

/**
 * Job (hourly): asks every question that has come due. Each is checked
 * again first: a person who turned follow-ups off, left, lost access, or
 * reported a use meanwhile is not asked (the row is kept, settled as
 * skipped, so they are never asked later either). Returns how many were asked.
 */
export async function followupSweep(deps: FollowupDeps, now = new Date()): Promise<number> {
  const { db, jobs } = deps;
  let asked = 0;
  for (;;) {
    const n = await db.transaction().execute(async (tx) => {
      const due = await tx
        .selectFrom('use_followups as f')
        .innerJoin('users as u', 'u.id', 'f.user_id')
        .select(['f.id', 'f.user_id', 'f.resource_id', 'f.event_id', 'u.followups_off', 'u.deactivated_at', 'u.email_notifications', 'u.email_verified_at'])
        .where('f.asked_at', 'is', null)
        .where('f.outcome', 'is', null)
        .where('f.due_at', '<=', now)
        .orderBy('f.due_at')
        .limit(200)
        .forUpdate('f')
        .skipLocked()
        .execute();
      for (const f of due) {
        const reported = await tx
          .selectFrom('use_reports')
          .select('id')
          .where('user_id', '=', f.user_id)
          .$call((q) => (f.resource_id ? q.where('resource_id', '=', f.resource_id) : q.where('event_id', '=', f.event_id)))
          .executeTakeFirst();
        const reader = f.deactivated_at || f.followups_off || reported ? undefined : await loadActor(tx, f.user_id, 'session');
        if (!reader || reader.kind !== 'user' || !(await stillVisible(tx, reader, f))) {
          await tx.updateTable('use_followups').set({ outcome: 'skipped' }).where('id', '=', f.id).execute();
          continue;
        }
        await tx.updateTable('use_followups').set({ asked_at: now }).where('id', '=', f.id).execute();
        asked++;
        if (f.email_notifications !== 'off' && f.email_verified_at) await jobs.send(tx, QUEUES.followupEmail, { id: f.id }, { key: `followup:${f.id}` });
      }
      return due.length;
    });
    if (n < 200) break;
  }
  return asked;
}

/** The one-click "stop asking me" link in follow-up emails. */
export const followupStopToken = (secret: string, userId: number) => personToken(secret, 'followups-off', userId);
export const readFollowupStopToken = (secret: string, token: string) => readPersonToken(secret, 'followups-off', token);

/** Job: the question by email, once; nothing when it was answered meanwhile or the person turned the questions or email off. */
export async function emailFollowup(deps: FollowupDeps, id: number): Promise<'sent' | 'skipped'> {
  const { db, config } = deps;
  return db.transaction().execute(async (tx) => {
    const f = await tx.selectFrom('use_followups').selectAll().where('id', '=', id).forUpdate().skipLocked().executeTakeFirst();
    if (!f || f.emailed_at || f.answered_at || f.outcome || !f.asked_at) return 'skipped';
    const user = await tx
      .selectFrom('users')
      .select(['id', 'email', 'name', 'locale', 'email_notifications', 'email_verified_at', 'deactivated_at', 'followups_off'])
      .where('id', '=', f.user_id)
      .executeTakeFirstOrThrow();
    if (user.deactivated_at || !user.email_verified_at || user.email_notifications === 'off' || user.followups_off) return 'skipped';
    const reader = await loadActor(tx, user.id, 'session');
    if (!(await stillVisible(tx, reader, f))) return 'skipped';
    const title = await subjectTitle(tx, f, mailLocale(user));
    const stop = `${config.baseUrl}/follow-ups/stop/${followupStopToken(config.sessionSecret, user.id)}`;
    const mail = mailTo(user, (t) => ({
      subject: t('followups.mail.subject', { title }),
      paragraphs: [t(f.resource_id ? `followups.mail.intro_${f.trigger}` : 'followups.mail.intro_attended', { title }), t('followups.mail.minute')],
      action: { label: t('followups.mail.answer'), url: `${config.baseUrl}/follow-ups/${f.id}` },
      unsubscribe: { label: t('followups.mail.stop'), url: stop },
      headers: { 'List-Unsubscribe': `<${stop}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click', 'Auto-Submitted': 'auto-generated' },
    }));
    await deps.mailer.send(mail);
    await tx.updateTable('use_followups').set({ emailed_at: new Date() }).where('id', '=', f.id).execute();
    return 'sent';
  });
}

/** What a question is about, in the reader's language when its title was written in it. */
async function subjectTitle(db: Db | Tx, f: { resource_id: number | null; event_id: number | null }, locale: Lang): Promise<string> {
  const row = f.resource_id
    ? await db.selectFrom('resources').select(['title', 'language', 'translations']).where('id', '=', f.resource_id).executeTakeFirst()
    : await db.selectFrom('events').select(['title', 'language', 'translations']).where('id', '=', f.event_id!).executeTakeFirst();
  return row ? loc(row, 'title', locale) : '';
}

export function registerFollowupJobs(deps: FollowupDeps): void {
  deps.jobs.handle(QUEUES.followupSweep, async () => {
    await followupSweep(deps);
  });
  deps.jobs.handle(QUEUES.followupEmail, async (d) => {
    const id = Number(d.id);
    if (!Number.isSafeInteger(id) || id < 1) throw new Error('job data has no valid id');
    await emailFollowup(deps, id);
  });
}

// ---- answering ---------------------------------------------------------------------------------------

export interface OpenFollowup {
  id: number;
  trigger: FollowupTrigger;
  asked_at: Date;
  resource: { slug: string; title: string; language: string } | null;
  event: { id: number; title: string; starts_at: Date } | null;
}

/** The questions waiting for this person (asked, not answered), newest first, only about what they may still see. */
export async function openFollowups(db: Db, viewer: UserActor, limit = 50): Promise<OpenFollowup[]> {
  const rows = await db
    .selectFrom('use_followups as f')
    .leftJoin('resources as r', 'r.id', 'f.resource_id')
    .leftJoin('events as e', 'e.id', 'f.event_id')
    .leftJoin('practice_groups as g', 'g.id', 'e.group_id')
    .select(['f.id', 'f.trigger', 'f.asked_at', 'f.resource_id', 'f.event_id', 'r.slug as r_slug', 'r.title as r_title', 'r.language as r_language', 'e.title as e_title', 'e.starts_at as e_starts_at'])
    .where('f.user_id', '=', viewer.id)
    .where('f.asked_at', 'is not', null)
    .where('f.answered_at', 'is', null)
    .where('f.outcome', 'is', null)
    .where((eb) =>
      eb.or([
        eb.and([eb('f.resource_id', 'is not', null), eb('r.deleted_at', 'is', null), resourceReadableBy(viewer)]),
        eb.and([eb('f.event_id', 'is not', null), eb('e.status', '<>', 'cancelled'), eventReadableBy(viewer)]),
      ]),
    )
    .orderBy('f.asked_at', 'desc')
    .orderBy('f.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    trigger: r.trigger,
    asked_at: r.asked_at!,
    resource: r.resource_id ? { slug: r.r_slug!, title: r.r_title!, language: r.r_language! } : null,
    event: r.event_id ? { id: r.event_id, title: r.e_title!, starts_at: r.e_starts_at! } : null,
  }));
}

/** One question, for its own person only (anyone else: not found). */
export async function getOwnFollowup(db: Db, viewer: UserActor, id: number) {
  const f = await db.selectFrom('use_followups').selectAll().where('id', '=', id).where('user_id', '=', viewer.id).executeTakeFirst();
  if (!f || !f.asked_at) throw new AppError('not_found');
  if (!(await stillVisible(db, viewer, f))) throw new AppError('not_found');
  return { ...f, title: await subjectTitle(db, f, viewer.locale === 'es' ? 'es' : 'en') };
}

const Rating = () => Type.Integer({ minimum: 1, maximum: 5, 'x-message': 'resources.rating_required' });
export const FOLLOWUP_ANSWERS = ['used', 'not_used', 'not_yet'] as const;
export const FollowupAnswerInput = Type.Object({
  answer: Enum(FOLLOWUP_ANSWERS),
  how_used: OptionalText(2000),
  usefulness: Type.Optional(Type.Union([Rating(), Type.Literal('')])),
});

/**
 * Answers a question: "used" files a use report (how it was used and how
 * useful it was are then required) tied to the resource or convening, with
 * the person's perspective and state; the other answers close the question.
 * Answered once: a second answer is refused (409), a repeated submit of the
 * same form gets the first result.
 */
export async function answerFollowup(deps: { db: Db; jobs: Jobs }, actor: UserActor, id: number, input: Static<typeof FollowupAnswerInput>, idempotencyKey?: string): Promise<{ outcome: FollowupOutcome; useReportId: number | null }> {
  const { db, jobs } = deps;
  const how = clean(input.how_used);
  if (input.answer === 'used') {
    const fields: Record<string, ReturnType<typeof msg>> = {};
    if (!how) fields.how_used = msg('followups.how_required');
    if (input.usefulness === undefined || input.usefulness === '') fields.usefulness = msg('resources.rating_required');
    if (Object.keys(fields).length) throw new AppError('validation_failed', { fields });
  }
  await getOwnFollowup(db, actor, id);
  return once(db, actor.id, idempotencyKey, async (tx) => {
    const f = await tx.selectFrom('use_followups').selectAll().where('id', '=', id).where('user_id', '=', actor.id).forUpdate().executeTakeFirst();
    if (!f || !f.asked_at) throw new AppError('not_found');
    if (f.answered_at || f.outcome) throw new AppError('conflict', { fields: { answer: msg('followups.already_answered') } });
    let useReportId: number | null = null;
    if (input.answer === 'used') {
      const me = await tx.selectFrom('users').select(['perspectives', 'state_code']).where('id', '=', actor.id).executeTakeFirstOrThrow();
      const usefulness = Number(input.usefulness);
      const row = await tx
        .insertInto('use_reports')
        .values({
          resource_id: f.resource_id,
          event_id: f.event_id,
          user_id: actor.id,
          how_used: how,
          perspective: me.perspectives[0] ?? null,
          state_code: me.state_code,
          setting: null,
          // One question in the follow-up: how useful it was stands for the three ratings.
          quality: usefulness,
          relevance: usefulness,
          usefulness,
          source: 'followup',
          created_at: new Date(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      useReportId = row.id;
      if (f.resource_id) await queueWebhooks(tx, jobs, 'use_report.filed', row.id);
    }
    await tx.updateTable('use_followups').set({ answered_at: new Date(), outcome: input.answer, use_report_id: useReportId }).where('id', '=', f.id).execute();
    return { outcome: input.answer as FollowupOutcome, useReportId };
  });
}

/** "Don't ask me about this one": closed without an answer (it does not count as a response). */
export async function dismissFollowup(db: Db, actor: UserActor, id: number): Promise<void> {
  await getOwnFollowup(db, actor, id);
  await db.updateTable('use_followups').set({ outcome: 'dismissed', answered_at: new Date() }).where('id', '=', id).where('user_id', '=', actor.id).where('answered_at', 'is', null).where('outcome', 'is', null).execute();
}

/** Turns the questions off or on again; turning them off also settles every question not yet asked. */
export async function setFollowupsOff(db: Db, userId: number, off: boolean): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx.updateTable('users').set({ followups_off: off }).where('id', '=', userId).execute();
    if (off) await tx.updateTable('use_followups').set({ outcome: 'skipped' }).where('user_id', '=', userId).where('asked_at', 'is', null).where('outcome', 'is', null).execute();
  });
}

// ---- from reach to use -------------------------------------------------------------------------------

export interface UseFunnel {
  asked: number;
  answered: number;
  used: number;
  notUsed: number;
  notYet: number;
  /** Use reports filed without being asked, in the same range. */
  unprompted: number;
  /** answered / asked, or null when nobody was asked. */
  responseRate: number | null;
}

/**
 * The path from reach to use for a date range (questions asked in it): how
 * many were asked, answered, and said they used it, with the response rate,
 * over the resources and convenings the viewer may see (one group's when filtered).
 */
export async function useFunnel(db: Db, viewer: Actor, f: { from: string; to: string; group?: number; state?: string; partner?: number }): Promise<UseFunnel> {
  // A partner filter narrows reach to its links and reports; questions are not attributed to partners.
  if (f.partner) return { asked: 0, answered: 0, used: 0, notUsed: 0, notYet: 0, unprompted: 0, responseRate: null };
  const groupR = f.group ? sql<SqlBool>`(r.group_id = ${f.group} OR EXISTS (SELECT 1 FROM resource_groups rg WHERE rg.resource_id = r.id AND rg.group_id = ${f.group}))` : sql<SqlBool>`true`;
  const groupE = f.group ? sql<SqlBool>`e.group_id = ${f.group}` : sql<SqlBool>`true`;
  const state = f.state ? sql<SqlBool>`u.state_code = ${f.state}` : sql<SqlBool>`true`;
  const seen = sql<SqlBool>`((fu.resource_id IS NOT NULL AND r.deleted_at IS NULL AND ${resourceReadableBy(viewer)} AND ${groupR})
      OR (fu.event_id IS NOT NULL AND ${eventReadableBy(viewer)} AND ${groupE}))`;
  const [funnel, unprompted] = await Promise.all([
    sql<{ asked: number; answered: number; used: number; not_used: number; not_yet: number }>`
      SELECT count(*)::int AS asked,
             count(*) FILTER (WHERE fu.outcome IN ('used', 'not_used', 'not_yet'))::int AS answered,
             count(*) FILTER (WHERE fu.outcome = 'used')::int AS used,
             count(*) FILTER (WHERE fu.outcome = 'not_used')::int AS not_used,
             count(*) FILTER (WHERE fu.outcome = 'not_yet')::int AS not_yet
        FROM use_followups fu
        JOIN users u ON u.id = fu.user_id
        LEFT JOIN resources r ON r.id = fu.resource_id
        LEFT JOIN events e ON e.id = fu.event_id
        LEFT JOIN practice_groups g ON g.id = e.group_id
       WHERE fu.asked_at IS NOT NULL AND fu.asked_at::date BETWEEN ${f.from} AND ${f.to} AND ${state} AND ${seen}`.execute(db),
    sql<{ n: number }>`
      SELECT count(*)::int AS n FROM use_reports u
        LEFT JOIN resources r ON r.id = u.resource_id
        LEFT JOIN events e ON e.id = u.event_id
        LEFT JOIN practice_groups g ON g.id = e.group_id
        CROSS JOIN LATERAL (SELECT u.resource_id, u.event_id) fu
       WHERE u.source = 'unprompted' AND u.created_at::date BETWEEN ${f.from} AND ${f.to} AND ${state} AND ${seen}`.execute(db),
  ]);
  const row = funnel.rows[0]!;
  return {
    asked: row.asked,
    answered: row.answered,
    used: row.used,
    notUsed: row.not_used,
    notYet: row.not_yet,
    unprompted: unprompted.rows[0]!.n,
    responseRate: row.asked > 0 ? row.answered / row.asked : null,
  };
}
