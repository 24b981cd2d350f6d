import { Type, type Static } from '@sinclair/typebox';
import { sql } from 'kysely';
import type { Db } from '../platform/db/db.js';
import { type Actor, type UserActor } from '../platform/auth/actor.js';
import { authorize, can } from '../platform/auth/policy.js';
import { AppError, msg } from '../platform/http/errors.js';
import { audit, once } from '../platform/db/tx.js';
import { Enum, Line, OptionalText, clean } from '../platform/http/schema-helpers.js';
import { PERSPECTIVES } from '../community/vocab.js';
import { PERSON_COLUMNS, personSubject, type PersonRow } from '../community/queries.js';
import { getThread, threadSubject, type ThreadRow } from '../discussions/queries.js';
import { threadReadableBy } from '../discussions/policy.js';
import type { Stance } from '../platform/db/schema.js';
import { QUEUES, type Jobs } from '../platform/jobs/jobs.js';
import { createNotification, mayContact } from '../notifications/notify.js';
import { decisionOpen, type DecisionSubject } from './policy.js';

/**
 * Deciding together, inside a thread: a lead (in their group) or a
 * facilitator opens a poll (single or multiple choice) or a proposal (agree,
 * abstain, disagree, block, each with an optional reason; a block needs
 * one), with a closing time. Those who take part in the thread's space vote
 * once each and may change their vote until it closes. Results are broken
 * down by stakeholder perspective, with who has not weighed in, so the
 * partnership sees whether everyone was at the table. Closing records an
 * outcome, which can be posted to a shared-agenda item's progress updates.
 */

export const STANCES = ['agree', 'abstain', 'disagree', 'block'] as const satisfies readonly Stance[];
export const MAX_OPTIONS = 20;
/** In an anonymous decision, a perspective with fewer voters than this is not shown on its own (it could name them). */
export const SMALL_CELL = 3;

export const OpenDecisionInput = Type.Object({
  kind: Enum(['poll', 'proposal'] as const),
  title: Line(300),
  details: OptionalText(5000),
  /** A poll's choices, one per line (2 to 20). */
  options: OptionalText(4000),
  multiple: Type.Optional(Type.Boolean()),
  anonymous: Type.Optional(Type.Boolean()),
  closes_at: Type.String({ maxLength: 40, description: 'When voting ends: ISO 8601 with an offset (API), or the form’s local date and time' }),
});
export type OpenDecisionValue = Omit<Static<typeof OpenDecisionInput>, 'closes_at'> & { closes_at: Date };

export const VoteInput = Type.Object({
  /** A poll: the chosen option ids (one unless the poll allows several). */
  options: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 2 ** 53 }), { maxItems: MAX_OPTIONS })),
  /** A proposal: the stance. */
  stance: Type.Optional(Enum(STANCES)),
  reason: OptionalText(2000),
});

export const CloseInput = Type.Object({
  outcome: Type.String({ minLength: 1, maxLength: 5000, pattern: '[^\\s\\p{Cf}\\p{Cc}]', 'x-message': 'validation.visible' }),
  /** An agenda item (slug) whose progress updates record the outcome. */
  agenda_item: Type.Optional(Type.String({ maxLength: 120 })),
});

export interface DecisionRow {
  id: number;
  thread_id: number;
  kind: 'poll' | 'proposal';
  title: string;
  details: string;
  multiple: boolean;
  anonymous: boolean;
  closes_at: Date;
  closed_at: Date | null;
  outcome: string | null;
  agenda_item_id: number | null;
  agenda_slug: string | null;
  agenda_title: string | null;
  created_by: number | null;
  creator_name: string | null;
  created_at: Date;
  voters: number;
}

export interface Decision extends DecisionRow {
  thread: ThreadRow;
  options: { id: number; position: number; label: string }[];
}

export const decisionSubject = (d: Pick<Decision, 'thread' | 'created_by' | 'closes_at' | 'closed_at'>): DecisionSubject => ({ thread: threadSubject(d.thread), created_by: d.created_by, closes_at: d.closes_at, closed_at: d.closed_at });

