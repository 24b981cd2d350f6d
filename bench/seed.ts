/**
 * `npm run bench:seed -- --scale N`: fills a PostgreSQL database with a
 * synthetic national community for `npm run bench`. At scale 1: 50,000
 * members, 12 practice groups plus 500 smaller ones, 100,000 threads,
 * 1,000,000 posts of 20 to 2,000 characters of varied text, 20,000 resources,
 * 5,000 events with 200,000 registrations, 2,000 glossary terms and
 * 10,000,000 view events in the reach ledger (rolled up as the hourly job does).
 *
 * The database is `convene_bench` on BENCH_DATABASE_URL's server, or on an
 * embedded PostgreSQL kept in ./data/bench (reused by `npm run bench`). Rows
 * are made inside the server by set-based INSERT … SELECT over
 * generate_series, chunk by chunk: the data never crosses the wire, which is
 * faster than streaming COPY from the client (see bench/README.md).
 *
 * Bench accounts: bench1@bench.convene.test … (password "bench password"),
 * bench1 is a facilitator; API tokens cvn_bench_<n> for the first 500 members.
 */
import { RENDER_VERSION } from '../src/discussions/markdown.js';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { connect } from '../src/platform/db/db.js';
import { migrate } from '../src/platform/db/migrate.js';
import { hashPassword, hashToken, seal } from '../src/platform/auth/secrets.js';
import { rollupReach } from '../src/reach/ledger.js';
import { rollupEngagement } from '../src/analytics/engagement.js';
import { BENCH_SESSION_SECRET, BENCH_TOTP_SECRET, benchDatabase, bar } from './common.js';

const { values } = parseArgs({ options: { scale: { type: 'string', default: '1' } } });
const SCALE = Number(values.scale);
if (!(SCALE > 0 && SCALE <= 20)) {
  console.error('--scale must be a number above 0 (at most 20)');
  process.exit(2);
}
const n = (x: number) => Math.max(1, Math.round(x * SCALE));
const MEMBERS = n(50_000);
const SMALL_GROUPS = n(500);
const GROUPS = 12 + SMALL_GROUPS;
const THREADS = n(100_000);
const REPLIES = n(900_000);
const RESOURCES = n(20_000);
const EVENTS = n(5_000);
const REGS_PER_EVENT = 40;
const TERMS = 2_000;
const VIEWS = n(10_000_000);
export const BENCH_PASSWORD = 'bench password';
export const BENCH_TOKENS = 500;

// Words of the field, so full-text search, the glossary and ranking see realistic text.
const WORDS =
  'school family student teacher counselor psychologist mental health behavioral support plan team district state community youth parent screening referral ' +
  'trauma informed classroom attendance discipline suspension restorative practice wellness prevention intervention tier universal targeted intensive data ' +
  'meeting partnership leadership policy funding medicaid billing clinician provider agency coordination transition juvenile justice diversion military ' +
  'relocation culture language interpreter spanish english equity access rural urban training coaching fidelity outcome evaluation survey climate safety ' +
  'crisis response suicide anxiety depression grief bullying peer mentor afterschool summer early childhood elementary middle high graduation college career ' +
  'consent privacy records confidentiality release information sharing agreement memorandum schedule calendar webinar toolkit brief guide checklist template ' +
  'question answer idea concern success challenge lesson story example evidence research practice-based promising outcome measure dashboard report reach';
const WORD_LIST = WORDS.split(/\s+/);
const SYLLABLES = 'ba be bi bo bu da de di do du fa fe fi fo ka ke ki ko la le li lo lu ma me mi mo na ne ni no ra re ri ro sa se si so ta te'.split(' ');
const STATES = ['AL', 'AK', 'AZ', 'AR', 'CA', 'CO', 'CT', 'DE', 'FL', 'GA', 'HI', 'ID', 'IL', 'IN', 'IA', 'KS', 'KY', 'LA', 'ME', 'MD', 'MA', 'MI', 'MN', 'MS', 'MO', 'MT', 'NE', 'NV', 'NH', 'NJ', 'NM', 'NY', 'NC', 'ND', 'OH', 'OK', 'OR', 'PA', 'RI', 'SC', 'SD', 'TN', 'TX', 'UT', 'VT', 'VA', 'WA', 'WV', 'WI', 'WY'];
const PERSPECTIVES = ['family', 'youth', 'educator', 'school_mh', 'community_mh', 'administrator', 'researcher', 'physician', 'juvenile_justice', 'military_family', 'policymaker'];

