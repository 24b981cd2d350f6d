import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { PREPARED, type Db } from '../platform/db/db.js';
import { shapedStatement, type Buildable } from '../platform/db/per-person.js';
import { ANONYMOUS, type Actor } from '../platform/auth/actor.js';
import { threadReadableBy, type PostSubject, type ThreadSubject } from './policy.js';
import { AppError } from '../platform/http/errors.js';
import { authorize, can } from '../platform/auth/policy.js';
import type { GroupSubject } from '../groups/policy.js';
import { RENDER_VERSION, renderMarkdown } from './markdown.js';
import type { WatchLevel } from '../platform/db/schema.js';
import { inOrder, type ReactionCounts, type ReactionKind } from './reactions.js';
import type { AttachmentView } from './attachments.js';

export const PAGE_SIZE = 25;

export interface ThreadRow {
  id: number;
  group_id: number | null;
  author_id: number | null;
  author_name: string | null;
  title: string;
  language: string;
  pinned: boolean;
  locked: boolean;
  closed: boolean;
  reply_count: number;
  /** Polls and proposals opened in it. */
  decision_count: number;
  /** Members' translations of this thread's posts (the page asks for them only when there are some). */
  translation_count: number;
  created_at: Date;
  edited_at: Date | null;
  last_activity_at: Date;
  deleted_at: Date | null;
  group_slug: string | null;
  group_name: string | null;
  group_visibility: 'public' | 'members' | 'private' | null;
  group_join_policy: 'open' | 'request' | 'invite' | null;
  group_archived_at: Date | null;
  group_led_by: 'family' | 'youth' | 'none' | null;
  kind: 'discussion' | 'dialogue_guide';
  source_title: string | null;
  source_url: string | null;
  summary_common_ground: string | null;
  summary_actions: string | null;
  summary_at: Date | null;
  summary_by_name: string | null;
}

/** The times of a thread row, turned back into dates when the rows come as JSON (`json_agg`). */
const THREAD_TIMES = ['created_at', 'edited_at', 'last_activity_at', 'deleted_at', 'summary_at', 'group_archived_at'] as const;

/** Thread rows aggregated as JSON by the database (several lists in one statement), as `threadSelect` gives them. */
export function threadsFromJson<T extends ThreadRow>(rows: unknown[]): T[] {
  return rows.map((raw) => {
    const r = raw as Record<string, unknown>;
    for (const k of THREAD_TIMES) if (typeof r[k] === 'string') r[k] = new Date(r[k] as string);
    return r as unknown as T;
  });
}

export function threadSelect(db: Db) {
  return db
    .selectFrom('threads as t')
    .leftJoin('practice_groups as g', 'g.id', 't.group_id')
    .leftJoin('users as u', 'u.id', 't.author_id')
    .leftJoin('users as su', 'su.id', 't.summary_by')
    .select([
      't.kind',
      't.source_title',
      't.source_url',
      't.summary_common_ground',
      't.summary_actions',
      't.summary_at',
      'su.name as summary_by_name',
      't.id',
      't.group_id',
      't.author_id',
      'u.name as author_name',
      't.title',
      't.language',
      't.pinned',
      't.locked',
      't.closed',
      't.reply_count',
      't.decision_count',
      't.translation_count',
      't.created_at',
      't.edited_at',
      't.last_activity_at',
      't.deleted_at',
      'g.slug as group_slug',
      'g.name as group_name',
      'g.visibility as group_visibility',
      'g.join_policy as group_join_policy',
      'g.archived_at as group_archived_at',
      'g.led_by as group_led_by',
    ]);
}

/** The policy's view of a thread row. */
export function threadSubject(t: ThreadRow): ThreadSubject {
  return {
    group: t.group_id === null ? null : { id: t.group_id, visibility: t.group_visibility!, join_policy: t.group_join_policy!, archived_at: t.group_archived_at },
    locked: t.locked,
    closed: t.closed,
    deleted_at: t.deleted_at,
  };
}

