import { sql } from 'kysely';
import type { Tx } from '../platform/db/db.js';
import type { StoryAudience, ValueCycle } from '../platform/db/schema.js';

/**
 * The demo's evidence of value: stories members told (some shared inside
 * their group, some approved for everyone, one waiting for review), a
 * proposal still open in the families' group, a closed poll whose outcome
 * is on the shared agenda, and questions about use, some answered, some
 * waiting for the family leader. Written in our own words.
 */

const STORIES: { author: string; group: string | null; title: string; body: string; language: 'en' | 'es'; cycles: ValueCycle[]; perspectives: string[]; audience: StoryAudience; status: 'pending' | 'approved'; daysAgo: number; agenda?: string }[] = [
  {
    author: 'family',
    group: 'families-in-partnership',
    title: 'A family co-chair for our district planning team',
    body: 'After the Dialogue Guide on family engagement, I brought its questions to our district’s planning meeting. The team agreed that a parent should co-chair, not only attend. Two months later our first co-chair, a grandmother raising three students, helped rewrite the referral letter so families know what happens next.',
    language: 'en',
    cycles: ['applied', 'realized'],
    perspectives: ['family', 'administrator'],
    audience: 'public',
    status: 'approved',
    daysAgo: 40,
    agenda: 'families-as-design-partners',
  },
  {
    author: 'family2',
    group: 'families-in-partnership',
    title: 'La hoja para la noche de familias, por fin en español',
    body: 'Gracias a la conversación con otras madres del grupo, cambiamos dos palabras técnicas de la hoja informativa por palabras que usamos en casa. Esa noche vinieron el doble de familias hispanohablantes que el año pasado, y varias se quedaron a preguntar por el consejero escolar.',
    language: 'es',
    cycles: ['immediate', 'applied'],
    perspectives: ['family'],
    audience: 'members',
    status: 'approved',
    daysAgo: 25,
  },
  {
    author: 'educator',
    group: 'smh-and-pbs',
    title: 'One team for behavior and mental health at our middle school',
    body: 'We had a behavior team and a separate student support team, each with its own referral form. After comparing notes with another school in this group, we merged them. Referrals now reach someone within a week instead of a month, and teachers fill in one form.',
    language: 'en',
    cycles: ['potential', 'applied', 'realized'],
    perspectives: ['educator', 'school_mh'],
    audience: 'public',
    status: 'approved',
    daysAgo: 60,
    agenda: 'one-tiered-system',
  },
  {
    author: 'policy',
    group: null,
    title: 'A state guidance rewritten with families and youth at the table',
    body: 'Our agency was about to publish guidance on school-based services. After seeing how the community’s practice groups work, we held two listening sessions with family and youth organizations first. The guidance now requires districts to say how families were consulted.',
    language: 'en',
    cycles: ['reframing'],
    perspectives: ['policymaker', 'family', 'youth'],
    audience: 'public',
    status: 'approved',
    daysAgo: 15,
  },
  {
    author: 'youth',
    group: 'youth-leadership',
    title: 'Students rewrote the counseling page on our school website',
    body: 'Five of us rewrote the page in plain words and added what to expect at a first visit. The counselor says more students now book on their own.',
    language: 'en',
    cycles: ['applied'],
    perspectives: ['youth', 'school_mh'],
    audience: 'group',
    status: 'pending',
    daysAgo: 10,
  },
  {
    author: 'counselor',
    group: null,
    title: 'What a military family taught our counseling team',
    body: 'A parent from the military families group explained how often her children change schools. We now keep a short welcome plan ready for every new student who arrives mid-year.',
    language: 'en',
    cycles: ['potential', 'applied'],
    perspectives: ['school_mh', 'military_family'],
    audience: 'public',
    status: 'pending',
    daysAgo: 3,
  },
];

