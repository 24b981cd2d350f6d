import { queuePush } from './push.js';
import { queueWebhooks } from '../webhooks/deliver.js';
import { sql } from 'kysely';
import type { Db, Tx } from '../platform/db/db.js';
import type { Config } from '../platform/config.js';
import type { Mailer } from '../platform/mail/mailer.js';
import type { NotificationKind, WatchLevel } from '../platform/db/schema.js';
import { loadActor, type Actor, type UserActor } from '../platform/auth/actor.js';
import { can } from '../platform/auth/policy.js';
import { personToken, readPersonToken } from '../platform/auth/secrets.js';
import { translator, formatters } from '../platform/i18n/i18n.js';
import { absoluteLinks, mailLocale, mailTo } from '../platform/mail/templates.js';
import { QUEUES, type Jobs } from '../platform/jobs/jobs.js';
import { getThread, threadSubject, type ThreadRow } from '../discussions/queries.js';
import { mailInEnabled, replyAddress } from '../email/addresses.js';
import { mailHost, onList, postMessageId, queueListEmails, threadMessageId } from '../email/list-mode.js';
import { RENDER_VERSION, excerpt, linkedThreadIds, mentionedHandles, renderMarkdown } from '../discussions/markdown.js';

export interface NotifyDeps {
  db: Db;
  jobs: Jobs;
  mailer: Mailer;
  config: Config;
}

/** Strongest first: a person gets one notification per post, of the strongest kind that applies. */
const PRIORITY: NotificationKind[] = ['mention', 'reply', 'new_thread', 'watched_post'];

/** Creates one notification (once per person, post and kind) and queues its email for people who want mail right away. */
export async function createNotification(
  tx: Tx,
  jobs: Jobs,
  n: { user_id: number; kind: NotificationKind; thread_id: number | null; post_id: number | null; actor_id: number | null; data?: Record<string, unknown> },
  /** The recipients `mayContact` already allowed for this actor (a fan-out checks them all in one query). */
  allowed?: Set<number>,
): Promise<number | undefined> {
  // The one contact rule: nothing from someone a youth member may not hear from, of any kind.
  if (n.actor_id !== null && n.actor_id !== n.user_id && !(allowed ?? (await mayContact(tx, n.actor_id, [n.user_id]))).has(n.user_id)) return undefined;
  const row = await tx
    .insertInto('notifications')
    .values({ ...n, data: JSON.stringify(n.data ?? {}), created_at: new Date() })
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!row) return undefined;
  const user = await tx.selectFrom('users').select(['email_notifications', 'email_verified_at']).where('id', '=', n.user_id).executeTakeFirstOrThrow();
  if (user.email_notifications === 'immediate' && user.email_verified_at) {
    await jobs.send(tx, QUEUES.notificationEmail, { id: row.id }, { key: `n:${row.id}` });
  }
  // Devices the person turned push on for: the same notification, the same checks when sent.
  await queuePush(tx, jobs, row.id, n.user_id);
  return row.id;
}

/** Can this person read this thread right now (membership, visibility, deletion)? */
async function mayRead(db: Db, userId: number, thread: ThreadRow): Promise<UserActor | undefined> {
  const actor = await loadActor(db, userId, 'session');
  if (actor.kind !== 'user') return undefined;
  return can(actor, 'thread.view', threadSubject(thread)) ? actor : undefined;
}

/**
 * Job: a post was published (or edited). Works out who hears about it:
 * people @mentioned, the author of the post it replies to, people watching
 * the thread, and people watching (every post) or tracking (new threads) its
 * group; nobody who muted the thread or group, nobody who cannot read it,
 * never the author. Also records links to other threads. Safe to run twice.
 */
/**
 * Of `userIds`, those `authorId` may contact directly: everyone who is not a
 * youth member; youth members only when the author is a youth member too, a
 * facilitator or admin, or active in a group the young person is active in.
 */