/** What the post policy looks at: the post's author and state, in its thread. */
export function postSubject(post: { author_id: number | null; deleted_at: Date | null }, thread: ThreadRow): PostSubject {
  return { author_id: post.author_id, thread: threadSubject(thread), deleted_at: post.deleted_at };
}

export async function getThread(db: Db, id: number): Promise<ThreadRow | undefined> {
  return (await threadSelect(db).where('t.id', '=', id).modifyEnd(PREPARED).executeTakeFirst()) as ThreadRow | undefined;
}

/** What the thread page needs to know about its viewer, read with the thread. */
export interface ThreadViewerState {
  /** Threads the viewer may read whose posts link here (newest first, at most 20). */
  linkedFrom: { id: number; title: string }[];
  ownWatch: WatchLevel | null;
  groupWatch: WatchLevel | null;
  readAt: Date | null;
  unreadNotifications: boolean;
  /** The viewer's reactions to the thread's posts: [post id, kind]. */
  reactions: [number, ReactionKind][];
  /** The thread's posts the viewer bookmarked. */
  bookmarks: number[];
}

/** The state of a viewer with nothing recorded (a visitor, or a thread that went away). */
export const NO_VIEWER_STATE: ThreadViewerState = { linkedFrom: [], ownWatch: null, groupWatch: null, readAt: null, unreadNotifications: false, reactions: [], bookmarks: [] };

type ThreadForViewerRow = ThreadRow & { linked_from: [number, string][]; own_watch: WatchLevel | null; group_watch: WatchLevel | null; read_at: Date | null; unread_notifications: boolean; reacted: [number, ReactionKind][]; bookmarked: number[] };

/** The thread page's statement, its text built once per class of viewer (`shapedStatement`): the thread and the viewer are its parameters. */
export const threadForViewer = shapedStatement<ThreadForViewerRow, [number]>((db, viewer, id) => {
  const uid = viewer.kind === 'user' ? viewer.id : 0;
  // threadReadableBy names the linking thread t and its group g: inside the subquery they are its own.
  const linked = sql<[number, string][]>`(SELECT coalesce(json_agg(json_build_array(x.id, x.title) ORDER BY x.id DESC), '[]'::json) FROM (
      SELECT DISTINCT t.id, t.title FROM thread_links l JOIN posts p ON p.id = l.from_post_id JOIN threads t ON t.id = p.thread_id
        LEFT JOIN practice_groups g ON g.id = t.group_id
       WHERE l.to_thread_id = ${id} AND t.id <> ${id} AND p.deleted_at IS NULL AND p.hidden_at IS NULL AND ${threadReadableBy(viewer)}
       ORDER BY t.id DESC LIMIT 20) x)`;
  return threadSelect(db)
    .select([
      linked.as('linked_from'),
      sql<WatchLevel | null>`(SELECT w.level FROM thread_watches w WHERE w.user_id = ${uid} AND w.thread_id = t.id)`.as('own_watch'),
      sql<WatchLevel | null>`(SELECT w.level FROM group_watches w WHERE w.user_id = ${uid} AND w.group_id = t.group_id)`.as('group_watch'),
      sql<Date | null>`(SELECT r.read_at FROM thread_reads r WHERE r.user_id = ${uid} AND r.thread_id = t.id)`.as('read_at'),
      sql<boolean>`EXISTS (SELECT 1 FROM notifications n WHERE n.user_id = ${uid} AND n.thread_id = t.id AND n.read_at IS NULL)`.as('unread_notifications'),
      // The viewer's reactions here, so the thread's posts can be the same rows for everyone.
      (viewer.kind === 'user'
        ? sql<[number, ReactionKind][]>`(SELECT coalesce(json_agg(json_build_array(pr.post_id, pr.kind)), '[]'::json) FROM posts rp JOIN post_reactions pr ON pr.post_id = rp.id AND pr.user_id = ${uid} WHERE rp.thread_id = t.id)`
        : sql<[number, ReactionKind][]>`'[]'::json`
      ).as('reacted'),
      (viewer.kind === 'user'
        ? sql<number[]>`(SELECT coalesce(json_agg(b.post_id), '[]'::json) FROM bookmarks b JOIN posts bp ON bp.id = b.post_id AND bp.thread_id = t.id WHERE b.user_id = ${uid})`
        : sql<number[]>`'[]'::json`
      ).as('bookmarked'),
    ])
    .where('t.id', '=', id)
    .modifyEnd(PREPARED) as unknown as Buildable<ThreadForViewerRow>;
});

