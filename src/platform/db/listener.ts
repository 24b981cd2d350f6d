import pg from 'pg';

/**
 * A LISTEN connection that survives the database going away: when the
 * connection is lost it reconnects by itself, waiting longer after each
 * failed try (half a second, doubling, at most 30 seconds), and says when it
 * is lost and when it is back, so callers can stop trusting (or re-sync)
 * whatever the notifications kept up to date.
 */
export class ReconnectingListener {
  private client: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private delay = 500;
  private closed = false;
  private starting: Promise<void> | undefined;
  private wasLost = false;

  constructor(
    private readonly opts: {
      url: string;
      channel: string;
      applicationName: string;
      onNotify: (payload: string | undefined) => void;
      onLost?: (reason: string) => void;
      onRestored?: () => void;
      log?: (m: string) => void;
      maxDelayMs?: number;
    },
  ) {}

  /** Connects (once); rejects if the first try fails, then keeps retrying in the background. */
  start(): Promise<void> {
    this.starting ??= this.connect().catch((err: Error) => {
      this.lost(err.message);
      throw err;
    });
    return this.starting;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.opts.url, application_name: this.opts.applicationName });
    // Every client gets an error listener before anything else: an unhandled 'error' would end the process.
    client.on('error', (err) => {
      if (this.client === client) this.lost(err.message);
    });
    client.on('end', () => {
      if (this.client === client) this.lost('connection ended');
    });
    client.on('notification', (msg) => {
      if (msg.channel === this.opts.channel) this.opts.onNotify(msg.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${this.opts.channel}`);
    } catch (err) {
      await client.end().catch(() => {});
      throw err;
    }
    if (this.closed) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.delay = 500;
    if (this.wasLost) {
      this.wasLost = false;
      this.opts.log?.(`${this.opts.applicationName}: listening again`);
      this.opts.onRestored?.();
    }
  }

  private lost(reason: string): void {
    const c = this.client;
    this.client = undefined;
    if (c) c.end().catch(() => {});
    if (this.closed) return;
    if (!this.wasLost) {
      this.wasLost = true;
      this.opts.log?.(`${this.opts.applicationName}: connection lost (${reason}); reconnecting`);
      this.opts.onLost?.(reason);
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    const wait = this.delay;
    this.delay = Math.min(this.delay * 2, this.opts.maxDelayMs ?? 30_000);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.connect().catch((err: Error) => {
        this.opts.log?.(`${this.opts.applicationName}: reconnecting failed (${err.message})`);
        this.schedule();
      });
    }, wait);
    this.timer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const c = this.client;
    this.client = undefined;
    if (c) await c.end().catch(() => {});
  }
}