const decisionSelect = (db: Db) =>
  db
    .selectFrom('decisions as d')
    .leftJoin('users as u', 'u.id', 'd.created_by')
    .leftJoin('agenda_items as a', 'a.id', 'd.agenda_item_id')
    .select([
      'd.id',
      'd.thread_id',
      'd.kind',
      'd.title',
      'd.details',
      'd.multiple',
      'd.anonymous',
      'd.closes_at',
      'd.closed_at',
      'd.outcome',
      'd.agenda_item_id',
      'a.slug as agenda_slug',
      'a.title as agenda_title',
      'd.created_by',
      'u.name as creator_name',
      'd.created_at',
      sql<number>`(SELECT count(*)::int FROM decision_votes v WHERE v.decision_id = d.id)`.as('voters'),
    ]);

export async function getDecision(db: Db, id: number): Promise<Decision | undefined> {
  const d = (await decisionSelect(db).where('d.id', '=', id).executeTakeFirst()) as DecisionRow | undefined;
  if (!d) return undefined;
  const thread = await getThread(db, d.thread_id);
  if (!thread) return undefined;
  const options = await db.selectFrom('decision_options').select(['id', 'position', 'label']).where('decision_id', '=', id).orderBy('position').execute();
  return { ...d, thread, options };
}

/** A decision the viewer may see, else 404. */
export async function getVisibleDecision(db: Db, viewer: Actor, id: number): Promise<Decision> {
  const d = await getDecision(db, id);
  if (!d) throw new AppError('not_found');
  authorize(viewer, 'decision.view', decisionSubject(d));
  return d;
}

/** A thread's decisions (the thread page asks only when its count says there are some); the caller checked the thread. */
export async function threadDecisions(db: Db, threadId: number): Promise<DecisionRow[]> {
  return (await decisionSelect(db).where('d.thread_id', '=', threadId).orderBy('d.created_at', 'desc').execute()) as DecisionRow[];
}

/** Open and recently closed decisions in threads the viewer may read (the /decisions list), open ones first. */
export async function listDecisions(db: Db, viewer: Actor, limit = 50): Promise<(DecisionRow & { thread_title: string; group_name: string | null })[]> {
  return (await decisionSelect(db)
    .innerJoin('threads as t', 't.id', 'd.thread_id')
    .leftJoin('practice_groups as g', 'g.id', 't.group_id')
    .select(['t.title as thread_title', 'g.name as group_name'])
    .where(threadReadableBy(viewer))
    .orderBy(sql`d.closed_at IS NULL AND d.closes_at > now()`, 'desc')
    .orderBy('d.closes_at', 'desc')
    .limit(limit)
    .execute()) as (DecisionRow & { thread_title: string; group_name: string | null })[];
}

// ---- commands ---------------------------------------------------------------------------------------

const fieldError = (field: string, key: string, params?: Record<string, unknown>) => new AppError('validation_failed', { fields: { [field]: msg(key, params) } });