/**
 * A thread with its viewer's state (watch levels, read mark, unread
 * notifications, the readable threads linking to it) in one statement: the
 * thread page's busiest path. The caller still authorizes the thread.
 */
export async function getThreadForViewer(db: Db, id: number, viewer: Actor): Promise<{ thread: ThreadRow; state: ThreadViewerState } | undefined> {
  const row = (await threadForViewer.execute(db, viewer, id)).rows[0];
  if (!row) return undefined;
  const { linked_from, own_watch, group_watch, read_at, unread_notifications, reacted, bookmarked, ...thread } = row;
  return {
    thread,
    state: {
      linkedFrom: linked_from.map(([lid, title]) => ({ id: lid, title })),
      ownWatch: own_watch,
      groupWatch: group_watch,
      readAt: read_at,
      unreadNotifications: unread_notifications,
      reactions: reacted,
      bookmarks: bookmarked,
    },
  };
}

/**
 * Threads of one space (a group, or the community-wide space when groupId is
 * null), pinned first, then by latest activity; page by page. With a viewer,
 * threads they watch or track carry `unread` (moved since they last read it).
 */
export async function listThreads(db: Db, groupId: number | null, page = 1, viewer?: Actor): Promise<{ threads: (ThreadRow & { unread?: boolean })[]; more: boolean }> {
  const { threads, more } = await threadRows(db, groupId, page);
  if (viewer?.kind !== 'user' || threads.length === 0) return { threads, more };
  const marks = await db
    .selectFrom('thread_watches as w')
    .leftJoin('thread_reads as r', (j) => j.onRef('r.thread_id', '=', 'w.thread_id').onRef('r.user_id', '=', 'w.user_id'))
    .select(['w.thread_id', 'r.read_at'])
    .where('w.user_id', '=', viewer.id)
    .where('w.level', 'in', ['watching', 'tracking'])
    .where('w.thread_id', 'in', threads.map((x) => x.id))
    .modifyEnd(PREPARED)
    .execute();
  return { threads: withUnread(threads, marks), more };
}

/** A page of a space's threads, the same for every viewer who may see the space. */
export async function threadRows(db: Db, groupId: number | null, page = 1): Promise<{ threads: ThreadRow[]; more: boolean }> {
  let q = threadSelect(db).where('t.deleted_at', 'is', null);
  q = groupId === null ? q.where('t.group_id', 'is', null) : q.where('t.group_id', '=', groupId);
  // The first page, by far the most viewed, is a prepared statement (parsed once
  // per connection). A large group's best plan still differs from the generic
  // one, so PostgreSQL plans each use afresh (~1 ms). Later pages stay unprepared.
  const rows = await q
    .orderBy('t.pinned', 'desc')
    .orderBy('t.last_activity_at', 'desc')
    .orderBy('t.id', 'desc')
    .limit(sql.lit(PAGE_SIZE + 1))
    .$if(page > 1, (q) => q.offset((page - 1) * PAGE_SIZE))
    .$if(page === 1, (q) => q.modifyEnd(PREPARED))
    .execute();
  return { threads: rows.slice(0, PAGE_SIZE), more: rows.length > PAGE_SIZE };
}

/**
 * The threads (not changed: they may be shared) with `unread` set on those the
 * viewer watches or tracks, from their read marks (`read_at` null: never read).
 */
export function withUnread<T extends { id: number; last_activity_at: Date }>(threads: T[], marks: { thread_id: number; read_at: Date | null }[]): (T & { unread?: boolean })[] {
  const readAt = new Map(marks.map((m) => [m.thread_id, m.read_at]));
  return threads.map((th) => {
    if (!readAt.has(th.id)) return th;
    const r = readAt.get(th.id);
    return { ...th, unread: !r || r.getTime() < th.last_activity_at.getTime() };
  });
}

