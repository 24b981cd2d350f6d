import { ReconnectingListener } from '../platform/db/listener.js';

export const POSTS_CHANNEL = 'convene_posts';

type Listener = (event: { post_id: number }) => void;

/**
 * Live thread updates across processes: each app process holds one
 * PostgreSQL connection that LISTENs on `convene_posts`; posting commands
 * NOTIFY in their transaction, so every process hears about a committed post
 * and tells the thread pages it has open (server-sent events). Events carry
 * ids only: the page then fetches the new posts through an ordinary,
 * permission-checked request.
 */
export class LiveHub {
  private listener: ReconnectingListener | undefined;
  private listeners = new Map<number, Set<Listener>>();
  private closed = false;

  constructor(
    private readonly databaseUrl: string | undefined,
    private readonly log: (msg: string) => void = () => {},
  ) {}

  get available(): boolean {
    return !!this.databaseUrl && !this.closed;
  }

  /** Subscribes to new posts of one thread; returns the unsubscribe function. */
  async subscribe(threadId: number, fn: Listener): Promise<() => void> {
    await this.connect();
    let set = this.listeners.get(threadId);
    if (!set) this.listeners.set(threadId, (set = new Set()));
    set.add(fn);
    return () => {
      set!.delete(fn);
      if (set!.size === 0) this.listeners.delete(threadId);
    };
  }

  /** How many pages are listening, for health checks and tests. */
  get subscriberCount(): number {
    let n = 0;
    for (const s of this.listeners.values()) n += s.size;
    return n;
  }

  private connect(): Promise<void> {
    if (!this.databaseUrl) return Promise.reject(new Error('live updates need a database URL'));
    if (this.closed) return Promise.reject(new Error('live updates have stopped'));
    if (!this.listener) {
      const listener = new ReconnectingListener({
        url: this.databaseUrl,
        channel: POSTS_CHANNEL,
        applicationName: 'convene-live',
        onNotify: (payload) => {
          if (!payload) return;
          try {
            const { thread_id, post_id } = JSON.parse(payload) as { thread_id: number; post_id: number };
            for (const fn of this.listeners.get(Number(thread_id)) ?? []) fn({ post_id: Number(post_id) });
          } catch {
            // A payload we did not write: ignore it.
          }
        },
        // Posts made while the connection was down were not heard: every open page fetches what it missed.
        onRestored: () => {
          for (const set of this.listeners.values()) for (const fn of set) fn({ post_id: 0 });
        },
        log: this.log,
      });
      this.listener = listener;
      return listener.start().catch((err: unknown) => {
        // The first try failed: forget this listener so the next page tries afresh.
        if (this.listener === listener) this.listener = undefined;
        void listener.close();
        throw err;
      });
    }
    return this.listener.start();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    await this.listener?.close();
  }
}
