import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { ReconnectingListener } from '../db/listener.js';
import type { Db } from '../db/db.js';

export const CHANGES_CHANNEL = 'convene_changes';

interface Entry {
  /** The page as UTF-8 bytes, encoded once when it was stored. */
  body: Buffer;
  language: string;
  at: number;
}

/**
 * A brief cache of whole pages for signed-out visitors (the busiest traffic
 * when a newsletter links here). Only pages that carry nothing personal are
 * stored: rendered for an anonymous visitor, 200, no form token, no flash, no
 * cookie set. Keyed by language, time zone and URL; entries live a few
 * seconds, and every successful write anywhere clears them: the process that
 * wrote clears its own at once and NOTIFYs `convene_changes`, which every
 * other process LISTENs to, so several processes and machines stay in step.
 */
export class PageCache {
  private entries = new Map<string, Entry>();
  private listener: ReconnectingListener | undefined;
  private closed = false;
  /** False while the cross-process listener is down: then nothing is kept, since other processes' writes would go unheard. */
  private trusted = true;

  constructor(
    private readonly opts: { ttlMs: number; maxEntries: number; /** Bytes of pages kept at most (oldest dropped first); default 32 MiB (CONVENE_PAGE_CACHE_MB). */ maxBytes?: number; databaseUrl?: string; log?: (m: string) => void },
  ) {}

  static key(locale: string, tz: string, url: string) {
    return `${locale}|${tz}|${url}`;
  }

  /** Bytes of the pages kept now. */
  private bytes = 0;

  private drop(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.bytes -= e.body.length;
    this.entries.delete(key);
  }

  get(key: string): Entry | undefined {
    if (!this.trusted) return undefined;
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (Date.now() - e.at > this.opts.ttlMs) {
      this.drop(key);
      return undefined;
    }
    return e;
  }

  put(key: string, body: Buffer, language: string): void {
    if (this.opts.ttlMs <= 0 || !this.trusted) return;
    const maxBytes = this.opts.maxBytes ?? 32 * 1024 * 1024;
    if (body.length > maxBytes / 16) return;
    this.drop(key);
    // Drop the oldest (Map keeps insertion order) until the page fits both bounds.
    while (this.entries.size > 0 && (this.entries.size >= this.opts.maxEntries || this.bytes + body.length > maxBytes)) {
      const first = this.entries.keys().next().value;
      if (first === undefined) break;
      this.drop(first);
    }
    this.entries.set(key, { body, language, at: Date.now() });
    this.bytes += body.length;
  }

  private clearListeners: (() => void)[] = [];

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
    for (const fn of this.clearListeners) fn();
  }

  /** Other short-lived caches (a dashboard's sums) are cleared together with the pages. */
  onClear(fn: () => void): void {
    this.clearListeners.push(fn);
  }

  get ttlMs(): number {
    return this.opts.ttlMs;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Bytes of the pages kept now (bounded by `maxBytes`). */
  get byteSize(): number {
    return this.bytes;
  }

  /** Names this process's notifications, so it does not clear again what it already cleared. */
  private readonly origin = randomUUID();

  /** Something changed: forget every page here and tell the other processes. */
  async changed(db: Db): Promise<void> {
    this.clear();
    await sql`SELECT pg_notify(${CHANGES_CHANNEL}, ${this.origin})`.execute(db);
  }

  /**
   * Listens for other processes' changes (no-op without a database URL). While
   * the listener is down (the database restarting) nothing is cached; when it
   * is back, everything cached before is forgotten.
   */
  async listen(): Promise<void> {
    if (!this.opts.databaseUrl || this.listener || this.closed) return;
    this.listener = new ReconnectingListener({
      url: this.opts.databaseUrl,
      channel: CHANGES_CHANNEL,
      applicationName: 'convene-cache',
      // Our own notice arrives late, possibly after newer entries were made: only others' clear.
      onNotify: (payload) => {
        if (payload !== this.origin) this.clear();
      },
      onLost: () => {
        this.trusted = false;
        this.clear();
      },
      onRestored: () => {
        this.clear();
        this.trusted = true;
      },
      log: this.opts.log,
    });
    await this.listener.start();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.clear();
    await this.listener?.close();
  }
}