export interface PostView {
  id: number;
  author_id: number | null;
  author_name: string | null;
  /** The author's @handle, for mentioning them. */
  author_handle: string | null;
  /** The author's photo version, when others may see it at all (youth: signed-in viewers only, `author_youth`). */
  author_photo: number | null;
  author_youth: boolean;
  is_opening: boolean;
  reply_to_id: number | null;
  reply_to_author: string | null;
  html: string;
  body: string;
  language: string;
  version: number;
  helpful_count: number;
  /** Reactions by kind, for everyone. */
  reactions: ReactionCounts;
  created_at: Date;
  edited_at: Date | null;
  deleted_at: Date | null;
  /** Hidden by a moderator: its text is shown only to moderators. */
  hidden: boolean;
  /** The kinds of reaction the viewer left here, in display order. */
  mine: ReactionKind[];
  /** In the viewer's bookmarks. */
  bookmarked: boolean;
  /** Pictures and files, in the order they were added (none when the post's text is concealed). */
  attachments: AttachmentView[];
  /** The author's perspectives when posting (Dialogue Guides group by these). */
  perspectives: string[];
  question_id: number | null;
  /** A member's translation into the other language (read only when the thread has some). */
  translation?: { language: string; html: string; translator: string | null; corrector: string | null; source_version: number; version: number };
}

/** A thread's posts as stored, with the viewer's reactions and bookmarks (a statement, not run). */
function postsQuery(db: Db, viewer: Actor, threadId: number) {
  return db
    .selectFrom('posts as p')
    .leftJoin('users as u', 'u.id', 'p.author_id')
    .leftJoin('posts as r', 'r.id', 'p.reply_to_id')
    .leftJoin('users as ru', 'ru.id', 'r.author_id')
    .select([
      'p.id',
      'p.author_id',
      'u.name as author_name',
      'u.handle as author_handle',
      // A hidden or deactivated person's photo is not served to others: initials instead.
      sql<number | null>`CASE WHEN u.hidden OR u.deactivated_at IS NOT NULL THEN NULL ELSE u.photo_version END`.as('author_photo'),
      sql<boolean>`coalesce(u.is_youth, false)`.as('author_youth'),
      'p.is_opening',
      'p.reply_to_id',
      'ru.name as reply_to_author',
      'p.body',
      'p.body_html',
      'p.render_version',
      'p.language',
      'p.version',
      'p.helpful_count',
      'p.reactions',
      'p.created_at',
      'p.edited_at',
      'p.deleted_at',
      'p.hidden_at',
      'p.perspectives',
      'p.question_id',
    ])
    // The viewer's own reactions to each post, in the same statement.
    .select(
      viewer.kind === 'user'
        ? sql<string[]>`ARRAY(SELECT pr.kind FROM post_reactions pr WHERE pr.post_id = p.id AND pr.user_id = ${viewer.id})`.as('mine')
        : sql<string[]>`'{}'::text[]`.as('mine'),
    )
    .select(viewer.kind === 'user' ? sql<boolean>`EXISTS (SELECT 1 FROM bookmarks b WHERE b.user_id = ${viewer.id} AND b.post_id = p.id)`.as('bookmarked') : sql<boolean>`false`.as('bookmarked'))
    .select(
      sql<AttachmentView[]>`(SELECT coalesce(json_agg(json_build_object('id', a.id, 'kind', a.kind, 'filename', a.filename, 'content_type', a.content_type, 'size_bytes', a.size_bytes, 'alt', a.alt, 'width', a.width, 'height', a.height) ORDER BY a.id), '[]'::json) FROM post_attachments a WHERE a.post_id = p.id)`.as('attachments'),
    )
    .where('p.thread_id', '=', threadId);
}

