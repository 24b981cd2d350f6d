import { sql } from 'kysely';
import { writeValue } from './demo-value.js';
import { DEMO_TRANSLATIONS } from './demo-es.js';
import { CONTENT } from '../platform/i18n/content.js';
import type { Db, Tx } from '../platform/db/db.js';
import { hashPassword } from '../platform/auth/secrets.js';
import { DEFAULT_VISIBILITY, PROFILE_FIELDS } from '../community/vocab.js';
import { COMMUNITY, COMMUNITY_ROLES, DEMO_PASSWORD, GROUPS, MEMBERSHIPS, ORGANIZATIONS, PEOPLE, STATE_INITIATIVES, THREADS } from './demo-data.js';
import { RENDER_VERSION, renderMarkdown } from '../discussions/markdown.js';
import { LINKS, REPORTS, RESOURCES, USES } from './demo-resources.js';
import { rebuildMonths } from '../reach/ledger.js';
import { GLOSSARY } from './demo-glossary.js';
import { slugify } from '../platform/text.js';
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { expandRule, presetRule, zonedToUtc } from '../events/time.js';
import { rollupEngagement } from '../analytics/engagement.js';
import { REACTIONS, recountReactions } from '../discussions/reactions.js';

const SEED_LOCK = 724_115_002;

/** Loads the demo community inside one transaction. */
export async function seedDemo(db: Db, onProgress: (done: number, total: number, what?: string) => void = () => {}): Promise<void> {
  await db.transaction().execute((tx) => writeDemo(tx, onProgress));
}

/**
 * Loads the demo community when the database holds none. An advisory lock
 * makes concurrent first starts seed exactly once. Returns true when it seeded.
 */
