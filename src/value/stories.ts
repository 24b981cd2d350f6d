import { Type, type Static } from '@sinclair/typebox';
import { sql } from 'kysely';
import type { Db, Tx } from '../platform/db/db.js';
import type { Config } from '../platform/config.js';
import type { Mailer } from '../platform/mail/mailer.js';
import { QUEUES, type Jobs } from '../platform/jobs/jobs.js';
import { mailTo } from '../platform/mail/templates.js';
import type { Actor, UserActor } from '../platform/auth/actor.js';
import { authorize, can } from '../platform/auth/policy.js';
import { AppError, msg } from '../platform/http/errors.js';
import { hit } from '../platform/auth/rate-limit.js';
import { audit, once } from '../platform/db/tx.js';
import { Enum, EnumList, Line, OptionalText, RequiredText, clean } from '../platform/http/schema-helpers.js';
import { PERSPECTIVES } from '../community/vocab.js';
import { privacyCheck } from '../trust/privacy-guard.js';
import { threadReadableBy } from '../discussions/policy.js';
import { resourceReadableBy } from '../resources/policy.js';
import { eventReadableBy } from '../events/policy.js';
import { getThread, threadSubject } from '../discussions/queries.js';
import { getResourceById } from '../resources/queries.js';
import { getEvent, eventSubject } from '../events/queries.js';
import type { GroupSubject } from '../groups/policy.js';
import type { StoryAudience, StoryLinkKind, ValueCycle } from '../platform/db/schema.js';
import { storyReadableBy, type StorySubject } from './policy.js';

/**
 * Value-creation stories (Wenger, Trayner and de Laat's cycles): a member
 * tells what an activity of the community led to, tags the cycles it shows,
 * links the threads, resources, convenings and agenda items involved, and
 * names the perspectives of the people in it. Inside its group a story is
 * read at once; beyond the group only after a facilitator approved it, and
 * only as far as its author allows (members, or everyone).
 */

export const CYCLES = ['immediate', 'potential', 'applied', 'realized', 'reframing'] as const satisfies readonly ValueCycle[];
export const AUDIENCES = ['group', 'members', 'public'] as const satisfies readonly StoryAudience[];
const LANGUAGES = ['en', 'es'] as const;

export const StoryInput = Type.Object({
  title: Line(200),
  body: RequiredText(10_000),
  language: Type.Optional(Enum(LANGUAGES)),
  group: Type.Optional(Type.String({ maxLength: 100, description: 'The practice group it belongs to (slug); empty for the whole community' })),
  cycles: EnumList(CYCLES),
  perspectives: Type.Optional(EnumList(PERSPECTIVES)),
  audience: Enum(AUDIENCES),
  links: OptionalText(4000),
  acknowledge_privacy: Type.Optional(Type.Boolean()),
});
export type StoryInputValue = Static<typeof StoryInput>;

export const ReviewInput = Type.Object({ decision: Enum(['approved', 'returned'] as const), note: OptionalText(2000) });