type PostRowRaw = Awaited<ReturnType<ReturnType<typeof postsQuery>['execute']>>[number];
const ordered = <Q extends ReturnType<typeof postsQuery>>(q: Q) => q.orderBy('p.created_at').orderBy('p.id').limit(1000).modifyEnd(PREPARED) as unknown as Buildable<PostRowRaw>;
/** The page's posts and the live fragment's (those after a given post): each text built once per class of viewer. */
export const threadPostsStatement = shapedStatement<PostRowRaw, [number]>((db, viewer, threadId) => ordered(postsQuery(db, viewer, threadId)));
const postsAfterStatement = shapedStatement<PostRowRaw, [number, number]>((db, viewer, threadId, afterId) => ordered(postsQuery(db, viewer, threadId).where('p.id', '>', afterId)));

/**
 * A thread's posts in time order, with rendered HTML. HTML is cached per post
 * version: a row whose cache is missing or older than the renderer is
 * rendered here and stored, once. With `viewer` null, `mine` is empty on
 * every post: rows the same for every reader (the thread page shares them and
 * takes each viewer's reactions from `getThreadForViewer`).
 */
export async function threadPosts(db: Db, threadId: number, viewer: Actor | null, opts: { moderator?: boolean; afterId?: number } = {}): Promise<PostView[]> {
  const rows = (opts.afterId !== undefined ? await postsAfterStatement.execute(db, viewer ?? ANONYMOUS, threadId, opts.afterId) : await threadPostsStatement.execute(db, viewer ?? ANONYMOUS, threadId)).rows;
  const out: PostView[] = [];
  for (const r of rows) {
    let html = r.body_html;
    if (!r.deleted_at && (html === null || r.render_version < RENDER_VERSION)) {
      html = renderMarkdown(r.body);
      await db.updateTable('posts').set({ body_html: html, render_version: RENDER_VERSION }).where('id', '=', r.id).where('version', '=', r.version).execute();
    }
    const concealed = r.deleted_at !== null || (r.hidden_at !== null && !opts.moderator);
    const { hidden_at, body_html, render_version, mine, reactions, ...rest } = r;
    void body_html;
    void render_version;
    out.push({ ...rest, attachments: concealed ? [] : rest.attachments, reactions: reactions as ReactionCounts, mine: inOrder(mine), hidden: hidden_at !== null, html: concealed ? '' : (html ?? ''), body: concealed ? '' : r.body });
  }
  return out;
}

export async function getPost(db: Db, id: number) {
  return db
    .selectFrom('posts as p')
    .leftJoin('users as u', 'u.id', 'p.author_id')
    .select(['p.id', 'p.thread_id', 'p.author_id', 'u.name as author_name', 'p.is_opening', 'p.body', 'p.version', 'p.created_at', 'p.deleted_at', 'p.hidden_at', 'p.language'])
    .where('p.id', '=', id)
    .executeTakeFirst();
}

export async function postRevisions(db: Db, postId: number) {
  return db
    .selectFrom('post_revisions as r')
    .leftJoin('users as u', 'u.id', 'r.edited_by')
    .select(['r.version', 'r.body', 'r.created_at', 'u.name as editor'])
    .where('r.post_id', '=', postId)
    .orderBy('r.version', 'desc')
    .execute();
}

export interface SearchFilters {
  q: string;
  group?: string;
  author?: number;
  from?: string;
  to?: string;
  /** Only posts by people who held this stakeholder perspective when posting. */
  perspective?: string;
  page?: number;
}

export interface SearchHit {
  post_id: number;
  thread_id: number;
  title: string;
  group_slug: string | null;
  group_name: string | null;
  author_name: string | null;
  created_at: Date;
  snippet: string;
  rank: number;
}

/** How many of a query's most recent matches a search without filters ranks. */
const RANKED_CANDIDATES = 300;
const tsQuery = (q: string) => sql`(websearch_to_tsquery('english', ${q}) || websearch_to_tsquery('spanish', ${q}))`;

/**
 * How well post p of thread t matches: its text (`vector`, p.search unless a copy is at hand), plus one
 * when it opens a thread whose title matches, plus how well a member's translation of it matches (in
 * the translation's own language's dictionary).
 */