/** Opens a poll or proposal in a thread (once per form). */
export async function openDecision({ db, jobs }: { db: Db; jobs: Jobs }, actor: Actor, thread: ThreadRow, input: OpenDecisionValue, idempotencyKey?: string, now = new Date()): Promise<{ id: number }> {
  authorize(actor, 'decision.open', threadSubject(thread));
  const user = actor as UserActor;
  const labels = input.kind === 'poll' ? [...new Set(clean(input.options).split('\n').map((l) => clean(l)).filter(Boolean))] : [];
  if (input.kind === 'poll' && (labels.length < 2 || labels.length > MAX_OPTIONS)) throw fieldError('options', 'decisions.options_count', { max: MAX_OPTIONS });
  if (labels.some((l) => l.length > 200 || /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u.test(l))) throw fieldError('options', 'decisions.option_too_long');
  if (input.closes_at.getTime() <= now.getTime() + 60_000) throw fieldError('closes_at', 'decisions.closes_in_past');
  if (input.closes_at.getTime() > now.getTime() + 366 * 86_400_000) throw fieldError('closes_at', 'decisions.closes_too_far');
  return once(db, user.id, idempotencyKey, async (tx) => {
    const row = await tx
      .insertInto('decisions')
      .values({
        thread_id: thread.id,
        kind: input.kind,
        title: clean(input.title),
        details: clean(input.details),
        multiple: input.kind === 'poll' && !!input.multiple,
        anonymous: !!input.anonymous,
        closes_at: input.closes_at,
        outcome: null,
        agenda_item_id: null,
        created_by: user.id,
        created_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (labels.length) await tx.insertInto('decision_options').values(labels.map((label, i) => ({ decision_id: row.id, position: i + 1, label }))).execute();
    await tx.updateTable('threads').set((eb) => ({ decision_count: eb('decision_count', '+', 1) })).where('id', '=', thread.id).execute();
    await audit(tx, user.id, 'decision.open', { type: 'decision', id: row.id }, { kind: input.kind, thread: thread.id });
    // Those who may weigh in are told (after the commit, by the job queue).
    await jobs.send(tx, QUEUES.decisionOpened, { id: row.id }, { key: `decision:${row.id}` });
    return { id: row.id };
  });
}

/**
 * Records or changes the actor's vote. The decision row is locked while
 * voting so a close cannot slip between the check and the write; one row per
 * person (the primary key), changed in place.
 */
export async function castVote(db: Db, actor: Actor, d: Decision, input: Static<typeof VoteInput>): Promise<void> {
  authorize(actor, 'decision.vote', decisionSubject(d));
  const user = actor as UserActor;
  const reason = clean(input.reason);
  let optionIds: number[] = [];
  let stance: Stance | null = null;
  if (d.kind === 'poll') {
    optionIds = [...new Set(input.options ?? [])];
    if (optionIds.length === 0) throw fieldError('options', 'decisions.choose_option');
    if (!d.multiple && optionIds.length > 1) throw fieldError('options', 'decisions.choose_one');
    const valid = new Set(d.options.map((o) => o.id));
    if (optionIds.some((id) => !valid.has(id))) throw fieldError('options', 'decisions.choose_option');
  } else {
    if (!input.stance) throw fieldError('stance', 'decisions.choose_stance');
    stance = input.stance;
    if (stance === 'block' && !reason) throw fieldError('reason', 'decisions.block_needs_reason');
  }
  await db.transaction().execute(async (tx) => {
    const current = await tx.selectFrom('decisions').select(['closes_at', 'closed_at']).where('id', '=', d.id).forShare().executeTakeFirst();
    if (!current) throw new AppError('not_found');
    if (!decisionOpen(current)) throw new AppError('conflict', { fields: { stance: msg('decisions.closed') } });
    const me = await tx.selectFrom('users').select('perspectives').where('id', '=', user.id).executeTakeFirstOrThrow();
    const now = new Date();
    await tx
      .insertInto('decision_votes')
      .values({ decision_id: d.id, user_id: user.id, option_ids: optionIds, stance, reason, perspectives: me.perspectives, created_at: now, updated_at: now })
      .onConflict((oc) => oc.columns(['decision_id', 'user_id']).doUpdateSet({ option_ids: optionIds, stance, reason, perspectives: me.perspectives, updated_at: now }))
      .execute();
  });
}

/** Closes a decision with its outcome; optionally posts the outcome to an agenda item's progress updates. */
export async function closeDecision(db: Db, actor: Actor, d: Decision, input: Static<typeof CloseInput>): Promise<void> {
  authorize(actor, 'decision.close', decisionSubject(d));
  const user = actor as UserActor;
  const outcome = clean(input.outcome);
  const item = input.agenda_item ? await db.selectFrom('agenda_items').select(['id', 'title']).where('slug', '=', input.agenda_item).executeTakeFirst() : undefined;
  if (input.agenda_item && !item) throw fieldError('agenda_item', 'validation.choose');
  await db.transaction().execute(async (tx) => {
    const now = new Date();
    const r = await tx.updateTable('decisions').set({ closed_at: now, outcome, agenda_item_id: item?.id ?? null }).where('id', '=', d.id).where('closed_at', 'is', null).executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) throw new AppError('conflict', { fields: { outcome: msg('decisions.already_closed') } });
    if (item) {
      const votes = await tx.selectFrom('decision_votes').select(sql<number>`count(*)::int`.as('n')).where('decision_id', '=', d.id).executeTakeFirstOrThrow();
      await tx.insertInto('agenda_updates').values({ item_id: item.id, author_id: user.id, body: `${d.title}\n\n${outcome}`, decision_id: d.id, created_at: now }).execute();
      await audit(tx, user.id, 'decision.outcome_to_agenda', { type: 'agenda_item', id: item.id }, { decision: d.id, votes: votes.n });
    }
    await audit(tx, user.id, 'decision.close', { type: 'decision', id: d.id });
  });
}

/**
 * Job: a poll or proposal was opened. Tells the people who may weigh in: the
 * active members of the thread's group, or (in the community space) those
 * watching or tracking the thread and those who wrote in it; never the
 * opener, nobody who muted the thread or group, and only those the opener
 * may contact (the youth contact rule). Safe to run twice: a notification is
 * made once per person and decision.
 */
export async function decisionOpened(deps: { db: Db; jobs: Jobs }, id: number): Promise<number> {
  const { db, jobs } = deps;
  const d = await getDecision(db, id);
  if (!d || d.thread.deleted_at || d.closed_at || !decisionOpen(d)) return 0;
  const th = d.thread;
  const candidates = th.group_id
    ? await db.selectFrom('group_memberships').select('user_id').where('group_id', '=', th.group_id).where('status', '=', 'active').execute()
    : await db
        .selectFrom('thread_watches')
        .select('user_id')
        .where('thread_id', '=', th.id)
        .where('level', 'in', ['watching', 'tracking'])
        .union(db.selectFrom('posts').select('author_id as user_id').where('thread_id', '=', th.id).where('deleted_at', 'is', null).where('author_id', 'is not', null).$narrowType<{ user_id: number }>())
        .execute();
  let ids = [...new Set(candidates.map((c) => c.user_id))].filter((u) => u !== d.created_by);
  if (ids.length === 0) return 0;
  const muted = await db.selectFrom('thread_watches').select(['user_id', 'level']).where('thread_id', '=', th.id).where('user_id', 'in', ids).execute();
  const threadLevel = new Map(muted.map((m) => [m.user_id, m.level]));
  const groupMuted = th.group_id ? new Set((await db.selectFrom('group_watches').select('user_id').where('group_id', '=', th.group_id).where('level', '=', 'muted').where('user_id', 'in', ids).execute()).map((r) => r.user_id)) : new Set<number>();
  ids = ids.filter((u) => threadLevel.get(u) !== 'muted' && !(groupMuted.has(u) && !threadLevel.has(u)));
  const active = new Set((await db.selectFrom('users').select('id').where('id', 'in', ids.length ? ids : [0]).where('deactivated_at', 'is', null).execute()).map((r) => r.id));
  ids = ids.filter((u) => active.has(u));
  const allowed = d.created_by === null ? undefined : await mayContact(db, d.created_by, ids);
  // Those already told (the job ran before) are found in one statement, not one each.
  const told = new Set(
    ids.length
      ? (await db.selectFrom('notifications').select('user_id').where('kind', '=', 'decision').where('thread_id', '=', th.id).where(sql<boolean>`(data->>'decision_id')::bigint = ${d.id}`).execute()).map((r) => r.user_id)
      : [],
  );
  let made = 0;
  for (const userId of ids) {
    if ((allowed && !allowed.has(userId)) || told.has(userId)) continue;
    const n = await db.transaction().execute((tx) => createNotification(tx, jobs, { user_id: userId, kind: 'decision', thread_id: th.id, post_id: null, actor_id: d.created_by, data: { decision_id: d.id, title: d.title } }, allowed));
    if (n) made++;
  }
  return made;
}

export function registerDecisionJobs(deps: { db: Db; jobs: Jobs }): void {
  deps.jobs.handle(QUEUES.decisionOpened, async (data) => {
    const id = Number(data.id);
    if (!Number.isSafeInteger(id) || id < 1) throw new Error('job data has no valid id');
    await decisionOpened(deps, id);
  });
}

// ---- results ----------------------------------------------------------------------------------------

export interface DecisionResults {
  /** Per option (polls) or stance (proposals): its key, label and votes. */
  choices: { key: string; label: string; votes: number }[];
  voters: number;
  /** Per perspective: voters, and votes per choice key; `suppressed` merges small perspectives in anonymous decisions. */
  byPerspective: { perspective: string; voters: number; choices: Record<string, number> }[];
  suppressed: number;
  /** People who may vote and have not, per perspective (those with none stated under "none"). */
  notYet: { perspective: string; people: number }[];
  notYetTotal: number;
  /** Named lists, when the decision is not anonymous and the viewer may see them. */
  votes: { name: string; youth: boolean; choice: string[]; reason: string; perspectives: string[] }[];
  /** Reasons without names (anonymous decisions). */
  reasons: { choice: string[]; reason: string; perspectives: string[] }[];
  waiting: { name: string; perspectives: string[] }[];
  /** The viewer's own vote. */
  mine: { option_ids: number[]; stance: Stance | null; reason: string } | null;
}

/** Who may vote: the thread's group's active members, or every active member of the community for the community space. */
function eligibleSql(d: Decision) {
  return d.thread.group_id
    ? sql`SELECT u.id, u.perspectives FROM users u JOIN group_memberships m ON m.user_id = u.id AND m.group_id = ${d.thread.group_id} AND m.status = 'active'
           WHERE u.deactivated_at IS NULL AND NOT u.hidden`
    : sql`SELECT u.id, u.perspectives FROM users u WHERE u.deactivated_at IS NULL AND NOT u.hidden AND u.email_verified_at IS NOT NULL`;
}

export async function decisionResults(db: Db, viewer: Actor, d: Decision, labelOf: (key: string) => string): Promise<DecisionResults> {
  const [votes, notYet, mine, notYetTotal] = await Promise.all([
    db
      .selectFrom('decision_votes as v')
      .innerJoin('users as u', 'u.id', 'v.user_id')
      .select([sql<number[]>`v.option_ids::float8[]`.as('option_ids'), 'v.stance', 'v.reason', 'v.perspectives as vote_perspectives', 'v.updated_at', ...PERSON_COLUMNS.map((c) => `u.${c}` as const)])
      .where('v.decision_id', '=', d.id)
      .orderBy('v.updated_at')
      .execute(),
    sql<{ perspective: string; people: number }>`
      SELECT coalesce(p, 'none') AS perspective, count(DISTINCT e.id)::int AS people
        FROM (${eligibleSql(d)}) e LEFT JOIN LATERAL unnest(CASE WHEN cardinality(e.perspectives) = 0 THEN ARRAY[NULL::text] ELSE e.perspectives END) p ON true
       WHERE NOT EXISTS (SELECT 1 FROM decision_votes v WHERE v.decision_id = ${d.id} AND v.user_id = e.id)
       GROUP BY 1 ORDER BY 2 DESC`.execute(db),
    viewer.kind === 'user' ? db.selectFrom('decision_votes').select([sql<number[]>`option_ids::float8[]`.as('option_ids'), 'stance', 'reason']).where('decision_id', '=', d.id).where('user_id', '=', viewer.id).executeTakeFirst() : Promise.resolve(undefined),
    // People, not perspective rows: a person with several perspectives is one person here.
    sql<{ n: number }>`SELECT count(*)::int AS n FROM (${eligibleSql(d)}) e WHERE NOT EXISTS (SELECT 1 FROM decision_votes v WHERE v.decision_id = ${d.id} AND v.user_id = e.id)`.execute(db).then((r) => r.rows[0]!.n),
  ]);
  const keysOf = (v: { option_ids: number[]; stance: Stance | null }) => (d.kind === 'poll' ? v.option_ids.map((id) => `o${id}`) : [v.stance!]);
  const choiceList = d.kind === 'poll' ? d.options.map((o) => ({ key: `o${o.id}`, label: o.label })) : STANCES.map((s) => ({ key: s, label: labelOf(s) }));
  const labels = new Map(choiceList.map((c) => [c.key, c.label]));
  const counts = new Map<string, number>(choiceList.map((c) => [c.key, 0]));
  const per = new Map<string, { voters: number; choices: Record<string, number> }>();
  for (const v of votes) {
    const keys = keysOf(v as { option_ids: number[]; stance: Stance | null });
    for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
    for (const p of v.vote_perspectives.length ? v.vote_perspectives : ['none']) {
      const e = per.get(p) ?? { voters: 0, choices: {} };
      e.voters++;
      for (const k of keys) e.choices[k] = (e.choices[k] ?? 0) + 1;
      per.set(p, e);
    }
  }
  const order = [...PERSPECTIVES, 'none'];
  let byPerspective = [...per.entries()].map(([perspective, e]) => ({ perspective, ...e })).sort((a, b) => order.indexOf(a.perspective) - order.indexOf(b.perspective));
  let suppressed = 0;
  if (d.anonymous) {
    suppressed = byPerspective.filter((p) => p.voters < SMALL_CELL).length;
    byPerspective = byPerspective.filter((p) => p.voters >= SMALL_CELL);
  }
  // Names: never in an anonymous decision; youth members only to those who may list them; hidden people never.
  const listable = (p: PersonRow) => can(viewer, 'person.view', personSubject(p)) && !p.hidden && !p.deactivated_at;
  const named = !d.anonymous;
  const showPerspectives = (p: PersonRow) => can(viewer, 'person.view_field', { person: personSubject(p), field: 'perspectives' });
  const choiceLabels = (v: { option_ids: number[]; stance: Stance | null }) => keysOf(v).map((k) => labels.get(k) ?? k);
  const voteRows = votes as unknown as (PersonRow & { option_ids: number[]; stance: Stance | null; reason: string; vote_perspectives: string[] })[];
  let waiting: DecisionResults['waiting'] = [];
  // Names of those who have not weighed in: in a group (its members); the community space's everyone is counted, not listed.
  if (named && viewer.kind === 'user' && d.thread.group_id !== null) {
    const rows = await sql<PersonRow>`SELECT ${sql.join(PERSON_COLUMNS.map((c) => sql.ref(`u.${c}`)))} FROM users u
       WHERE u.id IN (SELECT e.id FROM (${eligibleSql(d)}) e)
         AND NOT EXISTS (SELECT 1 FROM decision_votes v WHERE v.decision_id = ${d.id} AND v.user_id = u.id)
       ORDER BY u.name LIMIT 200`.execute(db);
    waiting = rows.rows.filter(listable).map((p) => ({ name: p.name, perspectives: showPerspectives(p) ? p.perspectives : [] }));
  }
  return {
    choices: choiceList.map((c) => ({ ...c, votes: counts.get(c.key) ?? 0 })),
    voters: votes.length,
    byPerspective,
    suppressed,
    notYet: notYet.rows,
    notYetTotal,
    votes: named ? voteRows.filter(listable).map((v) => ({ name: v.name, youth: v.is_youth, choice: choiceLabels(v), reason: v.reason, perspectives: showPerspectives(v) ? v.vote_perspectives : [] })) : [],
    reasons: named ? [] : voteRows.filter((v) => v.reason).map((v) => ({ choice: choiceLabels(v), reason: v.reason, perspectives: [] })),
    waiting,
    mine: mine ? { option_ids: mine.option_ids.map(Number), stance: mine.stance, reason: mine.reason } : null,
  };
}