export interface StoryRow {
  id: number;
  author_id: number | null;
  author_name: string | null;
  author_youth: boolean;
  group_id: number | null;
  group_slug: string | null;
  group_name: string | null;
  group_visibility: 'public' | 'members' | 'private' | null;
  group_join_policy: 'open' | 'request' | 'invite' | null;
  group_archived_at: Date | null;
  title: string;
  body: string;
  language: string;
  cycles: ValueCycle[];
  perspectives: string[];
  audience: StoryAudience;
  status: 'pending' | 'approved' | 'returned';
  review_note: string;
  reviewed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const storySelect = (db: Db | Tx) =>
  db
    .selectFrom('value_stories as s')
    .leftJoin('users as u', 'u.id', 's.author_id')
    .leftJoin('practice_groups as g', 'g.id', 's.group_id')
    .select([
      's.id',
      's.author_id',
      'u.name as author_name',
      sql<boolean>`coalesce(u.is_youth, false)`.as('author_youth'),
      's.group_id',
      'g.slug as group_slug',
      'g.name as group_name',
      'g.visibility as group_visibility',
      'g.join_policy as group_join_policy',
      'g.archived_at as group_archived_at',
      's.title',
      's.body',
      's.language',
      's.cycles',
      's.perspectives',
      's.audience',
      's.status',
      's.review_note',
      's.reviewed_at',
      's.created_at',
      's.updated_at',
    ]);

export function storySubject(s: Pick<StoryRow, 'author_id' | 'group_id' | 'group_visibility' | 'group_join_policy' | 'group_archived_at' | 'audience' | 'status'>): StorySubject {
  const group: GroupSubject | null = s.group_id ? { id: s.group_id, visibility: s.group_visibility!, join_policy: s.group_join_policy!, archived_at: s.group_archived_at } : null;
  return { author_id: s.author_id, group, audience: s.audience, status: s.status };
}

export async function getStory(db: Db | Tx, id: number): Promise<StoryRow | undefined> {
  return (await storySelect(db).where('s.id', '=', id).executeTakeFirst()) as StoryRow | undefined;
}

/**
 * A story as the viewer may see it: a story shared beyond a group the viewer
 * cannot see (a private group's) does not name that group.
 */
function asSeenBy(viewer: Actor, s: StoryRow): StoryRow {
  const subject = storySubject(s);
  if (!subject.group || can(viewer, 'group.view', subject.group)) return s;
  return { ...s, group_slug: null, group_name: null };
}

/** A story the viewer may read, else 404. */
export async function getVisibleStory(db: Db, viewer: Actor, id: number): Promise<StoryRow> {
  const s = await getStory(db, id);
  if (!s) throw new AppError('not_found');
  authorize(viewer, 'story.view', storySubject(s));
  return asSeenBy(viewer, s);
}

/** Stories the viewer may read: the community's, one group's, or those linked to one thing; newest first. */
export async function listStories(db: Db, viewer: Actor, opts: { groupId?: number; cycle?: ValueCycle; linked?: { kind: StoryLinkKind; id: number }; status?: 'pending'; limit?: number; offset?: number } = {}): Promise<{ stories: StoryRow[]; more: boolean }> {
  const limit = opts.limit ?? 30;
  let q = storySelect(db).where(storyReadableBy(viewer));
  if (opts.groupId) q = q.where('s.group_id', '=', opts.groupId);
  if (opts.cycle) q = q.where(sql<boolean>`${opts.cycle} = ANY(s.cycles)`);
  if (opts.linked) q = q.where(({ exists, selectFrom }) => exists(selectFrom('value_story_links as l').select('l.story_id').whereRef('l.story_id', '=', 's.id').where('l.kind', '=', opts.linked!.kind).where('l.target_id', '=', opts.linked!.id)));
  if (opts.status === 'pending') q = q.where('s.status', '=', 'pending').where('s.audience', '<>', 'group');
  const rows = (await q.orderBy('s.created_at', 'desc').orderBy('s.id', 'desc').limit(limit + 1).offset(opts.offset ?? 0).execute()) as StoryRow[];
  return { stories: rows.slice(0, limit).map((s) => asSeenBy(viewer, s)), more: rows.length > limit };
}

/** How many stories the viewer may read show each cycle (one group's, or the community's). */
export async function cycleCounts(db: Db, viewer: Actor, groupId?: number): Promise<Record<ValueCycle, number>> {
  const rows = await sql<{ cycle: ValueCycle; n: number }>`
    SELECT c AS cycle, count(*)::int AS n FROM value_stories s LEFT JOIN practice_groups g ON g.id = s.group_id, unnest(s.cycles) c
     WHERE ${storyReadableBy(viewer)} ${groupId ? sql`AND s.group_id = ${groupId}` : sql``}
     GROUP BY c`.execute(db);
  const out = Object.fromEntries(CYCLES.map((c) => [c, 0])) as Record<ValueCycle, number>;
  for (const r of rows.rows) out[r.cycle] = r.n;
  return out;
}

// ---- links -----------------------------------------------------------------------------------------

export interface StoryLink {
  kind: StoryLinkKind;
  id: number;
  title: string;
  href: string;
}

/** Addresses of things in this community, one per line or separated by spaces: `/threads/12`, `https://…/resources/a-guide`, `/events/4`, `/agenda/an-item`. */
export function parseLinks(text: string): { found: { kind: StoryLinkKind; key: string }[]; bad: string[] } {
  const found: { kind: StoryLinkKind; key: string }[] = [];
  const bad: string[] = [];
  for (const token of clean(text).split(/[\s,]+/).filter(Boolean).slice(0, 40)) {
    let path = token;
    try {
      path = new URL(token, 'http://x.invalid').pathname;
    } catch {
      bad.push(token);
      continue;
    }
    const m = /^\/(threads|resources|events|agenda)\/([A-Za-z0-9-]{1,120})\/?$/.exec(path);
    if (!m) {
      bad.push(token);
      continue;
    }
    const kind = ({ threads: 'thread', resources: 'resource', events: 'event', agenda: 'agenda_item' } as const)[m[1] as 'threads'];
    if ((kind === 'thread' || kind === 'event') && !/^\d{1,15}$/.test(m[2]!)) {
      bad.push(token);
      continue;
    }
    if (!found.some((f) => f.kind === kind && f.key === m[2])) found.push({ kind, key: m[2]! });
  }
  return { found, bad };
}

/** Resolves addresses to things the author may see; anything else is a field error naming it. */
async function resolveLinks(db: Db, author: Actor, text: string): Promise<{ kind: StoryLinkKind; id: number }[]> {
  const { found, bad } = parseLinks(text);
  const out: { kind: StoryLinkKind; id: number }[] = [];
  for (const f of found) {
    let id: number | undefined;
    if (f.kind === 'thread') {
      const th = await getThread(db, Number(f.key));
      if (th && can(author, 'thread.view', threadSubject(th)) && !th.deleted_at) id = th.id;
    } else if (f.kind === 'resource') {
      const r = await db.selectFrom('resources').select('id').where('slug', '=', f.key).executeTakeFirst();
      const full = r && (await getResourceById(db, r.id));
      if (full && !full.deleted_at && can(author, 'resource.view', full)) id = full.id;
    } else if (f.kind === 'event') {
      const e = await getEvent(db, Number(f.key));
      if (e && can(author, 'event.view', eventSubject(e))) id = e.id;
    } else {
      id = (await db.selectFrom('agenda_items').select('id').where('slug', '=', f.key).executeTakeFirst())?.id;
    }
    if (id === undefined) bad.push(f.key);
    else out.push({ kind: f.kind, id });
  }
  if (bad.length) throw new AppError('validation_failed', { fields: { links: msg('stories.bad_links', { links: bad.slice(0, 5).join(', ') }) } });
  return out;
}

/** The story's links the viewer may open, with their titles. */
export async function storyLinks(db: Db, viewer: Actor, storyId: number): Promise<StoryLink[]> {
  const [threads, resources, events, items] = await Promise.all([
    sql<{ id: number; title: string }>`SELECT t.id, t.title FROM value_story_links l JOIN threads t ON t.id = l.target_id LEFT JOIN practice_groups g ON g.id = t.group_id
      WHERE l.story_id = ${storyId} AND l.kind = 'thread' AND t.deleted_at IS NULL AND ${threadReadableBy(viewer)} ORDER BY t.title`.execute(db),
    sql<{ id: number; slug: string; title: string }>`SELECT r.id, r.slug, r.title FROM value_story_links l JOIN resources r ON r.id = l.target_id
      WHERE l.story_id = ${storyId} AND l.kind = 'resource' AND r.deleted_at IS NULL AND ${resourceReadableBy(viewer)} ORDER BY r.title`.execute(db),
    sql<{ id: number; title: string }>`SELECT e.id, e.title FROM value_story_links l JOIN events e ON e.id = l.target_id LEFT JOIN practice_groups g ON g.id = e.group_id
      WHERE l.story_id = ${storyId} AND l.kind = 'event' AND ${eventReadableBy(viewer)} ORDER BY e.starts_at`.execute(db),
    sql<{ id: number; slug: string; title: string }>`SELECT a.id, a.slug, a.title FROM value_story_links l JOIN agenda_items a ON a.id = l.target_id
      WHERE l.story_id = ${storyId} AND l.kind = 'agenda_item' ORDER BY a.title`.execute(db),
  ]);
  return [
    ...threads.rows.map((r) => ({ kind: 'thread' as const, id: r.id, title: r.title, href: `/threads/${r.id}` })),
    ...resources.rows.map((r) => ({ kind: 'resource' as const, id: r.id, title: r.title, href: `/resources/${r.slug}` })),
    ...events.rows.map((r) => ({ kind: 'event' as const, id: r.id, title: r.title, href: `/events/${r.id}` })),
    ...items.rows.map((r) => ({ kind: 'agenda_item' as const, id: r.id, title: r.title, href: `/agenda/${r.slug}` })),
  ];
}

/** The addresses of a story's links as its edit form shows them (all of them: the author chose them). */
export async function linkAddresses(db: Db, storyId: number): Promise<string> {
  const rows = await sql<{ kind: StoryLinkKind; key: string }>`
    SELECT l.kind, CASE l.kind WHEN 'resource' THEN (SELECT slug FROM resources WHERE id = l.target_id)
                               WHEN 'agenda_item' THEN (SELECT slug FROM agenda_items WHERE id = l.target_id)
                               ELSE l.target_id::text END AS key
      FROM value_story_links l WHERE l.story_id = ${storyId} ORDER BY l.kind, l.target_id`.execute(db);
  const base = { thread: '/threads/', resource: '/resources/', event: '/events/', agenda_item: '/agenda/' } as const;
  return rows.rows.filter((r) => r.key).map((r) => `${base[r.kind]}${r.key}`).join('\n');
}

// ---- telling, editing, reviewing ------------------------------------------------------------------

async function groupFor(db: Db, slug: string | undefined) {
  if (!slug) return null;
  const g = await db.selectFrom('practice_groups').select(['id', 'visibility', 'join_policy', 'archived_at']).where('slug', '=', slug).executeTakeFirst();
  if (!g) throw new AppError('validation_failed', { fields: { group: msg('validation.choose') } });
  return g;
}

function checkShape(input: StoryInputValue, group: { id: number } | null) {
  if (input.cycles.length === 0) throw new AppError('validation_failed', { fields: { cycles: msg('stories.cycles_required') } });
  if (input.audience === 'group' && !group) throw new AppError('validation_failed', { fields: { audience: msg('stories.group_audience_needs_group') } });
}

/** Tells a story (once per form: a double submit gives the first story). */
export async function createStory(db: Db, actor: Actor, input: StoryInputValue, idempotencyKey?: string): Promise<{ id: number }> {
  const group = await groupFor(db, input.group);
  if (group && actor.kind === 'user' && !can(actor, 'group.view', group)) throw new AppError('validation_failed', { fields: { group: msg('validation.choose') } });
  authorize(actor, 'story.create', { group });
  const user = actor as UserActor;
  checkShape(input, group);
  privacyCheck(input.acknowledge_privacy, input.title, input.body);
  const links = await resolveLinks(db, actor, input.links ?? '');
  await hit(db, `story:${user.id}`, { max: 20, windowSeconds: 3600 });
  return once(db, user.id, idempotencyKey, async (tx) => {
    const now = new Date();
    const row = await tx
      .insertInto('value_stories')
      .values({
        author_id: user.id,
        group_id: group?.id ?? null,
        title: clean(input.title),
        body: clean(input.body),
        language: input.language ?? (user.locale.startsWith('es') ? 'es' : 'en'),
        cycles: input.cycles,
        perspectives: input.perspectives ?? [],
        audience: input.audience,
        reviewed_by: null,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (links.length) await tx.insertInto('value_story_links').values(links.map((l) => ({ story_id: row.id, kind: l.kind, target_id: l.id }))).execute();
    return { id: row.id };
  });
}

/**
 * Edits a story. A change to what it says or to who may see it sends it back
 * for review when it reaches beyond its group (an approval covers the text
 * and the audience that were approved).
 */
export async function updateStory(db: Db, actor: Actor, story: StoryRow, input: StoryInputValue): Promise<void> {
  authorize(actor, 'story.edit', storySubject(story));
  const group = await groupFor(db, input.group);
  if (group && group.id !== story.group_id && !can(actor, 'story.create', { group })) throw new AppError('validation_failed', { fields: { group: msg('validation.choose') } });
  checkShape(input, group);
  privacyCheck(input.acknowledge_privacy, input.title, input.body);
  const links = await resolveLinks(db, actor, input.links ?? '');
  const title = clean(input.title);
  const body = clean(input.body);
  const changed = title !== story.title || body !== story.body || input.audience !== story.audience || (group?.id ?? null) !== story.group_id;
  await db.transaction().execute(async (tx) => {
    await tx
      .updateTable('value_stories')
      .set({
        title,
        body,
        language: input.language ?? story.language,
        group_id: group?.id ?? null,
        cycles: input.cycles,
        perspectives: input.perspectives ?? [],
        audience: input.audience,
        updated_at: new Date(),
        // A facilitator's own edit keeps the approval; anyone else's change is reviewed again.
        ...(changed && !can(actor, 'story.review', undefined) ? { status: 'pending' as const, reviewed_at: null, reviewed_by: null } : {}),
      })
      .where('id', '=', story.id)
      .execute();
    await tx.deleteFrom('value_story_links').where('story_id', '=', story.id).execute();
    if (links.length) await tx.insertInto('value_story_links').values(links.map((l) => ({ story_id: story.id, kind: l.kind, target_id: l.id }))).execute();
    if (actor.kind === 'user' && actor.id !== story.author_id) await audit(tx, actor.id, 'story.edit', { type: 'value_story', id: story.id });
  });
}

export async function deleteStory(db: Db, actor: Actor, story: StoryRow): Promise<void> {
  authorize(actor, 'story.edit', storySubject(story));
  await db.transaction().execute(async (tx) => {
    await tx.deleteFrom('value_stories').where('id', '=', story.id).execute();
    if (actor.kind === 'user' && actor.id !== story.author_id) await audit(tx, actor.id, 'story.delete', { type: 'value_story', id: story.id });
  });
}

/** A facilitator approves a story to be shared with its chosen audience, or returns it with a note; its author is told by email. */
export async function reviewStory({ db, jobs }: { db: Db; jobs: Jobs }, actor: Actor, story: StoryRow, input: Static<typeof ReviewInput>): Promise<void> {
  authorize(actor, 'story.review', undefined);
  if (story.audience === 'group') throw new AppError('conflict', { fields: { decision: msg('stories.group_only_no_review') } });
  if (input.decision === 'returned' && !clean(input.note)) throw new AppError('validation_failed', { fields: { note: msg('stories.return_needs_note') } });
  await db.transaction().execute(async (tx) => {
    await tx.updateTable('value_stories').set({ status: input.decision, review_note: clean(input.note), reviewed_by: actor.id, reviewed_at: new Date() }).where('id', '=', story.id).execute();
    await audit(tx, actor.id, 'story.review', { type: 'value_story', id: story.id }, { decision: input.decision });
    if (story.author_id && story.author_id !== actor.id) await jobs.send(tx, QUEUES.storyReviewed, { id: story.id }, { key: `story-reviewed:${story.id}:${Date.now()}` });
  });
}

/** Job: tells a story's author how the review went (the story as it is now; nothing if it changed since or mail is off). */
export async function emailStoryReview(deps: { db: Db; mailer: Mailer; config: Config }, id: number): Promise<'sent' | 'skipped'> {
  const s = await deps.db
    .selectFrom('value_stories as s')
    .innerJoin('users as u', 'u.id', 's.author_id')
    .select(['s.id', 's.title', 's.status', 's.review_note', 'u.email', 'u.name', 'u.locale', 'u.email_notifications', 'u.email_verified_at', 'u.deactivated_at'])
    .where('s.id', '=', id)
    .executeTakeFirst();
  if (!s || s.status === 'pending' || s.deactivated_at || !s.email_verified_at || s.email_notifications === 'off') return 'skipped';
  const mail = mailTo(s, (t) => ({
    subject: t(`stories.mail.subject_${s.status}`, { title: s.title }),
    paragraphs: [t(`stories.mail.${s.status}`, { title: s.title }), ...(s.review_note ? [t('stories.review_note', { note: s.review_note })] : [])],
    action: { label: t('stories.mail.open'), url: `${deps.config.baseUrl}/stories/${s.id}` },
  }));
  await deps.mailer.send(mail);
  return 'sent';
}

export function registerStoryJobs(deps: { db: Db; jobs: Jobs; mailer: Mailer; config: Config }): void {
  deps.jobs.handle(QUEUES.storyReviewed, async (data) => {
    const id = Number(data.id);
    if (!Number.isSafeInteger(id) || id < 1) throw new Error('job data has no valid id');
    await emailStoryReview(deps, id);
  });
}