export async function seedIfEmpty(db: Db, log: (m: string) => void = () => {}): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(${SEED_LOCK})`.execute(tx);
    const existing = await tx.selectFrom('community').select('id').executeTakeFirst();
    if (existing) return false;
    log('loading the demo community (first start)');
    await writeDemo(tx, () => {});
    return true;
  });
}

async function writeDemo(tx: Tx, onProgress: (done: number, total: number, what?: string) => void) {
  const steps = 9;
  onProgress(0, steps, 'community');
  await tx.insertInto('community').values({ id: 1, ...COMMUNITY }).execute();

  onProgress(1, steps, 'organizations');
  const orgIds = new Map<string, number>();
  for (const o of ORGANIZATIONS) {
    const row = await tx
      .insertInto('organizations')
      .values({ slug: o.slug, name: o.name, short_name: o.short_name ?? '', kind: o.kind, level: o.level, states: o.states ?? [], website: o.website ?? null, description: o.description })
      .returning('id')
      .executeTakeFirstOrThrow();
    orgIds.set(o.slug, row.id);
  }
  let position = 0;
  for (const r of COMMUNITY_ROLES) {
    const facilitator = orgIds.get(r.facilitator)!;
    await tx.insertInto('community_roles').values({ organization_id: facilitator, role: 'facilitator', supports_organization_id: null, position: position++ }).execute();
    await tx.insertInto('community_roles').values({ organization_id: orgIds.get(r.funder)!, role: 'funder', supports_organization_id: facilitator, position: position++ }).execute();
  }

  onProgress(2, steps, 'people');
  // One hash for every demo account: argon2 is slow on purpose.
  const hash = await hashPassword(DEMO_PASSWORD);
  const personIds = new Map<string, number>();
  const thisYear = new Date().getUTCFullYear();
  for (const p of PEOPLE) {
    const youth = 'youth' in p && p.youth;
    const row = await tx
      .insertInto('users')
      .values({
        email: p.email,
        password_hash: hash,
        name: p.name,
        role: p.role,
        perspectives: [...p.perspectives],
        state_code: p.state,
        bio: p.bio,
        is_youth: youth,
        birth_year: youth ? thisYear - 16 : null,
        expertise: (p.perspectives as readonly string[]).includes('juvenile_justice') ? ['diversion', 'school discipline'] : p.key === 'family' ? ['juvenile justice', 'family engagement'] : [],
        visibility: JSON.stringify(youth ? Object.fromEntries(PROFILE_FIELDS.map((f) => [f, 'members'])) : DEFAULT_VISIBILITY),
        email_verified_at: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    personIds.set(p.key, row.id);
    if (p.org) await tx.insertInto('user_organizations').values({ user_id: row.id, organization_id: orgIds.get(p.org)! }).execute();
  }

  onProgress(3, steps, 'state initiatives');
  for (const s of STATE_INITIATIVES) {
    const row = await tx
      .insertInto('state_initiatives')
      .values({
        state_code: s.state_code,
        name: s.name,
        status: s.status,
        description: s.description,
        education_agency_id: s.education ? (orgIds.get(s.education) ?? null) : null,
        mental_health_agency_id: s.mental_health ? (orgIds.get(s.mental_health) ?? null) : null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const contact = PEOPLE.find((p) => p.state === s.state_code && p.role === 'member');
    if (contact) await tx.insertInto('state_initiative_contacts').values({ state_initiative_id: row.id, user_id: personIds.get(contact.key)!, role: 'Initiative contact' }).execute();
  }

  onProgress(4, steps, 'practice groups');
  const facilitatorId = personIds.get('facilitator')!;
  for (const g of GROUPS) {
    const row = await tx
      .insertInto('practice_groups')
      .values({ slug: g.slug, name: g.name, short_name: g.short_name ?? '', mission: g.mission, led_by: g.led_by, visibility: 'public', join_policy: 'open', created_by: facilitatorId })
      .returning('id')
      .executeTakeFirstOrThrow();
    await tx
      .insertInto('group_priorities')
      .values(g.priorities.map((text, i) => ({ group_id: row.id, position: i + 1, text })))
      .execute();
    const members = MEMBERSHIPS[g.slug] ?? [];
    if (members.length) {
      await tx
        .insertInto('group_memberships')
        .values(members.map(([key, role]) => ({ group_id: row.id, user_id: personIds.get(key)!, role, status: 'active' as const, decided_at: new Date() })))
        .execute();
    }
    await tx.updateTable('practice_groups').set({ member_count: members.length }).where('id', '=', row.id).execute();
  }

  onProgress(5, steps, 'a private leads’ circle');
  // One private group shows how private spaces stay invisible to outsiders.
  const circle = await tx
    .insertInto('practice_groups')
    .values({
      slug: 'leads-circle',
      name: 'Practice Group Leads’ Circle',
      mission: 'A private space where practice group leads and the facilitators plan convenings and compare notes.',
      led_by: 'none',
      visibility: 'private',
      join_policy: 'invite',
      created_by: facilitatorId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const circleMembers: [string, 'lead' | 'member'][] = [
    ['facilitator', 'lead'],
    ['facilitator2', 'member'],
    ['family', 'member'],
    ['schoolmh', 'member'],
  ];
  await tx
    .insertInto('group_memberships')
    .values(circleMembers.map(([key, role]) => ({ group_id: circle.id, user_id: personIds.get(key)!, role, status: 'active' as const })))
    .execute();
  await tx.updateTable('practice_groups').set({ member_count: circleMembers.length }).where('id', '=', circle.id).execute();

  // A few discussions, spaced over the past days so lists have an order.
  const groupIds = new Map((await tx.selectFrom('practice_groups').select(['id', 'slug']).execute()).map((g) => [g.slug, g.id]));
  // Every message gets its own moment over the last two weeks, oldest first.
  const messages = THREADS.reduce((n, th) => n + 1 + th.replies.length + (th.guide?.answers.length ?? 0), 0);
  const step = Math.floor((14 * 24 * 60) / messages);
  let minutesAgo = messages * step + 30;
  const at = () => new Date(Date.now() - (minutesAgo -= step) * 60_000);
  const looksSpanish = (text: string) => /[ñ¿¡]|\b(que|para|las|los|una|con|familias|escuela)\b/i.test(text);
  const perspectivesOf = new Map<string, string[]>(PEOPLE.map((p) => [p.key, [...p.perspectives]]));
  const postsByAuthor: { key: string; post: number; thread: number }[] = [];
  for (const th of THREADS) {
    const created = at();
    const thread = await tx
      .insertInto('threads')
      .values({
        group_id: th.group ? groupIds.get(th.group)! : null,
        author_id: personIds.get(th.author)!,
        title: th.title,
        created_at: created,
        last_activity_at: created,
        kind: th.guide ? 'dialogue_guide' : 'discussion',
        source_title: th.guide?.source_title ?? null,
        source_url: th.guide?.source_url ?? null,
        language: th.language ?? 'en',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const post = async (author: string, body: string, opening: boolean, when: Date, replyTo: number | null, questionId: number | null = null) => {
      const row = await tx
        .insertInto('posts')
        .values({
          thread_id: thread.id,
          author_id: personIds.get(author)!,
          is_opening: opening,
          reply_to_id: replyTo,
          question_id: questionId,
          perspectives: perspectivesOf.get(author) ?? [],
          body,
          body_html: renderMarkdown(body),
          render_version: RENDER_VERSION,
          language: opening ? (th.language ?? 'en') : looksSpanish(body) ? 'es' : 'en',
          created_at: when,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      postsByAuthor.push({ key: author, post: row.id, thread: thread.id });
      return row;
    };
    const opening = await post(th.author, th.body, true, created, null);
    await tx.insertInto('thread_watches').values({ user_id: personIds.get(th.author)!, thread_id: thread.id, level: 'watching' }).execute();
    let last = created;
    let count = 0;
    for (const [author, body] of th.replies) {
      last = at();
      await post(author, body, false, last, opening.id);
      count++;
    }
    if (th.guide) {
      const qs = [
        ...th.guide.reactions.map((prompt, i) => ({ thread_id: thread.id, kind: 'reaction' as const, position: i + 1, prompt })),
        ...th.guide.applications.map((prompt, i) => ({ thread_id: thread.id, kind: 'application' as const, position: i + 1, prompt })),
      ];
      const rows = await tx.insertInto('dialogue_questions').values(qs).returning(['id', 'kind', 'position']).execute();
      const qid = (ref: string) => rows.find((r) => r.kind === (ref[0] === 'r' ? 'reaction' : 'application') && r.position === Number(ref.slice(1)))!.id;
      for (const [author, ref, body] of th.guide.answers) {
        last = at();
        await post(author, body, false, last, null, qid(ref));
        count++;
      }
      if (th.guide.summary) {
        await tx
          .updateTable('threads')
          .set({ summary_common_ground: th.guide.summary.common_ground, summary_actions: th.guide.summary.actions, summary_by: personIds.get(th.author)!, summary_at: last })
          .where('id', '=', thread.id)
          .execute();
      }
    }
    await tx.updateTable('threads').set({ reply_count: count, last_activity_at: last }).where('id', '=', thread.id).execute();
    // The people in a conversation react to each other's messages (never their own): a few reactions on most posts.
    const inThread = postsByAuthor.filter((x) => x.thread === thread.id);
    const participants = [...new Set(inThread.map((x) => x.key))];
    const reactions = inThread.flatMap((x, k) =>
      participants
        .filter((who) => who !== x.key)
        .slice(0, (k + thread.id) % 4)
        .map((who, j) => ({ post_id: x.post, user_id: personIds.get(who)!, kind: REACTIONS[(k + j + thread.id) % REACTIONS.length]!, created_at: last })),
    );
    if (reactions.length) await tx.insertInto('post_reactions').values(reactions).execute();
    await recountReactions(tx, inThread.map((x) => x.post));
  }

  // A few notifications, so the demo family leader has something to open.
  const family = personIds.get('family')!;
  for (const p of postsByAuthor.filter((x) => x.key !== 'family').slice(0, 3)) {
    const mine = postsByAuthor.some((x) => x.key === 'family' && x.thread === p.thread);
    if (!mine) continue;
    await tx.insertInto('notifications').values({ user_id: family, kind: 'watched_post', thread_id: p.thread, post_id: p.post, actor_id: personIds.get(p.key)!, created_at: new Date() }).execute();
  }
  // The family leader's Dialogue Guide answer mentions the educator.
  const mention = postsByAuthor.filter((x) => x.key === 'family').pop();
  if (mention) {
    await tx.insertInto('notifications').values({ user_id: personIds.get('educator')!, kind: 'mention', thread_id: mention.thread, post_id: mention.post, actor_id: family, created_at: new Date() }).execute();
  }
  await tx.insertInto('group_watches').values({ user_id: family, group_id: groupIds.get('families-in-partnership')!, level: 'watching' }).execute();
  // Two messages the family leader kept: one with a note and a reminder that came yesterday.
  const kept = postsByAuthor.filter((x) => x.key !== 'family' && postsByAuthor.some((y) => y.key === 'family' && y.thread === x.thread)).slice(0, 2);
  for (const [i, k] of kept.entries()) {
    await tx
      .insertInto('bookmarks')
      .values({ user_id: family, post_id: k.post, note: i === 0 ? 'Share with the parent group at our next meeting' : '', remind_at: i === 0 ? new Date(Date.now() - 86_400_000) : null, reminded_at: i === 0 ? new Date(Date.now() - 86_400_000) : null, created_at: new Date(Date.now() - 4 * 86_400_000) })
      .execute();
  }
  // Two private conversations: family leaders planning together, and youth council members with their counselor.
  const converse = async (subject: string, people: string[], youth: boolean, hoursAgo: number, lines: [string, string][]) => {
    const startAt = new Date(Date.now() - hoursAgo * 3_600_000);
    const c = await tx.insertInto('conversations').values({ subject, created_by: personIds.get(people[0]!)!, involves_youth: youth, created_at: startAt, last_message_at: startAt }).returning('id').executeTakeFirstOrThrow();
    await tx.insertInto('conversation_members').values(people.map((k) => ({ conversation_id: c.id, user_id: personIds.get(k)!, joined_at: startAt }))).execute();
    let when = startAt;
    for (const [author, body] of lines) {
      when = new Date(when.getTime() + 40 * 60_000);
      await tx.insertInto('conversation_messages').values({ conversation_id: c.id, author_id: personIds.get(author)!, body, body_html: renderMarkdown(body), created_at: when }).execute();
    }
    await tx.updateTable('conversations').set({ last_message_at: when }).where('id', '=', c.id).execute();
    // Everyone has read all but the last message, which its author wrote.
    await tx.updateTable('conversation_members').set({ read_at: new Date(when.getTime() - 60_000) }).where('conversation_id', '=', c.id).execute();
    await tx.updateTable('conversation_members').set({ read_at: when }).where('conversation_id', '=', c.id).where('user_id', '=', personIds.get(lines[lines.length - 1]![0])!).execute();
  };
  await converse('Family night handouts in Spanish', ['family', 'family2', 'military'], false, 30, [
    ['family', 'Marisol, could you look over the Spanish version of our family night handout before we print it?'],
    ['family2', 'Claro. Te mando mis cambios mañana; hay dos palabras que las familias no usarían.'],
    ['military', 'Thank you both. I can bring the printed copies to the next call.'],
  ]);
  await converse('Our session at the spring convening', ['youth2', 'youth', 'counselor'], true, 20, [
    ['youth2', 'Should we open our session with the before-and-after of the school website page?'],
    ['youth', 'Yes, and then let the audience try rewriting one paragraph themselves.'],
    ['counselor', 'Great plan. I can book a room with tables instead of rows.'],
  ]);

  onProgress(6, steps, 'resources');
  await writeLibrary(tx, personIds, groupIds, orgIds);
  onProgress(7, steps, 'glossary');
  await writeGlossary(tx, personIds.get('facilitator')!);
  onProgress(8, steps, 'agenda');
  await writeAgenda(tx, personIds, groupIds, orgIds);
  await writeEvents(tx, personIds, groupIds);
  // Stories of value, decisions and questions about use (after the threads, agenda and events they refer to).
  await writeValue(tx, personIds, groupIds);
  // Everything written for everyone, in its other language too; members translating for each other.
  await applyDemoTranslations(tx);
  await writeMemberTranslations(tx, personIds);
  // Engagement figures as the hourly job would have them.
  await rollupEngagement(tx, { all: true });
  onProgress(9, steps, 'done');
}

/**
 * Two bilingual members who said they help translate: one translated a
 * Spanish thread's opening post into English; a family leader asked for an
 * English thread in Spanish, and the request waits in the translators' list.
 */
async function writeMemberTranslations(tx: Tx, personIds: Map<string, number>) {
  const sofia = personIds.get('clinician2')!;
  const marisol = personIds.get('family2')!;
  await tx.updateTable('users').set({ translator: true }).where('id', 'in', [sofia, marisol]).execute();
  const spanish = await tx
    .selectFrom('threads as t')
    .innerJoin('posts as p', (j) => j.onRef('p.thread_id', '=', 't.id').on('p.is_opening', '=', true))
    .select(['t.id as thread_id', 'p.id as post_id'])
    .where('t.title', '=', 'Reuniones escolares en español: lo que nos ha funcionado')
    .executeTakeFirst();
  if (spanish) {
    const at = new Date(Date.now() - 3 * 86_400_000);
    await tx
      .insertInto('member_translations')
      .values({
        post_id: spanish.post_id,
        language: 'en',
        body: 'Many families in our network prefer to speak Spanish in meetings about mental health. What has worked in your schools? We ask for an interpreter a week ahead and bring our questions written down.',
        translated_by: sofia,
        created_at: at,
        updated_at: at,
      })
      .execute();
    await tx.updateTable('threads').set({ translation_count: 1 }).where('id', '=', spanish.thread_id).execute();
  }
  const english = await tx
    .selectFrom('threads as t')
    .innerJoin('practice_groups as g', 'g.id', 't.group_id')
    .innerJoin('posts as p', (j) => j.onRef('p.thread_id', '=', 't.id').on('p.is_opening', '=', true))
    .select('p.id as post_id')
    .where('g.slug', '=', 'families-in-partnership')
    .where('t.language', '=', 'en')
    .orderBy('t.id')
    .executeTakeFirst();
  if (english) await tx.insertInto('translation_requests').values({ post_id: english.post_id, language: 'es', requested_by: marisol, created_at: new Date(Date.now() - 86_400_000) }).execute();
}

/**
 * Files each demo text's translation under the rows that carry the text, in
 * the other language than the row's own: one statement per bilingual field.
 */
export async function applyDemoTranslations(tx: Tx) {
  const values = sql.join(DEMO_TRANSLATIONS.map(([a, b]) => sql`(${a}, ${b})`));
  for (const kind of Object.values(CONTENT)) {
    const lang = sql.raw(kind.languageFrom ?? 'r.language');
    for (const field of kind.fields) {
      const other = sql`(CASE WHEN ${lang} = 'es' THEN 'en' ELSE 'es' END)`;
      await sql`UPDATE ${sql.table(kind.table)} AS r
          SET translations = jsonb_set(r.translations, ARRAY[${other}], coalesce(r.translations -> ${other}, '{}'::jsonb) || jsonb_build_object(${sql.lit(field)}, v.dst::text), true)
         FROM (VALUES ${values}) AS v(src, dst)
        WHERE r.${sql.raw(field)} = v.src`.execute(tx);
    }
  }
}

const dayAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

/** The demo library and its reach ledger (daily rollups written directly, as if the rollup job had run). */
async function writeLibrary(tx: Tx, personIds: Map<string, number>, groupIds: Map<string, number>, orgIds: Map<string, number>) {
  const facilitator = personIds.get('facilitator')!;
  const ids: number[] = [];
  for (const [i, r] of RESOURCES.entries()) {
    const slug = slugify(r.title);
    const row = await tx
      .insertInto('resources')
      .values({
        slug,
        title: r.title,
        summary: r.summary,
        kind: r.kind,
        external_url: `https://example.org/resources/${slug}`,
        audiences: r.audiences,
        topics: r.topics,
        level: r.level ?? 'national',
        language: r.language ?? 'en',
        evidence_level: r.evidence,
        review_status: i % 5 === 4 ? 'in_review' : 'reviewed',
        published_on: dayAgo(30 + i * 23),
        visibility: r.visibility ?? 'public',
        accessibility: r.a11y ?? [],
        created_by: facilitator,
        created_at: new Date(),
        updated_at: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    ids.push(row.id);
    await tx.insertInto('resource_groups').values(r.groups.map((g) => ({ resource_id: row.id, group_id: groupIds.get(g)! }))).execute();
    await tx.insertInto('resource_organizations').values(r.orgs.map((o) => ({ resource_id: row.id, organization_id: orgIds.get(o)! }))).execute();
    // Six months of daily visitors, shaped by the resource's weight (deterministic, no randomness).
    const days = [];
    for (let d = 1; d <= 180; d++) {
      const visitors = Math.max(0, Math.round(r.weight * (1.5 + Math.sin((d + i) / 9)) * (1 + (d % 7 === 0 ? 0.6 : 0))));
      if (visitors === 0) continue;
      days.push({ day: dayAgo(d), resource_id: row.id, page_views: Math.round(visitors * 1.4), downloads: Math.round(visitors * 0.35), link_visits: 0, unique_visitors: visitors });
    }
    if (days.length) await tx.insertInto('reach_daily').values(days).execute();
  }
  for (const [n, [ri, org, channel]] of LINKS.entries()) {
    const link = await tx
      .insertInto('share_links')
      .values({ code: `demo${String(n + 1).padStart(4, '0')}`, resource_id: ids[ri]!, organization_id: orgIds.get(org)!, channel, created_by: facilitator, created_at: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow();
    const rows = [];
    for (let d = 1; d <= 90; d += 3) {
      const visits = 2 + ((d * (n + 3)) % 9);
      rows.push({ day: dayAgo(d), link_id: link.id, visits, unique_visitors: Math.max(1, visits - 1) });
    }
    await tx.insertInto('reach_daily_links').values(rows).execute();
    // Link visitors are part of the day's web visitors too (never added twice).
    for (const r of rows) {
      await tx
        .updateTable('reach_daily')
        .set((eb) => ({ link_visits: eb('link_visits', '+', r.visits) }))
        .where('day', '=', r.day)
        .where('resource_id', '=', ids[ri]!)
        .execute();
    }
  }
  await rebuildMonths(tx);
  for (const [n, [ri, org, channel, recipients, ago, audiences, states]] of REPORTS.entries()) {
    await tx
      .insertInto('dissemination_reports')
      .values({
        resource_id: ids[ri]!,
        organization_id: orgIds.get(org)!,
        channel,
        recipients,
        sent_on: dayAgo(ago),
        audiences,
        states,
        note: '',
        status: n === 11 ? 'questioned' : n % 4 === 3 ? 'reported' : 'verified',
        review_note: n === 11 ? 'The recipient count looks like the whole mailing list, not those who received this issue.' : '',
        reported_by: personIds.get(org === 'ffcmh' ? 'family' : 'facilitator2')!,
        reviewed_by: n % 4 === 3 ? null : facilitator,
        created_at: new Date(),
      })
      .execute();
  }
  for (const [ri, how, perspective, state, setting, q, rel, use] of USES) {
    await tx.insertInto('use_reports').values({ resource_id: ids[ri]!, how_used: how, perspective, state_code: state, setting, quality: q, relevance: rel, usefulness: use, created_at: new Date() }).execute();
  }
  const fam = await tx
    .insertInto('collections')
    .values({ slug: 'family-engagement', title: 'Family engagement, from every angle', description: 'Guides for families and for the professionals who work with them, chosen by the Families in Partnership group.', group_id: groupIds.get('families-in-partnership')!, created_by: personIds.get('family')!, created_at: new Date(), updated_at: new Date() })
    .returning('id')
    .executeTakeFirstOrThrow();
  await tx.insertInto('collection_items').values([9, 5, 11, 21, 10].map((ri, i) => ({ collection_id: fam.id, resource_id: ids[ri]!, position: i + 1 }))).execute();
  const scr = await tx
    .insertInto('collections')
    .values({ slug: 'getting-started-with-screening', title: 'Getting started with screening', description: 'A path through the library for teams planning their first universal screening.', group_id: null, created_by: facilitator, created_at: new Date(), updated_at: new Date() })
    .returning('id')
    .executeTakeFirstOrThrow();
  await tx.insertInto('collection_items').values([19, 17, 18, 2].map((ri, i) => ({ collection_id: scr.id, resource_id: ids[ri]!, position: i + 1 }))).execute();
}


/** The demo glossary, published. */
async function writeGlossary(tx: Tx, facilitator: number) {
  for (const g of GLOSSARY) {
    const slug = slugify(g.acronym === '504' ? '504 plan' : (g.acronym ?? g.term));
    const row = await tx
      .insertInto('glossary_terms')
      .values({
        slug,
        term: g.term,
        acronym: g.acronym ?? null,
        plain_definition: g.plain,
        term_es: g.es,
        acronym_es: g.acronymEs ?? null,
        plain_definition_es: g.plainEs,
        related: g.related ?? [],
        status: 'published',
        suggested_by: facilitator,
        reviewed_by: facilitator,
        created_at: new Date(),
        updated_at: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const defs = Object.entries(g.defs ?? {}).map(([discipline, definition]) => ({ term_id: row.id, discipline, definition: definition! }));
    if (defs.length) await tx.insertInto('glossary_definitions').values(defs).execute();
  }
}

/** The demo shared agenda, with milestones, updates, linked work and groups' self-ratings. */
async function writeAgenda(tx: Tx, personIds: Map<string, number>, groupIds: Map<string, number>, orgIds: Map<string, number>) {
  const facilitator = personIds.get('facilitator')!;
  const items = [
    {
      slug: 'families-as-design-partners',
      title: 'Families as partners in designing school mental health',
      description: 'Every state initiative has families at the table when school mental health services are planned, not only when they are delivered.',
      status: 'active' as const,
      owners: ['ffcmh', 'idea-partnership'],
      why: {
        family: 'We know our children and our communities; plans made without us miss what actually gets in the way.',
        educator: 'Families who helped design a support back it at home, so it works in the classroom.',
        administrator: 'Services that families trust are used; unused services are wasted money.',
        youth: 'When our families are heard, we are more likely to be heard too.',
      },
      milestones: [
        ['A shared definition of family partnership adopted by the community', -120, 100],
        ['Family members on planning teams in 10 state initiatives', 90, 60],
        ['A toolkit for including families who speak languages other than English', 200, 25],
      ] as [string, number, number][],
      updates: ['Six state initiatives now name a family co-chair for their planning team.', 'The Families in Partnership group finished its first Dialogue Guide on the topic.'],
      priorities: [['families-in-partnership', 1]] as [string, number][],
      resourceTitles: ['Questions families can ask about school mental health services', 'Families as partners in planning: a webinar recording'],
      threadTitle: 'Dialogue Guide: what "family engagement" should mean in school mental health',
    },
    {
      slug: 'one-tiered-system',
      title: 'One tiered system for behavior and mental health',
      description: 'Schools run a single tiered system in which behavior supports and mental health services share teams, data and decisions.',
      status: 'active' as const,
      owners: ['pbis-center', 'csmh'],
      why: {
        school_mh: 'Two parallel systems mean students fall between them and we duplicate meetings.',
        community_mh: 'A shared team is how a community clinician learns about a student early enough to help.',
        educator: 'One plan per student is something a teacher can actually follow.',
        researcher: 'Integrated data lets districts see which supports work for whom.',
      },
      milestones: [
        ['A guide to blending the two systems published', -60, 100],
        ['Ten pilot districts using shared teams', 150, 40],
      ] as [string, number, number][],
      updates: ['The pilot districts met for the first cross-state call.'],
      priorities: [['smh-and-pbs', 1]] as [string, number][],
      resourceTitles: ['Tiered supports and mental health: one framework, not two'],
      threadTitle: null,
    },
    {
      slug: 'keep-students-in-school',
      title: 'Fewer students pushed out of school by discipline',
      description: 'Schools, courts and families respond to behavior with support and repair, so fewer students are suspended, expelled or referred to court.',
      status: 'proposed' as const,
      owners: ['idea-partnership'],
      why: {
        juvenile_justice: 'Most school-based referrals to court could be handled better outside it.',
        family: 'A suspension often means a parent losing a day of work and a child losing a week of learning.',
        youth: 'Being sent home does not fix what went wrong; being heard might.',
      },
      milestones: [['Data on school-based referrals gathered in three states', 240, 10]] as [string, number, number][],
      updates: [],
      priorities: [['juvenile-justice', 1]] as [string, number][],
      resourceTitles: ['Diversion before referral: keeping students in school and out of court'],
      threadTitle: null,
    },
  ];
  for (const [i, item] of items.entries()) {
    const row = await tx
      .insertInto('agenda_items')
      .values({ slug: item.slug, title: item.title, description: item.description, status: item.status, position: i, created_by: facilitator, created_at: new Date(), updated_at: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow();
    await tx.insertInto('agenda_why').values(Object.entries(item.why).map(([perspective, reason]) => ({ item_id: row.id, perspective, reason }))).execute();
    await tx.insertInto('agenda_owners').values(item.owners.map((o) => ({ item_id: row.id, organization_id: orgIds.get(o)! }))).execute();
    await tx.insertInto('agenda_milestones').values(item.milestones.map(([title, days, percent]) => ({ item_id: row.id, title, due_on: dayAgo(-days), percent, created_at: new Date() }))).execute();
    for (const [k, body] of item.updates.entries()) {
      await tx.insertInto('agenda_updates').values({ item_id: row.id, author_id: facilitator, body, created_at: new Date(Date.now() - (k + 1) * 9 * 86_400_000) }).execute();
    }
    for (const [g, position] of item.priorities) {
      const exists = await tx.selectFrom('group_priorities').select('id').where('group_id', '=', groupIds.get(g)!).where('position', '=', position).executeTakeFirst();
      if (exists) await tx.insertInto('agenda_priorities').values({ item_id: row.id, group_id: groupIds.get(g)!, position }).execute();
    }
    for (const title of item.resourceTitles) {
      const r = await tx.selectFrom('resources').select('id').where('title', '=', title).executeTakeFirst();
      if (r) await tx.insertInto('agenda_links').values({ item_id: row.id, resource_id: r.id }).execute();
    }
    if (item.threadTitle) {
      const th = await tx.selectFrom('threads').select('id').where('title', '=', item.threadTitle).executeTakeFirst();
      if (th) await tx.insertInto('agenda_links').values({ item_id: row.id, thread_id: th.id }).execute();
    }
  }
  const reviews: [string, string, string, number][] = [
    ['families-in-partnership', 'networking', 'We mostly answer each other’s questions about meetings and rights.', 300],
    ['families-in-partnership', 'collaborating', 'The Dialogue Guide and the family question sheet were made together.', 60],
    ['smh-and-pbs', 'collaborating', 'Three states are co-writing the integration guide.', 90],
    ['juvenile-justice', 'informing', 'Members share news; we want to move toward joint work on diversion data.', 45],
  ];
  for (const [g, level, notes, ago] of reviews) {
    await tx.insertInto('group_reviews').values({ group_id: groupIds.get(g)!, level, notes, reviewed_by: facilitator, created_at: new Date(Date.now() - ago * 86_400_000) }).execute();
  }
}

/** Demo convenings: a bi-monthly group call series, a webinar, a state convening, a training and a past annual-meeting session. */
async function writeEvents(tx: Tx, personIds: Map<string, number>, groupIds: Map<string, number>) {
  const facilitator = personIds.get('facilitator')!;
  const zone = 'America/New_York';
  const local = (daysFromNow: number, time: string) => `${DateTime.now().setZone(zone).plus({ days: daysFromNow }).toFormat('yyyy-MM-dd')}T${time}`;
  const uid = () => `${randomUUID()}@demo.convene.test`;
  const insert = async (e: { title: string; kind: 'group_call' | 'webinar' | 'training' | 'state_convening' | 'annual_meeting'; start: string; minutes: number; group?: string; state?: string; description: string; agenda?: string; location?: string; online?: string; capacity?: number; series?: number; recurrenceId?: Date; notes?: string; language?: string }) => {
    const starts = zonedToUtc(e.start, zone)!;
    const row = await tx
      .insertInto('events')
      .values({
        uid: uid(),
        title: e.title,
        kind: e.kind,
        group_id: e.group ? groupIds.get(e.group)! : null,
        state_code: e.state ?? null,
        description: e.description,
        agenda: e.agenda ?? '',
        language: e.language ?? 'en',
        starts_at: starts,
        ends_at: new Date(starts.getTime() + e.minutes * 60_000),
        time_zone: zone,
        location: e.location ?? '',
        online_url: e.online ?? null,
        capacity: e.capacity ?? null,
        series_id: e.series ?? null,
        recurrence_id: e.recurrenceId ?? null,
        notes: e.notes ?? '',
        created_by: facilitator,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  };
  const registerAll = async (eventId: number, regs: [string, 'going' | 'maybe', string[]?, boolean?][]) => {
    for (const [key, response, accommodations, attended] of regs) {
      await tx
        .insertInto('event_registrations')
        .values({ event_id: eventId, user_id: personIds.get(key)!, response, status: response === 'going' ? 'confirmed' : 'none', accommodations: accommodations ?? [], attended: attended ?? false })
        .execute();
    }
    await sql`UPDATE events e SET going_count = (SELECT count(*) FROM event_registrations r WHERE r.event_id = e.id AND r.status = 'confirmed'),
      maybe_count = (SELECT count(*) FROM event_registrations r WHERE r.event_id = e.id AND r.response = 'maybe'),
      attended_count = (SELECT count(*) FROM event_registrations r WHERE r.event_id = e.id AND r.attended) WHERE e.id = ${eventId}`.execute(tx);
  };

  // The family partnership group meets every second Tuesday, every other month.
  const first = DateTime.now().setZone(zone).plus({ months: 1 }).startOf('month');
  const secondTuesday = first.plus({ days: ((2 - first.weekday + 7) % 7) + 7 }).toFormat('yyyy-MM-dd');
  const startLocal = `${secondTuesday}T15:00`;
  const rule = presetRule('bimonthly', startLocal, { count: 6 });
  const series = await tx.insertInto('event_series').values({ rrule: rule, time_zone: zone, starts_local: startLocal, duration_minutes: 60, created_by: facilitator }).returning('id').executeTakeFirstOrThrow();
  const dates = expandRule(rule, startLocal, zone, 60);
  let firstCall = 0;
  for (const d of dates) {
    const id = await insert({
      title: 'Families in Partnership: bi-monthly call',
      kind: 'group_call',
      start: DateTime.fromJSDate(d.startsAt, { zone }).toFormat("yyyy-MM-dd'T'HH:mm"),
      minutes: 60,
      group: 'families-in-partnership',
      description: 'Family leaders from every state initiative compare notes on what is working and plan the next step on the shared agenda.',
      agenda: 'Welcome and check-in\nState updates (five minutes each)\nOne problem, worked on together\nWhat we take back home',
      online: 'https://meet.example.org/families-in-partnership',
      series: series.id,
      recurrenceId: d.recurrenceId,
    });
    firstCall ||= id;
  }
  await registerAll(firstCall, [['family', 'going', ['interpretation']], ['military', 'going'], ['youth', 'maybe']]);
  await tx.updateTable('event_registrations').set({ interpretation_language: 'Spanish' }).where('event_id', '=', firstCall).where('user_id', '=', personIds.get('family')!).execute();

  const webinar = await insert({
    title: 'Screening without labeling: a webinar for school teams',
    kind: 'webinar',
    start: local(12, '13:00'),
    minutes: 75,
    description: 'How school teams can use universal screening to offer help early, explain it to families in plain words, and avoid turning a score into a label.',
    agenda: 'Why screen at all\nTalking with families before and after\nQuestions from the field',
    online: 'https://meet.example.org/screening-webinar',
    capacity: 100,
  });
  await registerAll(webinar, [['educator', 'going'], ['schoolmh', 'going', ['captioning']], ['administrator', 'going'], ['family', 'maybe']]);

  await insert({
    title: 'Maryland state convening: schools and community partners',
    kind: 'state_convening',
    start: local(30, '09:30'),
    minutes: 360,
    state: 'MD',
    description: 'A day for district teams, community providers and family organizations in Maryland to map who does what and agree on three shared priorities for the year.',
    location: 'Baltimore, Maryland (the room is shared with registered people)',
    capacity: 60,
  });
  await insert({
    title: 'Trauma-informed classrooms: a training for new teachers',
    kind: 'training',
    start: local(45, '16:00'),
    minutes: 90,
    description: 'A practical session for teachers in their first years: what stress looks like in a classroom and small changes that help every student.',
    online: 'https://meet.example.org/trauma-informed-training',
    capacity: 40,
  });
  // A convening in most groups over the next two months, so every space has something coming up.
  const youthCall = await insert({
    title: 'Youth Leadership: council leads’ call',
    kind: 'group_call',
    start: local(6, '17:30'),
    minutes: 60,
    group: 'youth-leadership',
    description: 'Youth council leads from several states share what their councils changed this term and plan a youth-led session for the spring convening.',
    agenda: 'Wins from each council\nPlanning the spring session\nOpen questions',
    online: 'https://meet.example.org/youth-leadership',
    capacity: 30,
  });
  await registerAll(youthCall, [['youth', 'going'], ['youth2', 'going'], ['counselor', 'maybe']]);
  await insert({
    title: 'Conversación en español: familias y salud mental en la escuela',
    kind: 'group_call',
    start: local(9, '19:00'),
    minutes: 60,
    group: 'culturally-diverse-youth',
    language: 'es',
    description: 'Un espacio para familias y profesionales que prefieren hablar en español: cómo pedir apoyo en la escuela y qué preguntas hacer.',
    agenda: 'Bienvenida\nExperiencias de las familias\nPreguntas y recursos',
    online: 'https://meet.example.org/conversacion-familias',
    capacity: 40,
  });
  await insert({
    title: 'School-based Medicaid billing: a practical webinar',
    kind: 'webinar',
    start: local(16, '14:00'),
    minutes: 60,
    group: 'systems-of-care',
    description: 'District and state staff walk through what it takes to bill for services delivered in schools, from eligible staff to documentation habits.',
    online: 'https://meet.example.org/medicaid-webinar',
    capacity: 150,
  });
  await insert({
    title: 'Psychiatry consultation hour for school teams',
    kind: 'group_call',
    start: local(20, '12:00'),
    minutes: 60,
    group: 'psychiatry-and-schools',
    description: 'School teams bring general questions, never identifying students, to a child and adolescent psychiatrist.',
    online: 'https://meet.example.org/psychiatry-hour',
    capacity: 25,
  });
  await insert({
    title: 'Military families: starting at a new school mid-year',
    kind: 'webinar',
    start: local(24, '19:00'),
    minutes: 60,
    group: 'military-families',
    description: 'Counselors, school liaisons and parents on what makes the first weeks at a new school go well for students who move often.',
    online: 'https://meet.example.org/military-families',
    capacity: 80,
  });
  await insert({
    title: 'Reading quality measures together: a training for district teams',
    kind: 'training',
    start: local(33, '10:00'),
    minutes: 120,
    group: 'quality-and-ebp',
    description: 'District teams practice reading their school mental health quality measures and choosing one improvement to try.',
    online: 'https://meet.example.org/quality-training',
    capacity: 50,
  });
  await insert({
    title: 'Texas family-school partnership kickoff',
    kind: 'state_convening',
    start: local(40, '10:00'),
    minutes: 240,
    state: 'TX',
    description: 'Family organizations, districts and providers in Texas meet to start their state initiative, with Spanish interpretation throughout.',
    location: 'San Antonio, Texas (the room is shared with registered people)',
    capacity: 70,
  });
  const past = await insert({
    title: 'Annual meeting session: what families taught us this year',
    kind: 'annual_meeting',
    start: local(-20, '11:00'),
    minutes: 90,
    description: 'Family leaders shared what changed in their states when families helped plan services from the start.',
    location: 'Annual meeting, main hall',
    notes: 'Three states described family members joining planning teams. The group asked for a short guide on paying family partners for their time.',
  });
  await registerAll(past, [['family', 'going', [], true], ['educator', 'going', [], true], ['policy', 'going', [], true], ['justice', 'going', [], true], ['researcher', 'going', [], false]]);
  const material = await tx.selectFrom('resources').select('id').where('title', 'like', 'Questions families can ask%').executeTakeFirst();
  if (material) await tx.insertInto('event_resources').values({ event_id: past, resource_id: material.id, role: 'slides' }).execute();
}