const rankOf = (query: RawBuilder<unknown>, vector: RawBuilder<unknown> = sql`p.search`) =>
  sql<number>`ts_rank(${vector}, ${query}) + CASE WHEN p.is_opening AND t.title_search @@ ${query} THEN 1 ELSE 0 END
    + coalesce((SELECT ts_rank(mt.search, ${query}) FROM member_translations mt WHERE mt.post_id = p.id AND mt.search @@ ${query} LIMIT 1), 0)`;

/** A search without narrowing filters: true when `rankedMatches` gives its candidates. */
export const unnarrowed = (f: SearchFilters) => !(f.group || f.author || f.perspective || f.from || f.to);

/** One of a query's matches, ranked, with what the thread policy needs to decide who may read it. */
export interface RankedMatch {
  post_id: number;
  rank: number;
  thread: ThreadSubject;
}

/**
 * A query's most recent matches (post text, or the title of the thread a
 * post opens, or a member's translation of it), at most RANKED_CANDIDATES,
 * the same for every reader: deleted and hidden posts are left out here,
 * and who may read which is decided per reader by the thread policy
 * (`readableMatches`). So the costly part of a search (finding and ranking)
 * is done once per query for everyone, and callers may share it between
 * readers.
 *
 * One statement, best first. The newest posts are looked in first, in their
 * narrow table of search vectors (`recent_post_search`, kept by triggers
 * above `recent_post_search_floor()`): a common word reads a few thousand
 * small rows there instead of its matches among every post. Older posts are
 * read only for as many as the recent ones lacked (a limit of zero when the
 * recent ones suffice, and then PostgreSQL does not read them at all). The
 * candidates are ranked with the kept vector where there is one, the post's
 * own otherwise. As four statements (the floor, the recent matches, the
 * older ones, the ranking), a search that missed the shared cache waited
 * for a pooled connection four times under load.
 */
export async function rankedMatches(db: Db, q: string): Promise<RankedMatch[]> {
  const query = tsQuery(q);
  // The floor is checked on the rows the text index found (`+ 0` keeps it from being an index
  // condition): unknown when the statement is planned, it would otherwise be guessed at a third of
  // the table and read as a range of the primary key beside the text index (9 ms for the recent
  // table's 100,000 ids alone, and a third of every post's for the older ones).
  type Side = (id: RawBuilder<unknown>) => RawBuilder<unknown>;
  const above: Side = (id) => sql`${id} + 0 > (SELECT floor FROM f)`;
  // Below a floor of zero or less (fewer posts than the table keeps) there is nothing to read: a one-time check.
  const below: Side = (id) => sql`${id} + 0 <= (SELECT floor FROM f) AND (SELECT floor FROM f) > 0`;
  /** The newest matches on one side of the floor: by the posts' text (`text`, its post id `id`), the titles of threads they open, members' translations of them. */
  const newest = (text: RawBuilder<unknown>, id: RawBuilder<unknown>, side: Side, limit: RawBuilder<unknown>) => sql`SELECT id FROM (
          ${text} AND ${side(id)}
          UNION SELECT p.id FROM threads t JOIN posts p ON p.thread_id = t.id AND p.is_opening WHERE t.title_search @@ ${query} AND ${side(sql`p.id`)}
          UNION SELECT p.id FROM member_translations mt JOIN posts p ON p.id = mt.post_id WHERE mt.search @@ ${query} AND ${side(sql`p.id`)}
        ) m ORDER BY id DESC LIMIT ${limit}`;
  const rows = (
    await sql<{
      post_id: string | number;
      rank: number;
      group_id: number | null;
      visibility: GroupSubject['visibility'] | null;
      join_policy: GroupSubject['join_policy'] | null;
      archived_at: Date | null;
      deleted_at: Date | null;
    }>`WITH f AS MATERIALIZED (SELECT recent_post_search_floor() AS floor),
      recent AS MATERIALIZED (${newest(sql`SELECT r.post_id AS id FROM recent_post_search r WHERE r.search @@ ${query}`, sql`r.post_id`, above, sql`${RANKED_CANDIDATES}`)}),
      older AS MATERIALIZED (${newest(sql`SELECT p.id FROM posts p WHERE p.search @@ ${query}`, sql`p.id`, below, sql`(SELECT ${RANKED_CANDIDATES} - count(*) FROM recent)`)})
      SELECT p.id AS post_id, t.group_id, g.visibility, g.join_policy, g.archived_at, t.deleted_at,
        ${rankOf(query, sql`coalesce(r.search, p.search)`)} AS rank
      FROM posts p JOIN threads t ON t.id = p.thread_id LEFT JOIN practice_groups g ON g.id = t.group_id
        LEFT JOIN recent_post_search r ON r.post_id = p.id
      WHERE p.id IN (SELECT id FROM recent UNION ALL SELECT id FROM older) AND p.deleted_at IS NULL AND p.hidden_at IS NULL
      ORDER BY rank DESC, p.id DESC`.execute(db)
  ).rows;
  // Matches in the same space share one subject (a query's entry stays small while it is kept).
  const subjects = new Map<string, ThreadSubject>();
  return rows.map((r) => {
    const key = `${r.group_id}|${r.deleted_at ? 'd' : ''}`;
    let thread = subjects.get(key);
    if (!thread) {
      const group = r.group_id === null ? null : { id: r.group_id, visibility: r.visibility!, join_policy: r.join_policy!, archived_at: r.archived_at };
      thread = { group, deleted_at: r.deleted_at };
      subjects.set(key, thread);
    }
    return { post_id: Number(r.post_id), rank: Number(r.rank), thread };
  });
}

