import PgBoss from 'pg-boss';
import { CompiledQuery } from 'kysely';
import type { Db, Tx } from '../db/db.js';

/**
 * Background work in PostgreSQL through pg-boss 10: jobs are written in the
 * same transaction as the change that causes them (so a rolled-back post
 * sends nothing, and a committed one is never forgotten), carry only ids,
 * and are retried with backoff. Handlers reload what they need and must be
 * safe to run twice.
 */
export const QUEUES = {
  /** A post was published: work out who to notify. */
  postPublished: 'post-published',
  /** Send one notification by email, now. */
  notificationEmail: 'notification-email',
  /** Hourly: find people whose daily or weekly digest is due. */
  digestSweep: 'digest-sweep',
  /** Send one person's digest. */
  digest: 'digest',
  /** Pull searchable text out of an uploaded resource file. */
  resourceExtract: 'resource-extract',
  /** Roll raw view events up into daily reach figures (hourly). */
  reachRollup: 'reach-rollup',
  /** One event email (confirmation, waitlist, promotion, change, cancellation, reminder) to one person. */
  eventMail: 'event-mail',
  /** A day or an hour before an event: queue its reminders. */
  eventReminder: 'event-reminder',
  /** Roll recent activity up into engagement figures (hourly). */
  engagementRollup: 'engagement-rollup',
  /** Build one person's data download and email them. */
  accountExport: 'account-export',
  /** Remove one account that asked to be deleted, and email them. */
  accountDelete: 'account-delete',
  /** A new message in a private conversation, to one member by email. */
  conversationEmail: 'conversation-email',
  /** A bookmark's reminder is due. */
  bookmarkReminder: 'bookmark-reminder',
  /** One notification to the devices its person turned push on for. */
  pushNotification: 'push-notification',
  /** Something happened that webhooks may be told about: find the endpoints and queue a delivery each. */
  webhookFanout: 'webhook-fanout',
  /** One signed webhook delivery (retried with backoff). */
  webhookDeliver: 'webhook-deliver',
  /** An account made by a members import: email its owner the invitation. */
  memberInvite: 'member-invite',
  /** Mailing-list mode: one post, as its own email, to one member. */
  listEmail: 'list-email',
  /** A facilitator approved or returned a story of value: tell its author. */
  storyReviewed: 'story-reviewed',
  /** A poll or proposal was opened: tell the people who may weigh in. */
  decisionOpened: 'decision-opened',
  /** Hourly: ask the use follow-ups that have come due. */
  followupSweep: 'followup-sweep',
  /** One use follow-up, by email. */
  followupEmail: 'followup-email',
  /** Someone asked for a translation: tell the members who read both languages. */
  translationRequested: 'translation-requested',
  /** A translation people asked for was written: tell them. */
  translationDone: 'translation-done',
  /** Daily: apply the retention settings (old notifications, inactive accounts, expired downloads). */
  retention: 'retention',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export const PGBOSS_SCHEMA = 'pgboss';

const RETRY = { retryLimit: 6, retryDelay: 30, retryBackoff: true };

/** pg-boss's database interface over a Kysely connection or transaction. */
function executor(db: Db | Tx): PgBoss.Db {
  return {
    async executeSql(text: string, values: unknown[] = []) {
      const r = await db.executeQuery(CompiledQuery.raw(text, values));
      return { rows: r.rows as unknown[] } as { rows: never[] };
    },
  };
}

/**
 * Installs (or upgrades) pg-boss's tables and our queues. Called by migrate(),
 * so every database Convene migrates, including test templates, has them.
 */
export async function installJobs(connectionString: string): Promise<void> {
  const boss = new PgBoss({ connectionString, schema: PGBOSS_SCHEMA, max: 1, supervise: false, schedule: false, migrate: true });
  boss.on('error', () => {});
  await boss.start();
  try {
    for (const name of Object.values(QUEUES)) await boss.createQueue(name, { name, ...RETRY });
  } finally {
    await boss.stop({ graceful: false, wait: true });
  }
}

export type JobHandler = (data: Record<string, unknown>, job: { id: string; name: string }) => Promise<void>;

export interface JobsOptions {
  /** Run workers and the hourly digest schedule (servers); tests drain by hand. */
  work?: boolean;
  pollingIntervalSeconds?: number;
  onError?: (err: Error) => void;
}

export class Jobs {
  readonly boss: PgBoss;
  private handlers = new Map<string, JobHandler>();
  private started = false;
  private bossStarted = false;

  constructor(
    private readonly db: Db,
    private readonly opts: JobsOptions = {},
  ) {
    this.boss = new PgBoss({ db: executor(db), schema: PGBOSS_SCHEMA, migrate: false, supervise: !!opts.work, schedule: !!opts.work });
    this.boss.on('error', (err) => opts.onError?.(err));
  }

  /** Enqueues a job inside the caller's transaction. `key` makes it once-only while queued or running. */
  async send(tx: Tx | Db, name: QueueName, data: Record<string, unknown>, options: { key?: string; startAfter?: Date | number } = {}): Promise<void> {
    await this.boss.send(name, data, { ...RETRY, singletonKey: options.key, startAfter: options.startAfter, db: executor(tx) });
  }

  handle(name: QueueName, handler: JobHandler): void {
    this.handlers.set(name, handler);
  }

  /** Starts the workers (and the digest schedule) in this process. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.startBoss();
    for (const [name, handler] of this.handlers) {
      await this.boss.work(name, { pollingIntervalSeconds: this.opts.pollingIntervalSeconds ?? 2, batchSize: 1 }, async (jobs) => {
        for (const job of jobs) await handler(job.data as Record<string, unknown>, { id: job.id, name });
      });
    }
    await this.boss.schedule(QUEUES.digestSweep, '7 * * * *', {}, { ...RETRY, singletonKey: 'sweep' });
    await this.boss.schedule(QUEUES.reachRollup, '17 * * * *', {}, { ...RETRY, singletonKey: 'rollup' });
    await this.boss.schedule(QUEUES.engagementRollup, '27 * * * *', {}, { ...RETRY, singletonKey: 'engagement' });
    await this.boss.schedule(QUEUES.followupSweep, '47 * * * *', {}, { ...RETRY, singletonKey: 'followups' });
    await this.boss.schedule(QUEUES.retention, '41 3 * * *', {}, { ...RETRY, singletonKey: 'retention' });
  }

  private async startBoss() {
    if (this.bossStarted) return;
    this.bossStarted = true;
    await this.boss.start();
  }

  async stop(): Promise<void> {
    if (!this.bossStarted) return;
    this.started = false;
    this.bossStarted = false;
    await this.boss.stop({ graceful: true, wait: true, close: false, timeout: 5000 });
  }

  /**
   * Runs every job that is due, queue by queue, until none is left (used by
   * tests instead of polling workers). Failures are recorded with pg-boss like a worker's would be;
   * returns how many jobs ran and how many failed.
   */
  async drain(opts: { maxRounds?: number } = {}): Promise<{ ran: number; failed: number; errors: Error[] }> {
    await this.startBoss();
    let ran = 0;
    let failed = 0;
    const errors: Error[] = [];
    for (let round = 0; round < (opts.maxRounds ?? 20); round++) {
      let any = false;
      for (const [name, handler] of this.handlers) {
        const jobs = await this.boss.fetch(name, { batchSize: 50 });
        for (const job of jobs) {
          any = true;
          ran++;
          try {
            await handler(job.data as Record<string, unknown>, { id: job.id, name });
            await this.boss.complete(name, job.id);
          } catch (err) {
            failed++;
            errors.push(err as Error);
            await this.boss.fail(name, job.id, { message: (err as Error).message });
          }
        }
      }
      if (!any) break;
    }
    return { ran, failed, errors };
  }
}
