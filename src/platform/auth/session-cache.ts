import { ReconnectingListener } from '../db/listener.js';
import type { LoadedSession } from './actor.js';

export const ACTORS_CHANNEL = 'convene_actors';

/**
 * Who is behind a session, kept in the process for a few seconds, so a
 * signed-in page does not spend a round trip to PostgreSQL on it (the lookup
 * brings the account, every membership and the unread count, on every page).
 *
 * Kept only while it is known to hold. The database itself says when it no
 * longer does: triggers on `sessions`, `users`, `group_memberships` and
 * `notifications` (migrations/20261207010000_actor_changes.sql) name the
 * person on the `convene_actors` channel when any of their rows change, by
 * whatever wrote them (this process, another one, a job, an operator's SQL),
 * and every process forgets that person's sessions as the notice arrives.
 * Besides, a process forgets the person making a successful write at once,
 * before its answer is sent, so their next page never waits on the notice.
 *
 * - While the listener is down (the database restarting), nothing is kept, and
 *   everything kept before is forgotten: changes would go unheard.
 * - A lookup that started before a change was heard is not kept (each forget
 *   moves a counter; an answer read before it is stale).
 * - Entries live at most `ttlMs` (CONVENE_SESSION_CACHE_SECONDS, default 30):
 *   what the triggers do not see, such as a session's expiry or a post
 *   behind a notification being removed (the unread count), holds at most
 *   that long. A signed-out visitor's cookie is never kept.
 * - Between a change committed elsewhere and its notice (normally well under
 *   a millisecond on one network), a page may still see the person as before.
 */
export class SessionCache {
  private entries = new Map<string, { found: LoadedSession; at: number }>();
  /** Session ids per person, to forget them together. */
  private byUser = new Map<number, Set<string>>();
  /** Moves on every forget: a lookup started before a forget of its person is not kept. */
  private generation = 0;
  /** person → the generation at which they were last forgotten (bounded; see `forgotAll`). */
  private forgotten = new Map<number, number>();
  /** Everything read before this generation is stale (set by `clear`, and when `forgotten` is trimmed). */
  private forgotAll = 0;
  private listener: ReconnectingListener | undefined;
  private listening = false;
  private closed = false;

  constructor(
    private readonly opts: {
      ttlMs: number;
      maxEntries?: number;
      databaseUrl?: string;
      log?: (m: string) => void;
      now?: () => number;
    },
  ) {}

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /** Whether anything is kept at all: on, and hearing the database's notices. */
  get enabled(): boolean {
    return this.opts.ttlMs > 0 && this.listening && !this.closed;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Call before reading a session from the database; pass the result to `put`. */
  begin(): number {
    return this.generation;
  }

  get(id: string): LoadedSession | undefined {
    if (!this.enabled) return undefined;
    const e = this.entries.get(id);
    if (!e) return undefined;
    if (this.now() - e.at >= this.opts.ttlMs) {
      this.drop(id);
      return undefined;
    }
    return e.found;
  }

  /** Keeps what was read for session `id`, unless its person was forgotten since `started` (from `begin`). */
  put(id: string, found: LoadedSession, started: number): void {
    if (!this.enabled || found.actor.kind !== 'user') return;
    const userId = found.actor.id;
    if (started < this.forgotAll || (this.forgotten.get(userId) ?? -1) > started) return;
    this.drop(id);
    const max = this.opts.maxEntries ?? 10_000;
    while (this.entries.size >= max) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.drop(oldest);
    }
    this.entries.set(id, { found, at: this.now() });
    let ids = this.byUser.get(userId);
    if (!ids) this.byUser.set(userId, (ids = new Set()));
    ids.add(id);
  }

  private drop(id: string): void {
    const e = this.entries.get(id);
    if (!e) return;
    this.entries.delete(id);
    if (e.found.actor.kind !== 'user') return;
    const ids = this.byUser.get(e.found.actor.id);
    ids?.delete(id);
    if (ids && ids.size === 0) this.byUser.delete(e.found.actor.id);
  }

  /** Forgets every session of one person (their rows changed). */
  forgetUser(userId: number): void {
    this.generation++;
    if (this.forgotten.size >= 50_000) {
      this.forgotten.clear();
      this.forgotAll = this.generation;
    }
    this.forgotten.set(userId, this.generation);
    for (const id of [...(this.byUser.get(userId) ?? [])]) this.drop(id);
  }

  /** Forgets one session (it was ended or touched here). */
  forgetSession(id: string): void {
    this.generation++;
    const e = this.entries.get(id);
    if (e?.found.actor.kind === 'user') this.forgotten.set(e.found.actor.id, this.generation);
    this.drop(id);
  }

  /** Forgets everyone. */
  clear(): void {
    this.generation++;
    this.forgotAll = this.generation;
    this.forgotten.clear();
    this.entries.clear();
    this.byUser.clear();
  }

  /** A notice from the database: a person's id, or '*' for everyone. */
  heard(payload: string | undefined): void {
    const id = Number(payload);
    if (payload && /^\d+$/.test(payload) && Number.isSafeInteger(id)) this.forgetUser(id);
    else this.clear();
  }

  /** Starts hearing the database's notices; until then (and without a database URL) nothing is kept. */
  async listen(): Promise<void> {
    if (this.opts.ttlMs <= 0 || !this.opts.databaseUrl || this.listener || this.closed) return;
    this.listener = new ReconnectingListener({
      url: this.opts.databaseUrl,
      channel: ACTORS_CHANNEL,
      applicationName: 'convene-sessions',
      onNotify: (payload) => this.heard(payload),
      onLost: () => {
        this.listening = false;
        this.clear();
      },
      onRestored: () => {
        this.clear();
        this.listening = true;
      },
      log: this.opts.log,
    });
    // A first try that fails keeps retrying by itself; `onRestored` turns keeping on when it succeeds.
    await this.listener.start().then(
      () => {
        this.clear();
        this.listening = true;
      },
      (err: Error) => this.opts.log?.(`session cache off until the database answers: ${err.message}`),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    this.clear();
    await this.listener?.close();
  }
}