/** The matches this reader may read, in rank order (the thread policy, as for one thread). */
export const readableMatches = (viewer: Actor, matches: RankedMatch[]) => matches.filter((m) => can(viewer, 'thread.view', m.thread));

/** Shared between readers of one query: its ranked matches, and the hits already shown (post id → hit). */
export interface SharedSearch {
  matches: RankedMatch[];
  shown: Map<number, SearchHit>;
}

export async function sharedSearch(db: Db, q: string): Promise<SharedSearch> {
  return { matches: await rankedMatches(db, q), shown: new Map() };
}

/** What a hit shows (title, space, author, highlighted snippet) for the given matches; their rank is already known. */
async function hitsFor(db: Db, q: string, matches: RankedMatch[]): Promise<SearchHit[]> {
  if (matches.length === 0) return [];
  const rows = await hitQuery(db, tsQuery(q))
    .where(sql<SqlBool>`p.id = ANY(${matches.map((m) => m.post_id)}::bigint[])`)
    .where('p.deleted_at', 'is', null)
    .where('p.hidden_at', 'is', null)
    .execute();
  const rank = new Map(matches.map((m) => [m.post_id, m.rank]));
  return rows.map((r) => ({ ...r, rank: rank.get(Number(r.post_id)) ?? 0 }) as SearchHit);
}

/** What a search's hits show (the filtered search adds its rank; the unfiltered one knows it already). */
function hitQuery(db: Db, query: RawBuilder<unknown>) {
  return db
    .selectFrom('posts as p')
    .innerJoin('threads as t', 't.id', 'p.thread_id')
    .leftJoin('practice_groups as g', 'g.id', 't.group_id')
    .leftJoin('users as u', 'u.id', 'p.author_id')
    .select([
      'p.id as post_id',
      't.id as thread_id',
      't.title',
      'g.slug as group_slug',
      'g.name as group_name',
      'u.name as author_name',
      'p.created_at',
      // Highlights are marked with sentinels, escaped, then turned into <mark> by the view.
      sql<string>`ts_headline(CASE WHEN p.language = 'es' THEN 'spanish'::regconfig ELSE 'english'::regconfig END, p.body, ${query},
        'StartSel=⟦, StopSel=⟧, MaxWords=30, MinWords=12, ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "')`.as('snippet'),
    ]);
}

/**
 * Full-text search over thread titles and posts with web-search syntax
 * ("quoted phrases", OR, -term), in English and Spanish, ranked, with
 * highlighted snippets, filtered to what the viewer may read.
 *
 * Without narrowing filters it pages through the query's ranked matches
 * (`shared`, from `sharedSearch`, which callers may keep for every reader;
 * found here when not given), fetching only the page's hits that no reader
 * has been shown yet. With filters, one statement finds, filters and ranks.
 */
