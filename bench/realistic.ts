/**
 * Traffic as people really send it (issue 30): many different pages and
 * queries drawn from the whole bench data set with a skewed popularity, as
 * many different people, so most requests miss the page cache and the shared
 * results cache and the miss path is what is measured.
 *
 * - Threads and groups are drawn with a Zipf law (s = 1): a few are hot, most
 *   are cold; the rank order is shuffled once so hot items are spread over
 *   the table rather than the first ids.
 * - Signed-in people are sessions made directly in the database (the cookie
 *   signed with the bench's session secret), so 1,000 people cost no sign-in.
 * - Only what the reader may open is drawn (public spaces for visitors; public
 *   and members-only spaces for members), so every answer is a 200.
 * - Search queries are two words taken from 1,000 sampled posts' own text.
 */
import { createHash, randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { sign } from '@fastify/cookie';
import type autocannon from 'autocannon';

/** Deterministic pseudo-random numbers, so two runs draw the same traffic. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws items with Zipf popularity (rank r has weight 1 / r^s), over a shuffled order. */
export function zipf<T>(items: T[], random: () => number, s = 1): () => T {
  const order = [...items];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const cdf = new Float64Array(order.length);
  let total = 0;
  for (let i = 0; i < order.length; i++) cdf[i] = total += 1 / Math.pow(i + 1, s);
  return () => {
    const x = random() * total;
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return order[lo]!;
  };
}

/** The members (not facilitators) the realistic scenarios sign in as, the same `count` every run. */
export async function benchMembers(db: Kysely<any>, count: number): Promise<{ id: number }[]> {
  return (
    await sql<{ id: number }>`SELECT id FROM users WHERE role = 'member' AND deactivated_at IS NULL AND email_verified_at IS NOT NULL AND totp_enabled_at IS NULL ORDER BY md5(id::text) LIMIT ${count}`.execute(db)
  ).rows;
}

/** Session cookies for `count` members (not facilitators), made directly in the database. */
export async function memberCookies(db: Kysely<any>, secret: string, count: number, cookieName = 'convene_sid'): Promise<string[]> {
  const users = await benchMembers(db, count);
  // Each has read some threads a month ago (most of them have had replies since): Unread has something to show.
  // What earlier runs' thread pages marked read is forgotten first: every run starts from the same marks
  // (measured: after eight runs the members held about 110 marks each, and the home and Unread fell by half).
  await sql`DELETE FROM thread_reads WHERE user_id = ANY(${users.map((u) => u.id)}::bigint[])`.execute(db);
  await sql`INSERT INTO thread_reads (user_id, thread_id, read_at)
    SELECT u.id, t.id, now() - interval '30 days' FROM unnest(${users.map((u) => u.id)}::bigint[]) AS u(id)
    CROSS JOIN generate_series(1, 20) AS g(n)
    JOIN threads t ON t.id = (u.id * 7919 + g.n * 104729) % (SELECT max(id) FROM threads) + 1 AND t.deleted_at IS NULL
    ON CONFLICT (user_id, thread_id) DO UPDATE SET read_at = EXCLUDED.read_at`.execute(db);
  const cookies: string[] = [];
  for (const u of users) {
    const token = randomBytes(32).toString('base64url');
    const id = createHash('sha256').update(token).digest('hex');
    await sql`INSERT INTO sessions (id, user_id, user_agent, expires_at) VALUES (${id}, ${u.id}, 'bench', now() + interval '1 day')`.execute(db);
    cookies.push(`${cookieName}=${encodeURIComponent(sign(token, secret))}`);
  }
  // Every run rewrites the same read marks: without this, the dead rows and stale statistics of
  // earlier runs flip the home page's plan (measured: 250 → 13–19 req/s on the third run in a row,
  // back to 250 after VACUUM ANALYZE). A server has autovacuum for that; a bench run must not wait for it.
  await sql`VACUUM (ANALYZE) thread_reads, sessions`.execute(db);
  return cookies;
}

export interface RealisticData {
  publicThreads: number[];
  memberThreads: number[];
  memberGroups: string[];
  queries: string[];
}

/** What the scenarios draw from: readable threads and groups, and 1,000 two-word queries from the posts' own words. */
export async function realisticData(db: Kysely<any>): Promise<RealisticData> {
  const threads = (
    await sql<{ id: number; visibility: string | null }>`SELECT t.id, g.visibility FROM threads t LEFT JOIN practice_groups g ON g.id = t.group_id
       WHERE t.deleted_at IS NULL AND (g.id IS NULL OR (g.visibility IN ('public', 'members') AND g.archived_at IS NULL))`.execute(db)
  ).rows;
  const groups = (await sql<{ slug: string }>`SELECT slug FROM practice_groups WHERE visibility IN ('public', 'members') AND archived_at IS NULL`.execute(db)).rows;
  const bodies = (await sql<{ body: string }>`SELECT body FROM posts TABLESAMPLE SYSTEM (1) REPEATABLE (42) WHERE deleted_at IS NULL AND body NOT LIKE 'Bench reply %' LIMIT 1000`.execute(db)).rows;
  const random = rng(7);
  const queries: string[] = [];
  for (const { body } of bodies) {
    const words = body.toLowerCase().match(/[a-záéíóúñü]{5,}/g) ?? [];
    if (words.length < 2) continue;
    const a = words[Math.floor(random() * words.length)]!;
    const b = words[Math.floor(random() * words.length)]!;
    queries.push(`${a} ${b}`);
  }
  return {
    publicThreads: threads.filter((t) => t.visibility === null || t.visibility === 'public').map((t) => t.id),
    memberThreads: threads.map((t) => t.id),
    memberGroups: groups.map((g) => g.slug),
    queries,
  };
}

/** An autocannon request that takes its path (and cookie) from `next()` each time. */
export function varied(next: () => { path: string; cookie?: string }): Pick<autocannon.Options, 'requests'> {
  return {
    requests: [
      {
        setupRequest: (req: any) => {
          const { path, cookie } = next();
          return { ...req, path, headers: { ...(req.headers ?? {}), ...(cookie ? { cookie } : {}) } };
        },
      },
    ],
  };
}

export const REALISTIC = [
  'realistic: thread pages, signed out',
  'realistic: thread pages, signed in',
  'realistic: group pages, signed in',
  'realistic: search, signed in',
  'realistic: search, signed out',
  'realistic: home, signed in',
  'realistic: unread, signed in',
] as const;

/** The realistic scenarios, named as in REALISTIC. */
export function realisticScenarios(base: string, data: RealisticData, cookies: string[]): [string, autocannon.Options][] {
  const random = rng(11);
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)]!;
  const publicThread = zipf(data.publicThreads, rng(1));
  const memberThread = zipf(data.memberThreads, rng(2));
  const group = zipf(data.memberGroups, rng(3));
  const query = zipf(data.queries, rng(4));
  const readers = cookies.slice(0, 500);
  const homeReaders = cookies.slice(0, 1000);
  const q = () => `/search?q=${encodeURIComponent(query())}`;
  const [threadsOut, threadsIn, groupsIn, searchIn, searchOut, homeIn, unreadIn] = REALISTIC;
  return [
    [threadsOut, { url: base, ...varied(() => ({ path: `/threads/${publicThread()}` })) }],
    [threadsIn, { url: base, ...varied(() => ({ path: `/threads/${memberThread()}`, cookie: pick(readers) })) }],
    [groupsIn, { url: base, ...varied(() => ({ path: `/groups/${group()}`, cookie: pick(readers) })) }],
    [searchIn, { url: base, ...varied(() => ({ path: q(), cookie: pick(readers) })) }],
    [searchOut, { url: base, ...varied(() => ({ path: q() })) }],
    [homeIn, { url: base, ...varied(() => ({ path: '/', cookie: pick(homeReaders) })) }],
    [unreadIn, { url: base, ...varied(() => ({ path: '/unread', cookie: pick(homeReaders) })) }],
  ];
}