async function main() {
  const t0 = Date.now();
  const { url, stop } = await benchDatabase({ fresh: true });
  await migrate(url);
  const handle = connect(url, 'postgres', { max: 2 });
  const db = handle.db;
  const words = sql`${WORD_LIST}::text[]`;
  // Text: a table of 20,000 phrases of six words (one word in ten from the field's vocabulary, the
  // rest from 64,000 made-up three-syllable words) is made once; a post strings together 1 to 50 of
  // them picked by hash. A two-word query then matches a realistic share of posts, cheaply.
  const syl = sql`${SYLLABLES}::text[]`;
  await sql`CREATE TEMP TABLE bench_phrases AS
    SELECT i, (SELECT string_agg(CASE WHEN x % 10 = 0 THEN (${words})[1 + (x / 10) % ${WORD_LIST.length}]
                                 ELSE (${syl})[1 + x % 40] || (${syl})[1 + (x / 40) % 40] || (${syl})[1 + (x / 1600) % 40] END, ' ')
                 FROM (SELECT ((i * 2654435761 + k * 40503) % 2147483647) AS x FROM generate_series(1, 6) k) w) AS phrase
      FROM generate_series(0, 19999) i`.execute(db);
  await sql`ALTER TABLE bench_phrases ADD PRIMARY KEY (i)`.execute(db);
  await sql`ANALYZE bench_phrases`.execute(db);
  const text = (h: ReturnType<typeof sql>, min: number, spread: number) => {
    const count = Math.max(1, Math.ceil(min / 6));
    const extra = Math.max(1, Math.ceil(spread / 6));
    return sql`(SELECT left(string_agg(bp.phrase, '. '), 2000) FROM generate_series(1, ${count} + (${h} % ${extra})::int) k JOIN bench_phrases bp ON bp.i = (${h} * 7919 + k * 104729) % 20000)`;
  };
  const step = async (label: string, total: number, chunk: number, fn: (from: number, to: number) => Promise<unknown>) => {
    for (let done = 0; done < total; done += chunk) {
      const to = Math.min(total, done + chunk);
      await fn(done + 1, to);
      bar(label, to, total);
    }
  };
  try {
    await sql`SET synchronous_commit = off`.execute(db);
    await sql`INSERT INTO community (id, name, short_name, mission, reach_goal) VALUES (1, 'Benchmark community of practice', 'Bench', 'A synthetic community for load tests.', 4500000)`.execute(db);
    await sql`INSERT INTO organizations (slug, name, kind, level) SELECT 'bench-org-' || g, 'Organization ' || g, 'member', 'national' FROM generate_series(1, 200) g`.execute(db);
    await sql`INSERT INTO state_initiatives (state_code, name) SELECT s, 'State initiative ' || s FROM unnest(${STATES.slice(0, 17)}::text[]) s`.execute(db);

    const hash = await hashPassword(BENCH_PASSWORD);
    const visibility = JSON.stringify({ pronouns: 'public', bio: 'members', state: 'public', organizations: 'public', perspectives: 'public', expertise: 'public' });
    await step('members', MEMBERS, 50_000, (a, b) =>
      sql`INSERT INTO users (email, email_verified_at, password_hash, name, handle, role, state_code, perspectives, expertise, visibility, bio, created_at, updated_at)
        SELECT 'bench' || g || '@bench.convene.test', now(), ${hash}, 'Member ' || g, 'bench' || g, CASE WHEN g = 1 THEN 'facilitator' ELSE 'member' END,
               (${STATES}::text[])[1 + g % ${STATES.length}], ARRAY[(${PERSPECTIVES}::text[])[1 + g % ${PERSPECTIVES.length}]],
               ARRAY[(${words})[1 + (g * 13) % ${WORD_LIST.length}] || ' ' || (${words})[1 + (g * 17) % ${WORD_LIST.length}]],
               ${visibility}::jsonb, ${text(sql`g`, 5, 20)}, now() - (g % 700) * interval '1 day', now()
          FROM generate_series(${a}::bigint, ${b}::bigint) g`.execute(db),
    );
    await sql`INSERT INTO user_organizations (user_id, organization_id) SELECT id, 1 + id % 200 FROM users WHERE id % 3 = 0`.execute(db);
    await db.updateTable('users').set({ totp_secret: seal(BENCH_SESSION_SECRET, BENCH_TOTP_SECRET), totp_enabled_at: new Date() }).where('id', '=', 1).execute();
    const tokens = Array.from({ length: Math.min(BENCH_TOKENS, MEMBERS) }, (_, i) => ({ user_id: i + 1, name: 'bench', token_hash: hashToken(`cvn_bench_${i + 1}`), prefix: 'cvn_bench_' }));
    await db.insertInto('api_tokens').values(tokens).execute();

    // 12 large practice groups, then smaller ones; one in ten smaller groups is members-only, one in twenty private.
    await sql`INSERT INTO practice_groups (slug, name, mission, visibility, join_policy)
      SELECT 'bench-group-' || g, CASE WHEN g <= 12 THEN 'Practice group ' || g ELSE 'Small group ' || g END, ${text(sql`g`, 20, 30)},
             CASE WHEN g > 12 AND g % 20 = 0 THEN 'private' WHEN g > 12 AND g % 10 = 0 THEN 'members' ELSE 'public' END, 'open'
        FROM generate_series(1, ${GROUPS}) g`.execute(db);
    // Everyone is in one large group; two in three also in a smaller one; member g leads group g.
    await sql`INSERT INTO group_memberships (group_id, user_id, role, status)
      SELECT DISTINCT ON (gid, uid) gid, uid, CASE WHEN gid = uid THEN 'lead' ELSE 'member' END, 'active' FROM (
        SELECT 1 + u % 12 AS gid, u AS uid FROM generate_series(1, ${MEMBERS}) u
        UNION ALL SELECT 13 + u % ${SMALL_GROUPS}, u FROM generate_series(1, ${MEMBERS}) u WHERE u % 3 <> 0
        UNION ALL SELECT g, g FROM generate_series(1, ${Math.min(GROUPS, MEMBERS)}) g) x
      ON CONFLICT DO NOTHING`.execute(db);
    await sql`UPDATE practice_groups g SET member_count = (SELECT count(*) FROM group_memberships m WHERE m.group_id = g.id AND m.status = 'active')`.execute(db);

    // Indexes are faster built once than kept up row by row during a bulk load.
    const postIndexes = (await sql<{ def: string; name: string }>`SELECT indexname AS name, indexdef AS def FROM pg_indexes WHERE tablename = 'posts' AND indexname <> 'posts_pkey'`.execute(db)).rows;
    for (const ix of postIndexes) await sql`DROP INDEX ${sql.ref(ix.name)}`.execute(db);
    // So is the newest posts' search table: filled once after the load (the same function as its migration).
    await sql`ALTER TABLE posts DISABLE TRIGGER posts_recent_search_insert`.execute(db);
    // Threads: one in twenty in the community-wide space; the rest spread over groups, the large ones busiest.
    await step('threads', THREADS, 50_000, (a, b) =>
      sql`INSERT INTO threads (group_id, author_id, title, created_at, last_activity_at)
        SELECT CASE WHEN t % 20 = 0 THEN NULL WHEN t % 2 = 0 THEN 1 + t % 12 ELSE 13 + t % ${SMALL_GROUPS} END,
               1 + (t * 7919) % ${MEMBERS}, initcap(${text(sql`t`, 3, 8)}), now() - (t % 720) * interval '1 hour' - interval '1 day', now()
          FROM generate_series(${a}::bigint, ${b}::bigint) t`.execute(db),
    );
    await step('opening posts', THREADS, 50_000, (a, b) =>
      sql`INSERT INTO posts (thread_id, author_id, is_opening, body, created_at)
        SELECT t.id, t.author_id, true, ${text(sql`t.id`, 3, 300)}, t.created_at FROM threads t WHERE t.id BETWEEN ${a} AND ${b}`.execute(db),
    );
    // Replies: nine per thread on average, thread 1 gets 19 (a 20-post page for the benchmark).
    await step('replies', REPLIES, 50_000, (a, b) =>
      sql`INSERT INTO posts (thread_id, author_id, is_opening, body, created_at)
        SELECT CASE WHEN r <= 10 THEN 1 ELSE 1 + r % ${THREADS} END, 1 + (r * 104729) % ${MEMBERS}, false, ${text(sql`r`, 3, 300)}, now() - (r % 700) * interval '1 minute'
          FROM generate_series(${a}::bigint, ${b}::bigint) r`.execute(db),
    );
    // Posts made through the app are rendered when written; the generated text is plain words, so its HTML is one paragraph.
    await step('rendered post HTML', THREADS + REPLIES, 100_000, (a, b) =>
      sql`UPDATE posts SET body_html = '<p>' || body || '</p>', render_version = ${RENDER_VERSION} WHERE id BETWEEN ${a} AND ${b}`.execute(db),
    );
    process.stderr.write('indexing posts...\n');
    for (const ix of postIndexes) await sql.raw(ix.def).execute(db);
    await sql`ALTER TABLE posts ENABLE TRIGGER posts_recent_search_insert`.execute(db);
    await sql`SELECT recent_post_search_refill()`.execute(db);
    await sql`UPDATE threads t SET reply_count = x.n, last_activity_at = x.last FROM (
      SELECT thread_id, count(*) FILTER (WHERE NOT is_opening) AS n, max(created_at) AS last FROM posts GROUP BY thread_id) x WHERE x.thread_id = t.id`.execute(db);

    const kinds = ['brief', 'toolkit', 'guide', 'dialogue_guide', 'webinar', 'research_article', 'infographic', 'video', 'website'];
    await step('resources', RESOURCES, 20_000, (a, b) =>
      sql`INSERT INTO resources (slug, title, summary, description, kind, audiences, topics, language, evidence_level, review_status, published_on, visibility, external_url, created_by, created_at, updated_at)
        SELECT 'bench-resource-' || g, initcap(${text(sql`g`, 3, 6)}), ${text(sql`g * 3`, 15, 20)}, ${text(sql`g * 5`, 40, 200)},
               (${kinds}::text[])[1 + g % ${kinds.length}],
               ARRAY[(${PERSPECTIVES}::text[])[1 + g % ${PERSPECTIVES.length}], (${PERSPECTIVES}::text[])[1 + (g / 7) % ${PERSPECTIVES.length}]],
               ARRAY[(${words})[1 + g % ${WORD_LIST.length}]], CASE WHEN g % 20 = 0 THEN 'es' ELSE 'en' END,
               'promising', 'reviewed', current_date - (g % 900)::int, 'public', 'https://example.org/resource/' || g, 1 + g % ${MEMBERS}, now(), now()
          FROM generate_series(${a}::bigint, ${b}::bigint) g`.execute(db),
    );

    // Events across two years; each has 40 registrations, seats for 30 (the rest on the waitlist) or no limit.
    await sql`INSERT INTO events (uid, group_id, kind, title, description, starts_at, ends_at, time_zone, capacity, created_by)
      SELECT 'bench-event-' || e || '@bench.convene.test', CASE WHEN e % 3 = 0 THEN NULL ELSE 1 + e % ${GROUPS} END,
             (ARRAY['group_call','webinar','training','state_convening','annual_meeting','other'])[1 + e % 6], initcap(${text(sql`e`, 3, 6)}), ${text(sql`e * 11`, 20, 60)},
             now() + ((e % 730) - 365) * interval '1 day', now() + ((e % 730) - 365) * interval '1 day' + interval '1 hour', 'America/New_York',
             CASE WHEN e % 2 = 0 THEN 30 ELSE NULL END, 1
        FROM generate_series(1, ${EVENTS}) e`.execute(db);
    await step('registrations', EVENTS * REGS_PER_EVENT, EVENTS * REGS_PER_EVENT, () =>
      sql`INSERT INTO event_registrations (event_id, user_id, response, status, waitlisted_at, attended)
        SELECT e.id, 1 + (e.id * 131 + k * 7) % ${MEMBERS}, 'going', CASE WHEN e.capacity IS NULL OR k <= e.capacity THEN 'confirmed' ELSE 'waitlisted' END,
               CASE WHEN e.capacity IS NULL OR k <= e.capacity THEN NULL ELSE now() + k * interval '1 second' END, e.starts_at < now() AND k % 3 <> 0
          FROM events e, generate_series(1, ${REGS_PER_EVENT}) k
        ON CONFLICT DO NOTHING`.execute(db),
    );
    await sql`UPDATE events e SET going_count = x.c, waitlist_count = x.w, attended_count = x.a FROM (
      SELECT event_id, count(*) FILTER (WHERE status = 'confirmed') c, count(*) FILTER (WHERE status = 'waitlisted') w, count(*) FILTER (WHERE attended) a
        FROM event_registrations GROUP BY event_id) x WHERE x.event_id = e.id`.execute(db);

    await sql`INSERT INTO glossary_terms (slug, term, plain_definition, status)
      SELECT 'bench-term-' || g, 'benchterm' || g, ${text(sql`g`, 10, 20)}, 'published' FROM generate_series(1, ${TERMS}) g`.execute(db);

    await sql`INSERT INTO share_links (code, resource_id, organization_id, channel, created_at)
      SELECT 'bench' || lpad(g::text, 6, '0'), 1 + (g * 7919) % ${RESOURCES}, 1 + g % 200, 'newsletter', now() FROM generate_series(1, 2000) g`.execute(db);
    await step(`view events (${(VIEWS / 1e6).toFixed(1)}M)`, VIEWS, 1_000_000, (a, b) =>
      sql`INSERT INTO view_events (resource_id, kind, link_id, visitor, day, at)
        SELECT 1 + (h % ${RESOURCES}), CASE WHEN h % 10 = 0 THEN 3 WHEN h % 4 = 0 THEN 2 ELSE 1 END,
               CASE WHEN h % 10 = 0 THEN 1 + (h / 10) % 2000 ELSE NULL END,
               substring(sha256(int8send(h % 3000000)) from 1 for 16), current_date - (h % 365)::int, now()
          FROM (SELECT (g * 2654435761) % 4294967291 AS h FROM generate_series(${a}::bigint, ${b}::bigint) g) x`.execute(db),
    );
    await sql`INSERT INTO dissemination_reports (resource_id, organization_id, channel, recipients, sent_on, audiences, states, status, created_at)
      SELECT 1 + g % ${RESOURCES}, 1 + g % 200, 'newsletter', 100 + (g * 37) % 50000, current_date - (g % 365),
             ARRAY['family'], ARRAY[(${STATES}::text[])[1 + g % 17]], CASE WHEN g % 13 = 0 THEN 'questioned' ELSE 'verified' END, now()
        FROM generate_series(1, ${n(20_000)}) g`.execute(db);
    process.stderr.write('rolling up reach and engagement...\n');
    await rollupReach(db, { since: '1970-01-01' });
    await rollupEngagement(db, { all: true });
    process.stderr.write('analyzing...\n');
    await sql`VACUUM ANALYZE`.execute(db);
    const counts = await sql<Record<string, number>>`SELECT
      (SELECT count(*) FROM users)::int AS members, (SELECT count(*) FROM practice_groups)::int AS groups, (SELECT count(*) FROM threads)::int AS threads,
      (SELECT count(*) FROM posts)::int AS posts, (SELECT count(*) FROM resources)::int AS resources, (SELECT count(*) FROM events)::int AS events,
      (SELECT count(*) FROM event_registrations)::int AS registrations, (SELECT count(*) FROM glossary_terms)::int AS glossary_terms,
      (SELECT count(*) FROM view_events)::bigint AS view_events`.execute(db);
    console.log(JSON.stringify({ scale: SCALE, seconds: Math.round((Date.now() - t0) / 1000), ...counts.rows[0] }, null, 2));
  } finally {
    await handle.close();
    await stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
