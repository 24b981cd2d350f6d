import pg from 'pg';

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
  private client: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
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
    this.connecting ??= (async () => {
      const client = new pg.Client({ connectionString: this.databaseUrl, application_name: 'convene-live' });
      client.on('notification', (msg) => {
        if (msg.channel !== POSTS_CHANNEL || !msg.payload) return;
        try {
          const { thread_id, post_id } = JSON.parse(msg.payload) as { thread_id: number; post_id: number };
          for (const fn of this.listeners.get(Number(thread_id)) ?? []) fn({ post_id: Number(post_id) });
        } catch {
          // A payload we did not write: ignore it.
        }
      });
      client.on('error', (err) => {
        this.log(`live updates connection lost: ${err.message}`);
        this.client = undefined;
        this.connecting = undefined;
      });
      client.on('end', () => {
        this.client = undefined;
        this.connecting = undefined;
      });
      await client.connect();
      await client.query(`LISTEN ${POSTS_CHANNEL}`);
      this.client = client;
    })().catch((err) => {
      this.connecting = undefined;
      throw err;
    });
    return this.connecting;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    const c = this.client;
    this.client = undefined;
    if (c) await c.end().catch(() => {});
  }
}
