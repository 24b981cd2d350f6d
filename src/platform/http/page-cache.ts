import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { sql } from 'kysely';
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
  private client: pg.Client | undefined;
  private closed = false;

  constructor(
    private readonly opts: { ttlMs: number; maxEntries: number; databaseUrl?: string; log?: (m: string) => void },
  ) {}

  static key(locale: string, tz: string, url: string) {
    return `${locale}|${tz}|${url}`;
  }

  get(key: string): Entry | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (Date.now() - e.at > this.opts.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  put(key: string, body: Buffer, language: string): void {
    if (this.opts.ttlMs <= 0) return;
    if (this.entries.size >= this.opts.maxEntries) {
      // Drop the oldest (Map keeps insertion order).
      const first = this.entries.keys().next().value;
      if (first !== undefined) this.entries.delete(first);
    }
    this.entries.set(key, { body, language, at: Date.now() });
  }

  private clearListeners: (() => void)[] = [];

  clear(): void {
    this.entries.clear();
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

  /** Names this process's notifications, so it does not clear again what it already cleared. */
  private readonly origin = randomUUID();

  /** Something changed: forget every page here and tell the other processes. */
  async changed(db: Db): Promise<void> {
    this.clear();
    await sql`SELECT pg_notify(${CHANGES_CHANNEL}, ${this.origin})`.execute(db);
  }

  /** Listens for other processes' changes (no-op without a database URL). */
  async listen(): Promise<void> {
    if (!this.opts.databaseUrl || this.client || this.closed) return;
    const client = new pg.Client({ connectionString: this.opts.databaseUrl, application_name: 'convene-cache' });
    client.on('notification', (msg) => {
      // Our own notice arrives late, possibly after newer entries were made: only others' clear.
      if (msg.channel === CHANGES_CHANNEL && msg.payload !== this.origin) this.clear();
    });
    client.on('error', (err) => {
      this.opts.log?.(`page cache listener lost: ${err.message}`);
      this.clear();
      this.client = undefined;
    });
    await client.connect();
    await client.query(`LISTEN ${CHANGES_CHANNEL}`);
    this.client = client;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.clear();
    const c = this.client;
    this.client = undefined;
    if (c) await c.end().catch(() => {});
  }
}