export async function mayContact(db: Db | Tx, authorId: number | null, userIds: number[]): Promise<Set<number>> {
  if (userIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('users as u')
    .select('u.id')
    .where('u.id', 'in', userIds)
    .where((eb) =>
      eb.or([
        eb('u.is_youth', '=', false),
        eb.exists(
          eb
            .selectFrom('users as a')
            .select('a.id')
            .where('a.id', '=', authorId ?? 0)
            .where((w) => w.or([w('a.is_youth', '=', true), w('a.role', 'in', ['facilitator', 'admin'])])),
        ),
        eb.exists(
          eb
            .selectFrom('group_memberships as mine')
            .innerJoin('group_memberships as theirs', 'theirs.group_id', 'mine.group_id')
            .select('mine.group_id')
            .whereRef('theirs.user_id', '=', 'u.id')
            .where('mine.user_id', '=', authorId ?? 0)
            .where('mine.status', '=', 'active')
            .where('theirs.status', '=', 'active'),
        ),
      ]),
    )
    .execute();
  return new Set(rows.map((r) => r.id));
}

export async function postPublished(deps: NotifyDeps, postId: number): Promise<void> {
  const { db, jobs } = deps;
  const post = await db
    .selectFrom('posts')
    .select(['id', 'thread_id', 'author_id', 'is_opening', 'reply_to_id', 'body', 'body_html', 'render_version', 'deleted_at', 'hidden_at'])
    .where('id', '=', postId)
    .executeTakeFirst();
  if (!post || post.deleted_at || post.hidden_at) return;
  const thread = await getThread(db, post.thread_id);
  if (!thread || thread.deleted_at) return;
  // Mailing-list mode: the post as its own email to those who chose it (each copy checked when sent; an edit sends none).
  await queueListEmails(deps, post, thread.group_id);
  // Partners' webhooks (one message per post and endpoint, however often this job runs).
  await queueWebhooks(db, jobs, 'post.created', post.id);
  if (post.is_opening) await queueWebhooks(db, jobs, 'thread.created', post.id);
  const html = post.body_html && post.render_version === RENDER_VERSION ? post.body_html : renderMarkdown(post.body);

  // Links to other threads, for "linked from" on those threads.
  const linked = linkedThreadIds(html, deps.config.baseUrl).filter((id) => id !== thread.id);
  await db.deleteFrom('thread_links').where('from_post_id', '=', post.id).execute();
  if (linked.length) {
    const exist = await db.selectFrom('threads').select('id').where('id', 'in', linked).execute();
    if (exist.length) await db.insertInto('thread_links').values(exist.map((t) => ({ from_post_id: post.id, to_thread_id: t.id }))).onConflict((oc) => oc.doNothing()).execute();
  }

  const want = new Map<number, NotificationKind>();
  const add = (userId: number | null | undefined, kind: NotificationKind) => {
    if (!userId || userId === post.author_id) return;
    const had = want.get(userId);
    if (!had || PRIORITY.indexOf(kind) < PRIORITY.indexOf(had)) want.set(userId, kind);
  };

  // Whom a youth member may hear from is decided once, in createNotification, for every kind.
  const handles = mentionedHandles(html);
  if (handles.length) {
    const people = await db.selectFrom('users').select('id').where(sql<string>`lower(handle)`, 'in', handles.slice(0, 50)).where('deactivated_at', 'is', null).execute();
    for (const p of people) add(p.id, 'mention');
  }
  if (post.reply_to_id) {
    const target = await db.selectFrom('posts').select('author_id').where('id', '=', post.reply_to_id).executeTakeFirst();
    add(target?.author_id, 'reply');
  }
  if (!post.is_opening) {
    const watchers = await db.selectFrom('thread_watches').select('user_id').where('thread_id', '=', thread.id).where('level', '=', 'watching').execute();
    for (const w of watchers) add(w.user_id, 'watched_post');
  }
  if (thread.group_id !== null) {
    const levels: WatchLevel[] = post.is_opening ? ['watching', 'tracking'] : ['watching'];
    const watchers = await db.selectFrom('group_watches').select('user_id').where('group_id', '=', thread.group_id).where('level', 'in', levels).execute();
    for (const w of watchers) add(w.user_id, post.is_opening ? 'new_thread' : 'watched_post');
  }
  if (want.size === 0) return;

  // Muting wins: a muted thread, or a muted group without a thread level of one's own.
  const ids = [...want.keys()];
  const mutedThread = await db.selectFrom('thread_watches').select(['user_id', 'level']).where('thread_id', '=', thread.id).where('user_id', 'in', ids).execute();
  const threadLevel = new Map(mutedThread.map((r) => [r.user_id, r.level]));
  const mutedGroup =
    thread.group_id === null
      ? []
      : await db.selectFrom('group_watches').select('user_id').where('group_id', '=', thread.group_id).where('level', '=', 'muted').where('user_id', 'in', ids).execute();
  for (const r of mutedGroup) if (!threadLevel.has(r.user_id)) want.delete(r.user_id);
  for (const [u, level] of threadLevel) {
    if (level === 'muted') want.delete(u);
    // A thread level of one's own also wins over watching its group: no "every post" for them.
    else if (level !== 'watching' && want.get(u) === 'watched_post') want.delete(u);
  }

  // The contact rule for every recipient at once, not one query each.
  const allowed = post.author_id === null ? undefined : await mayContact(db, post.author_id, [...want.keys()]);
  for (const [userId, kind] of want) {
    if ((allowed && !allowed.has(userId)) || !(await mayRead(db, userId, thread))) continue;
    await db.transaction().execute((tx) => createNotification(tx, jobs, { user_id: userId, kind, thread_id: thread.id, post_id: post.id, actor_id: post.author_id }, allowed));
  }
}

// ---- unsubscribe links ---------------------------------------------------------------------

/** A token for a one-click "stop these emails" link: the person's id and a keyed hash of it. */
export const unsubscribeToken = (secret: string, userId: number) => personToken(secret, 'unsubscribe', userId);

export const readUnsubscribeToken = (secret: string, token: string) => readPersonToken(secret, 'unsubscribe', token);

function listHeaders(config: Config, userId: number) {
  const url = `${config.baseUrl}/unsubscribe/${unsubscribeToken(config.sessionSecret, userId)}`;
  return {
    url,
    headers: { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click', 'Auto-Submitted': 'auto-generated' },
  };
}


// ---- one notification, by email ---------------------------------------------------------------

/**
 * Job: emails one notification. Reloads everything at send time and sends
 * nothing when the notification was already emailed or read, the person
 * turned immediate email off, lost access to the thread, or the post is gone.
 * The row stays locked while sending, so two workers never send it twice.
 */
export async function emailNotification(deps: NotifyDeps, id: number): Promise<'sent' | 'skipped'> {
  const { db, config } = deps;
  return db.transaction().execute(async (tx) => {
    const n = await tx.selectFrom('notifications').selectAll().where('id', '=', id).forUpdate().skipLocked().executeTakeFirst();
    if (!n || n.emailed_at || n.read_at) return 'skipped';
    const user = await tx
      .selectFrom('users')
      .select(['id', 'email', 'name', 'locale', 'email_notifications', 'email_verified_at', 'deactivated_at'])
      .where('id', '=', n.user_id)
      .executeTakeFirstOrThrow();
    if (user.deactivated_at || !user.email_verified_at || user.email_notifications !== 'immediate') return 'skipped';
    // The reader as they are now (memberships, deactivation), loaded once.
    const content = await notificationContent(tx, await loadActor(tx, user.id, 'session'), n);
    if (!content) return 'skipped';
    // A post in a group the person receives as a mailing list has already come to them as its own email.
    if (n.post_id && n.kind !== 'moderation' && n.kind !== 'reminder' && (await onList(tx, user.id, content.thread.group_id))) {
      await tx.updateTable('notifications').set({ emailed_at: new Date() }).where('id', '=', n.id).execute();
      return 'skipped';
    }
    const replyable = mailInEnabled(config) && n.post_id !== null && n.kind !== 'moderation' && content.post !== undefined;
    const list = listHeaders(config, user.id);
    const decision = n.kind === 'decision' ? (n.data as { decision_id?: number; title?: string }) : undefined;
    // A translation someone asked for opens the translation form; the rest open where it happened.
    const translate = n.kind === 'translation_request' && n.post_id;
    const threadUrl = decision?.decision_id
      ? `${config.baseUrl}/decisions/${decision.decision_id}`
      : translate
        ? `${config.baseUrl}/posts/${n.post_id}/translate`
        : `${config.baseUrl}/threads/${content.thread.id}${n.post_id ? `#post-${n.post_id}` : ''}`;
    const mail = mailTo(user, (t) => ({
      subject: `[${content.space}] ${content.thread.title}`,
      paragraphs: [
        t(n.kind === 'moderation' ? `notifications.mail.moderation_${String((n.data as { action?: string }).action ?? 'hide')}` : `notifications.mail.${n.kind}`, {
          actor: content.actorName ?? t('notifications.someone'),
          title: content.thread.title,
        }),
        // A poll or proposal: what is asked.
        ...(decision?.title ? [decision.title] : []),
        // A reminder repeats the note the person left with their bookmark.
        ...(n.kind === 'reminder' && typeof (n.data as { note?: unknown }).note === 'string' ? [t('notifications.mail.reminder_note', { note: (n.data as { note: string }).note })] : []),
      ],
      quoted: content.post ? { html: absoluteLinks(content.post.html, config.baseUrl), text: content.post.text, lang: content.post.language } : undefined,
      action: { label: t(decision ? 'notifications.mail.open_decision' : translate ? 'notifications.mail.open_translate' : 'notifications.mail.open'), url: threadUrl },
      ...(replyable ? { footer: `${t('mail_in.notification_footer')} ${t('mail.footer')}` } : {}),
      unsubscribe: { label: t('notifications.mail.unsubscribe'), url: list.url },
      headers: list.headers,
    }));
    // Threaded in mail programs: in reply to the post it is about, under the thread's root.
    const root = threadMessageId(config, content.thread.id);
    const about = content.post && n.post_id ? postMessageId(config, { id: n.post_id, is_opening: content.post.opening, thread_id: content.thread.id }) : root;
    await deps.mailer.send({
      ...mail,
      messageId: `<notification-${n.id}@${mailHost(config)}>`,
      inReplyTo: about,
      references: about === root ? root : `${root} ${about}`,
      ...(replyable ? { replyTo: replyAddress(config, user.id, n.post_id!) } : {}),
    });
    await tx.updateTable('notifications').set({ emailed_at: new Date() }).where('id', '=', n.id).execute();
    return 'sent';
  });
}

/** What a notification points at, if its reader may still see it. */
export async function notificationContent(db: Db, reader: Actor, n: { thread_id: number | null; post_id: number | null; actor_id: number | null; kind: string }) {
  if (!n.thread_id) return undefined;
  const thread = await getThread(db, n.thread_id);
  if (!thread || !can(reader, 'thread.view', threadSubject(thread))) return undefined;
  // The contact rule again at send time: the two may no longer share a group.
  if (reader.kind === 'user' && n.actor_id !== null && n.actor_id !== reader.id && !(await mayContact(db, n.actor_id, [reader.id])).has(reader.id)) return undefined;
  let post: { html: string; text: string; language: string; opening: boolean } | undefined;
  if (n.post_id) {
    const p = await db.selectFrom('posts').select(['body', 'body_html', 'language', 'deleted_at', 'hidden_at', 'author_id', 'is_opening']).where('id', '=', n.post_id).executeTakeFirst();
    // Moderation outcomes speak about the reader's own post even when it is hidden; other kinds vanish with their post.
    if (!p || p.deleted_at || (p.hidden_at && n.kind !== 'moderation')) return undefined;
    if (n.kind !== 'moderation') post = { html: p.body_html ?? renderMarkdown(p.body), text: excerpt(p.body, 1500), language: p.language, opening: p.is_opening };
  }
  const actorName = n.actor_id ? (await db.selectFrom('users').select('name').where('id', '=', n.actor_id).executeTakeFirst())?.name : undefined;
  const space = thread.group_name ?? 'Convene';
  return { thread, post, actorName, space };
}

// ---- digests ----------------------------------------------------------------------------------------

const PERIOD_MS = { daily: 86_400_000, weekly: 7 * 86_400_000 } as const;

/** Job (hourly): queues a digest for everyone whose daily or weekly digest is due and who has news. */
export async function digestSweep(deps: NotifyDeps, now = new Date()): Promise<number> {
  const { db, jobs } = deps;
  const due = await db
    .selectFrom('users as u')
    .select(['u.id', 'u.email_notifications'])
    .where('u.email_notifications', 'in', ['daily', 'weekly'])
    .where('u.deactivated_at', 'is', null)
    .where('u.email_verified_at', 'is not', null)
    .where((eb) =>
      eb.or([
        eb('u.digest_sent_at', 'is', null),
        eb.and([eb('u.email_notifications', '=', 'daily'), eb('u.digest_sent_at', '<=', new Date(now.getTime() - PERIOD_MS.daily + 30 * 60_000))]),
        eb.and([eb('u.email_notifications', '=', 'weekly'), eb('u.digest_sent_at', '<=', new Date(now.getTime() - PERIOD_MS.weekly + 30 * 60_000))]),
      ]),
    )
    .where(({ exists, selectFrom }) =>
      exists(selectFrom('notifications as n').select('n.id').whereRef('n.user_id', '=', 'u.id').where('n.read_at', 'is', null).where('n.emailed_at', 'is', null)),
    )
    .execute();
  for (const u of due) {
    // One digest per person per period, however often the sweep runs.
    const period = Math.floor(now.getTime() / PERIOD_MS[u.email_notifications as 'daily' | 'weekly']);
    await jobs.send(db, QUEUES.digest, { userId: u.id }, { key: `digest:${u.id}:${u.email_notifications}:${period}` });
  }
  return due.length;
}

/**
 * Job: sends one person's digest of unread notifications not yet emailed,
 * re-checking their preference and what they may read, then marks what it
 * included as emailed, in the same transaction as the send.
 */
export async function sendDigest(deps: NotifyDeps, userId: number, now = new Date()): Promise<'sent' | 'skipped'> {
  const { db, config } = deps;
  return db.transaction().execute(async (tx) => {
    const user = await tx
      .selectFrom('users')
      .select(['id', 'email', 'name', 'locale', 'email_notifications', 'email_verified_at', 'deactivated_at', 'digest_sent_at'])
      .where('id', '=', userId)
      .forUpdate()
      .executeTakeFirst();
    if (!user || user.deactivated_at || !user.email_verified_at) return 'skipped';
    if (user.email_notifications !== 'daily' && user.email_notifications !== 'weekly') return 'skipped';
    const period = PERIOD_MS[user.email_notifications];
    if (user.digest_sent_at && now.getTime() - user.digest_sent_at.getTime() < period - 30 * 60_000) return 'skipped';
    const rows = await tx
      .selectFrom('notifications')
      .selectAll()
      .where('user_id', '=', user.id)
      .where('read_at', 'is', null)
      .where('emailed_at', 'is', null)
      .orderBy('created_at')
      .limit(100)
      .execute();
    const t = translator(mailLocale(user));
    const fmt = formatters(mailLocale(user));
    const items: { title: string; detail: string; url: string }[] = [];
    const reader = await loadActor(tx, user.id, 'session');
    for (const n of rows) {
      const c = await notificationContent(tx, reader, n);
      if (!c) continue;
      // Already mailed post by post (mailing-list mode).
      if (n.post_id && n.kind !== 'moderation' && n.kind !== 'reminder' && (await onList(tx, user.id, c.thread.group_id))) continue;
      items.push({
        title: c.thread.title,
        detail: `${t(`notifications.kind.${n.kind}`, { actor: c.actorName ?? t('notifications.someone') })} · ${fmt.dateTime(n.created_at)}${c.post ? ` — ${excerpt(c.post.text, 160)}` : ''}`,
        url: `${config.baseUrl}/threads/${c.thread.id}${n.post_id ? `#post-${n.post_id}` : ''}`,
      });
    }
    await tx.updateTable('users').set({ digest_sent_at: now }).where('id', '=', user.id).execute();
    if (rows.length) await tx.updateTable('notifications').set({ emailed_at: now }).where('id', 'in', rows.map((r) => r.id)).execute();
    if (items.length === 0) return 'skipped';
    const list = listHeaders(config, user.id);
    const mail = mailTo(user, (mt) => ({
      subject: mt(`notifications.digest.subject_${user.email_notifications}`, { count: items.length }),
      paragraphs: [mt('notifications.digest.intro', { count: items.length })],
      items,
      action: { label: mt('notifications.digest.open'), url: `${config.baseUrl}/notifications` },
      unsubscribe: { label: mt('notifications.mail.unsubscribe'), url: list.url },
      headers: list.headers,
    }));
    await deps.mailer.send({ ...mail, messageId: `<digest-${user.id}-${now.getTime()}@${mailHost(config)}>` });
    return 'sent';
  });
}

/** Registers the notification jobs' handlers. */
export function registerNotificationJobs(deps: NotifyDeps): void {
  const id = (d: Record<string, unknown>, k: string) => {
    const v = Number(d[k]);
    if (!Number.isSafeInteger(v) || v < 1) throw new Error(`job data has no valid ${k}`);
    return v;
  };
  deps.jobs.handle(QUEUES.postPublished, async (d) => postPublished(deps, id(d, 'postId')));
  deps.jobs.handle(QUEUES.notificationEmail, async (d) => {
    await emailNotification(deps, id(d, 'id'));
  });
  deps.jobs.handle(QUEUES.digestSweep, async () => {
    await digestSweep(deps);
  });
  deps.jobs.handle(QUEUES.digest, async (d) => {
    await sendDigest(deps, id(d, 'userId'));
  });
}