export async function writeValue(tx: Tx, personIds: Map<string, number>, groupIds: Map<string, number>): Promise<void> {
  const person = (k: string) => personIds.get(k) ?? personIds.get('facilitator')!;
  const facilitator = personIds.get('facilitator')!;
  const ago = (days: number) => new Date(Date.now() - days * 86_400_000);

  // ---- stories ---------------------------------------------------------------------------------
  for (const s of STORIES) {
    const at = ago(s.daysAgo);
    const row = await tx
      .insertInto('value_stories')
      .values({
        author_id: person(s.author),
        group_id: s.group ? groupIds.get(s.group)! : null,
        title: s.title,
        body: s.body,
        language: s.language,
        cycles: s.cycles,
        perspectives: s.perspectives,
        audience: s.audience,
        status: s.status,
        reviewed_by: s.status === 'approved' ? facilitator : null,
        reviewed_at: s.status === 'approved' ? new Date(at.getTime() + 86_400_000) : null,
        created_at: at,
        updated_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (s.agenda) {
      const item = await tx.selectFrom('agenda_items').select('id').where('slug', '=', s.agenda).executeTakeFirst();
      if (item) await tx.insertInto('value_story_links').values({ story_id: row.id, kind: 'agenda_item', target_id: item.id }).execute();
    }
  }

  // ---- an open proposal in the families' group ---------------------------------------------------
  const famGroup = groupIds.get('families-in-partnership')!;
  const famThread = await tx.selectFrom('threads').select('id').where('group_id', '=', famGroup).where('deleted_at', 'is', null).orderBy('id').executeTakeFirst();
  if (famThread) {
    const d = await tx
      .insertInto('decisions')
      .values({
        thread_id: famThread.id,
        kind: 'proposal',
        title: 'Ask every practice group to name a family co-lead by spring',
        details: 'Each group would invite a family member to co-lead alongside its current lead. Our group would offer a short orientation for new family co-leads.',
        closes_at: new Date(Date.now() + 10 * 86_400_000),
        outcome: null,
        agenda_item_id: null,
        created_by: person('family'),
        created_at: ago(4),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const members = await tx.selectFrom('group_memberships as m').innerJoin('users as u', 'u.id', 'm.user_id').select(['u.id', 'u.perspectives']).where('m.group_id', '=', famGroup).where('m.status', '=', 'active').orderBy('u.id').execute();
    const stances = ['agree', 'agree', 'abstain', 'agree', 'disagree'] as const;
    const reasons = ['Family voice should be built in, not invited once a year.', '', 'I would like to hear from the groups’ leads first.', 'Our state team already did this and it helped.', 'Spring is too soon for the smaller groups.'];
    // Most members have weighed in; the last one has not, so "who hasn't weighed in" has someone in it.
    for (const [i, m] of members.slice(0, Math.max(0, Math.min(stances.length, members.length - 1))).entries()) {
      await tx.insertInto('decision_votes').values({ decision_id: d.id, user_id: m.id, stance: stances[i]!, reason: reasons[i]!, perspectives: m.perspectives, created_at: ago(3), updated_at: ago(3) }).execute();
    }
    await tx.updateTable('threads').set({ decision_count: sql`decision_count + 1` }).where('id', '=', famThread.id).execute();
  }

  // ---- a closed poll in the community space, its outcome on the agenda ------------------------------
  const spaceThread = await tx.selectFrom('threads').select('id').where('group_id', 'is', null).where('deleted_at', 'is', null).orderBy('id').executeTakeFirst();
  const item = await tx.selectFrom('agenda_items').select(['id', 'title']).where('slug', '=', 'families-as-design-partners').executeTakeFirst();
  if (spaceThread) {
    const closedAt = ago(12);
    const outcome = 'The annual meeting will open with a session planned and led by family and youth members, with interpretation in Spanish.';
    const d = await tx
      .insertInto('decisions')
      .values({
        thread_id: spaceThread.id,
        kind: 'poll',
        title: 'Which session should open the annual meeting?',
        details: 'The planning team narrowed the ideas to three.',
        multiple: false,
        closes_at: closedAt,
        closed_at: closedAt,
        outcome,
        agenda_item_id: item?.id ?? null,
        created_by: facilitator,
        created_at: ago(26),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const options = await tx
      .insertInto('decision_options')
      .values(['A session led by family and youth members', 'A panel of state initiative leads', 'Small-group tables on one shared question'].map((label, i) => ({ decision_id: d.id, position: i + 1, label })))
      .returning('id')
      .execute();
    const voters = await tx.selectFrom('users').select(['id', 'perspectives']).where('email', 'like', '%@demo.convene.test').where('deactivated_at', 'is', null).orderBy('id').execute();
    for (const [i, v] of voters.entries()) {
      const choice = options[i % 5 < 3 ? 0 : i % 5 === 3 ? 1 : 2]!.id;
      await tx.insertInto('decision_votes').values({ decision_id: d.id, user_id: v.id, option_ids: [choice], perspectives: v.perspectives, created_at: ago(20), updated_at: ago(20) }).execute();
    }
    await tx.updateTable('threads').set({ decision_count: sql`decision_count + 1` }).where('id', '=', spaceThread.id).execute();
    if (item) await tx.insertInto('agenda_updates').values({ item_id: item.id, author_id: facilitator, body: `Which session should open the annual meeting?\n\n${outcome}`, decision_id: d.id, created_at: closedAt }).execute();
  }

  // ---- questions about use: answered by some, waiting for the family leader ------------------------------
  const resources = await tx.selectFrom('resources').select('id').where('deleted_at', 'is', null).where('visibility', '=', 'public').orderBy('id').limit(6).execute();
  const askees = ['educator', 'schoolmh', 'communitymh', 'administrator', 'counselor', 'military'].map((k) => personIds.get(k)).filter((x): x is number => x !== undefined);
  const answers = ['used', 'used', 'not_used', 'used', 'not_yet', null] as const;
  for (const [i, userId] of askees.entries()) {
    const resource = resources[i % Math.max(1, resources.length)];
    if (!resource) break;
    const asked = ago(20 - i);
    const answer = answers[i] ?? null;
    let reportId: number | null = null;
    if (answer === 'used') {
      const r = await tx
        .insertInto('use_reports')
        .values({ resource_id: resource.id, user_id: userId, how_used: ['Used it to plan a staff meeting on referrals.', 'Shared it with two families before a school meeting.', '', 'Adapted its checklist for our district team.'][i] || 'Used it with our team.', perspective: null, state_code: null, setting: 'school', quality: 4, relevance: 5, usefulness: 4, source: 'followup', created_at: ago(18 - i) })
        .returning('id')
        .executeTakeFirstOrThrow();
      reportId = r.id;
    }
    await tx
      .insertInto('use_followups')
      .values({ user_id: userId, resource_id: resource.id, trigger: 'download', created_at: ago(50 - i), due_at: asked, asked_at: asked, emailed_at: asked, answered_at: answer ? ago(18 - i) : null, outcome: answer, use_report_id: reportId })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
  const family = personIds.get('family');
  if (family && resources.length > 1) {
    await tx
      .insertInto('use_followups')
      .values({ user_id: family, resource_id: resources[resources.length - 1]!.id, trigger: 'download', created_at: ago(33), due_at: ago(3), asked_at: ago(3), emailed_at: ago(3) })
      .onConflict((oc) => oc.doNothing())
      .execute();
    const pastEvent = await tx
      .selectFrom('event_registrations as r')
      .innerJoin('events as e', 'e.id', 'r.event_id')
      .select('e.id')
      .where('r.user_id', '=', family)
      .where('e.ends_at', '<', new Date())
      .where('e.status', '=', 'scheduled')
      .orderBy('e.ends_at', 'desc')
      .executeTakeFirst();
    if (pastEvent) {
      await tx.updateTable('event_registrations').set({ attended: true }).where('event_id', '=', pastEvent.id).where('user_id', '=', family).execute();
      await tx.insertInto('use_followups').values({ user_id: family, event_id: pastEvent.id, trigger: 'attended', created_at: ago(32), due_at: ago(2), asked_at: ago(2), emailed_at: ago(2) }).onConflict((oc) => oc.doNothing()).execute();
    }
  }
}