export async function searchPosts(db: Db, viewer: Actor, f: SearchFilters, shared?: SharedSearch): Promise<{ hits: SearchHit[]; more: boolean }> {
  const page = Math.max(1, f.page ?? 1);
  if (unnarrowed(f)) {
    const s = shared ?? (await sharedSearch(db, f.q));
    const readable = readableMatches(viewer, s.matches);
    const onPage = readable.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
    const ids = onPage.map((m) => m.post_id);
    const missing = onPage.filter((m) => !s.shown.has(m.post_id));
    for (const hit of await hitsFor(db, f.q, missing)) s.shown.set(Number(hit.post_id), hit);
    // A post deleted since the matches were found has no hit: it is left out.
    const hits = ids.flatMap((id) => s.shown.get(id) ?? []);
    return { hits, more: readable.length > page * PAGE_SIZE };
  }
  const query = tsQuery(f.q);
  const matches = sql`SELECT p.id FROM posts p WHERE p.search @@ ${query}
      UNION SELECT p.id FROM threads t JOIN posts p ON p.thread_id = t.id AND p.is_opening WHERE t.title_search @@ ${query}
      UNION SELECT mt.post_id FROM member_translations mt WHERE mt.post_id IS NOT NULL AND mt.search @@ ${query}`;
  let q = hitQuery(db, query)
    .select(rankOf(query).as('rank'))
    .where('p.deleted_at', 'is', null)
    .where('p.hidden_at', 'is', null)
    .where(threadReadableBy(viewer))
    .where(sql<SqlBool>`p.id IN (${matches})`);
  if (f.group) q = q.where('g.slug', '=', f.group);
  if (f.author) q = q.where('p.author_id', '=', f.author);
  if (f.perspective) q = q.where(sql<SqlBool>`p.perspectives @> ARRAY[${f.perspective}]::text[]`);
  if (f.from) q = q.where('p.created_at', '>=', new Date(f.from));
  if (f.to) q = q.where('p.created_at', '<', new Date(new Date(f.to).getTime() + 86_400_000));
  const rows = await q
    .orderBy(sql`rank`, 'desc')
    .orderBy('p.id', 'desc')
    .limit(PAGE_SIZE + 1)
    .offset((page - 1) * PAGE_SIZE)
    .execute();
  return { hits: rows.slice(0, PAGE_SIZE) as SearchHit[], more: rows.length > PAGE_SIZE };
}

export interface DialogueQuestion {
  id: number;
  kind: 'reaction' | 'application';
  position: number;
  prompt: string;
}

export async function dialogueQuestions(db: Db, threadId: number): Promise<DialogueQuestion[]> {
  return db.selectFrom('dialogue_questions').select(['id', 'kind', 'position', 'prompt']).where('thread_id', '=', threadId).orderBy('kind', 'desc').orderBy('position').execute();
}


/** A thread the actor may read, or 404 (loaders for routes and commands alike). */
export async function getVisibleThread(db: Db, actor: Actor, id: number): Promise<ThreadRow> {
  const thread = await getThread(db, id);
  if (!thread) throw new AppError('not_found');
  authorize(actor, 'thread.view', threadSubject(thread));
  return thread;
}

/** A deleted post, or a hidden one to anyone but the thread's moderators, is not found (nor its reactions, attachments or bookmark). */
export function assertPostShown(actor: Actor, post: { deleted_at: Date | null; hidden_at: Date | null }, thread: ThreadRow): void {
  if (post.deleted_at || (post.hidden_at && !can(actor, 'thread.moderate', threadSubject(thread)))) throw new AppError('not_found');
}

/** A post and its thread, when the actor may read the thread; else 404. */
export async function getVisiblePost(db: Db, actor: Actor, postId: number) {
  const post = await getPost(db, postId);
  if (!post) throw new AppError('not_found');
  return { post, thread: await getVisibleThread(db, actor, post.thread_id) };
}
