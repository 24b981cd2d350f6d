import type { Db, Tx } from './db.js';

/** Records an admin, facilitator or lead action in the audit log (inside the command's transaction). */
export async function audit(
  tx: Tx | Db,
  actorId: number | null,
  action: string,
  subject: { type: string; id?: string | number | null },
  data: Record<string, unknown> = {},
): Promise<void> {
  await tx
    .insertInto('audit_log')
    .values({ actor_id: actorId, action, subject_type: subject.type, subject_id: subject.id == null ? null : String(subject.id), data: JSON.stringify(data) })
    .execute();
}

const IDEM_KEY = /^[A-Za-z0-9_-]{8,100}$/;

/**
 * Runs `fn` once per (user, key) in one transaction: a second submit of the same
 * form (double click, resubmit after a slow answer) gets the first one's result
 * instead of creating a second record. Concurrent duplicates wait on the key's
 * row lock, then read the stored result.
 */
export async function once<R extends Record<string, unknown>>(
  db: Db,
  userId: number,
  key: string | undefined,
  fn: (tx: Tx) => Promise<R>,
): Promise<R> {
  return db.transaction().execute(async (tx) => {
    if (!key || !IDEM_KEY.test(key)) return fn(tx);
    const inserted = await tx
      .insertInto('idempotency_keys')
      .values({ user_id: userId, key, result: JSON.stringify({}) })
      .onConflict((oc) => oc.doNothing())
      .returning('key')
      .executeTakeFirst();
    if (!inserted) {
      const prior = await tx.selectFrom('idempotency_keys').select('result').where('user_id', '=', userId).where('key', '=', key).executeTakeFirstOrThrow();
      return prior.result as R;
    }
    const result = await fn(tx);
    await tx.updateTable('idempotency_keys').set({ result: JSON.stringify(result) }).where('user_id', '=', userId).where('key', '=', key).execute();
    return result;
  });
}

/** True for a unique-constraint violation (optionally on a named constraint). */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string };
  return e?.code === '23505' && (!constraint || e.constraint === constraint);
}
