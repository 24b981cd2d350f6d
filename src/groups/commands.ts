import { Type, type Static } from '@sinclair/typebox';
import { sql } from 'kysely';
import type { Db, Tx } from '../platform/db/db.js';
import type { Actor } from '../platform/auth/actor.js';
import { authorize } from '../platform/auth/policy.js';
import { AppError, msg } from '../platform/http/errors.js';
import { audit, isUniqueViolation, once } from '../platform/db/tx.js';
import { Enum, LanguageInput, Line, OptionalLine, OptionalText, Slug, TranslationsInput, clean } from '../platform/http/schema-helpers.js';
import { asLang, cleanTranslations, otherLang, type Lang } from '../platform/i18n/content.js';
import { GROUP_ROLES, GROUP_VISIBILITIES, JOIN_POLICIES, LED_BY } from '../community/vocab.js';
import type { GroupRow } from './queries.js';

export const GroupInput = Type.Object({
  name: Line(200),
  slug: Slug(),
  short_name: OptionalLine(40),
  mission: OptionalText(5000),
  led_by: Enum(LED_BY),
  visibility: Enum(GROUP_VISIBILITIES),
  join_policy: Enum(JOIN_POLICIES),
  /** One priority per entry (in the HTML form: one per line). */
  priorities: Type.Optional(Type.Array(Type.String({ maxLength: 500 }), { maxItems: 20 })),
  /** The language name, mission and priorities are written in (English unless given). */
  language: LanguageInput(),
  /** The same in the other language; priorities by position. */
  translations: TranslationsInput({
    name: OptionalLine(200),
    short_name: OptionalLine(40),
    mission: OptionalText(5000),
    priorities: Type.Array(Type.String({ maxLength: 500 }), { maxItems: 20 }),
  }),
});
export type GroupInput = Static<typeof GroupInput>;

export const GroupPatch = Type.Partial(Type.Omit(GroupInput, ['slug']));
export type GroupPatch = Static<typeof GroupPatch>;

const cleanPriorities = (list: string[] | undefined) => (list ?? []).map(clean).filter(Boolean);

/** The group's own text fields written in both languages (priorities are rows of their own). */
export const GROUP_TEXT = ['name', 'short_name', 'mission'] as const;

/** A group's translations as stored: the other language's name, short name and mission. */
const groupTranslations = (input: Pick<GroupInput, 'translations'>, language: Lang) => JSON.stringify(cleanTranslations(input.translations, GROUP_TEXT, language));

/** The other language's priorities, by position (blank where one is not translated). */
const translatedPriorities = (input: Pick<GroupInput, 'translations'>, language: Lang): string[] => {
  const list = input.translations?.[otherLang(language)]?.priorities;
  return Array.isArray(list) ? list.map((s) => clean(s)) : [];
};

async function writePriorities(tx: Tx, groupId: number, list: string[], translated: string[], language: Lang) {
  await tx.deleteFrom('group_priorities').where('group_id', '=', groupId).execute();
  if (list.length) {
    const other = otherLang(language);
    await tx
      .insertInto('group_priorities')
      .values(list.map((text, i) => ({ group_id: groupId, position: i + 1, text, translations: JSON.stringify(translated[i] ? { [other]: { text: translated[i] } } : {}) })))
      .execute();
  }
}

/** Keeps the precomputed member count true; called inside every membership change. */
async function recount(tx: Tx, groupId: number) {
  await sql`UPDATE practice_groups SET member_count =
      (SELECT count(*) FROM group_memberships WHERE group_id = ${groupId} AND status = 'active')
    WHERE id = ${groupId}`.execute(tx);
}

/** Refuses a change that would leave an active group without a lead. */
async function assertNotLastLead(tx: Tx, groupId: number, field: string) {
  const leads = await tx
    .selectFrom('group_memberships')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('group_id', '=', groupId)
    .where('role', '=', 'lead')
    .where('status', '=', 'active')
    .executeTakeFirstOrThrow();
  if (Number(leads.n) <= 1) throw new AppError('conflict', { fields: { [field]: msg('groups.last_lead') } });
}

/** Creates a practice group; the creator becomes its first lead unless `leadUserId` names someone else. */
export async function createGroup(db: Db, actor: Actor, input: GroupInput, opts: { idempotencyKey?: string; leadUserId?: number } = {}) {
  authorize(actor, 'group.create', undefined);
  const userId = actor.id!;
  try {
    return await once(db, userId, opts.idempotencyKey, async (tx) => {
      const row = await tx
        .insertInto('practice_groups')
        .values({
          slug: input.slug,
          name: clean(input.name),
          short_name: clean(input.short_name),
          mission: clean(input.mission),
          led_by: input.led_by,
          visibility: input.visibility,
          join_policy: input.join_policy,
          language: asLang(input.language),
          translations: groupTranslations(input, asLang(input.language)),
          created_by: userId,
        })
        .returning(['id', 'slug'])
        .executeTakeFirstOrThrow();
      await writePriorities(tx, row.id, cleanPriorities(input.priorities), translatedPriorities(input, asLang(input.language)), asLang(input.language));
      const lead = opts.leadUserId ?? userId;
      await tx.insertInto('group_memberships').values({ group_id: row.id, user_id: lead, role: 'lead', status: 'active', decided_by: userId, decided_at: new Date() }).execute();
      await recount(tx, row.id);
      await audit(tx, userId, 'group.create', { type: 'group', id: row.id }, { slug: row.slug });
      return { id: row.id, slug: row.slug };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('conflict', { fields: { slug: msg('groups.slug_taken') } });
    throw err;
  }
}

export async function updateGroup(db: Db, actor: Actor, group: GroupRow, patch: GroupPatch) {
  authorize(actor, 'group.update', group);
  await db.transaction().execute(async (tx) => {
    const set: Record<string, unknown> = { updated_at: new Date() };
    if (patch.name !== undefined) set.name = clean(patch.name);
    if (patch.short_name !== undefined) set.short_name = clean(patch.short_name);
    if (patch.mission !== undefined) set.mission = clean(patch.mission);
    if (patch.led_by !== undefined) set.led_by = patch.led_by;
    if (patch.visibility !== undefined) set.visibility = patch.visibility;
    if (patch.join_policy !== undefined) set.join_policy = patch.join_policy;
    const language = asLang(patch.language ?? group.language);
    if (patch.language !== undefined) set.language = language;
    if (patch.translations !== undefined) set.translations = groupTranslations(patch, language);
    await tx.updateTable('practice_groups').set(set).where('id', '=', group.id).execute();
    if (patch.priorities !== undefined) await writePriorities(tx, group.id, cleanPriorities(patch.priorities), translatedPriorities(patch, language), language);
    else if (patch.translations?.[otherLang(language)]?.priorities !== undefined) {
      // Only the translation changed: keep the priorities, replace their other language.
      const list = translatedPriorities(patch, language);
      const rows = await tx.selectFrom('group_priorities').select(['id', 'position']).where('group_id', '=', group.id).execute();
      for (const r of rows) await tx.updateTable('group_priorities').set({ translations: JSON.stringify(list[r.position - 1] ? { [otherLang(language)]: { text: list[r.position - 1] } } : {}) }).where('id', '=', r.id).execute();
    }
    await audit(tx, actor.id, 'group.update', { type: 'group', id: group.id }, { fields: Object.keys(patch) });
  });
}

export async function archiveGroup(db: Db, actor: Actor, group: GroupRow, archived: boolean) {
  authorize(actor, 'group.create', undefined);
  await db.transaction().execute(async (tx) => {
    await tx.updateTable('practice_groups').set({ archived_at: archived ? new Date() : null, updated_at: new Date() }).where('id', '=', group.id).execute();
    await audit(tx, actor.id, archived ? 'group.archive' : 'group.unarchive', { type: 'group', id: group.id });
  });
}

export type JoinOutcome = 'joined' | 'requested' | 'already_member' | 'already_requested';

/**
 * Joins an open group (or accepts an invitation), or asks to join a group that
 * takes requests. Joining twice is harmless: the second call reports the state.
 */
export async function joinGroup(db: Db, actor: Actor, group: GroupRow, message = ''): Promise<JoinOutcome> {
  if (actor.kind !== 'user') throw new AppError('unauthenticated');
  const existing = actor.memberships.get(group.id);
  if (existing?.status === 'active') return 'already_member';
  if (existing?.status === 'requested') return 'already_requested';
  if (group.join_policy === 'request' && existing?.status !== 'invited') {
    authorize(actor, 'group.request', group);
    await db
      .insertInto('group_memberships')
      .values({ group_id: group.id, user_id: actor.id, role: 'member', status: 'requested', message: clean(message).slice(0, 1000) })
      .onConflict((oc) => oc.columns(['group_id', 'user_id']).doNothing())
      .execute();
    return 'requested';
  }
  authorize(actor, 'group.join', group);
  await db.transaction().execute(async (tx) => {
    await tx
      .insertInto('group_memberships')
      .values({ group_id: group.id, user_id: actor.id, role: 'member', status: 'active', decided_at: new Date() })
      .onConflict((oc) => oc.columns(['group_id', 'user_id']).doUpdateSet({ status: 'active', decided_at: new Date() }))
      .execute();
    await recount(tx, group.id);
  });
  return 'joined';
}

/** A membership's role and status, its row locked for the rest of the transaction (membership changes are serialized per person and group). */
function lockMembership(tx: Tx, groupId: number, userId: number) {
  return tx.selectFrom('group_memberships').select(['role', 'status']).where('group_id', '=', groupId).where('user_id', '=', userId).forUpdate().executeTakeFirst();
}

/** Leaves a group (or withdraws a request, or declines an invitation). The last lead cannot leave. */
export async function leaveGroup(db: Db, actor: Actor, group: GroupRow) {
  authorize(actor, 'group.leave', group);
  await db.transaction().execute(async (tx) => {
    const mine = await lockMembership(tx, group.id, actor.id!);
    if (!mine) return;
    if (mine.status === 'active' && mine.role === 'lead') {
      await assertNotLastLead(tx, group.id, '_');
    }
    await tx.deleteFrom('group_memberships').where('group_id', '=', group.id).where('user_id', '=', actor.id!).execute();
    await recount(tx, group.id);
  });
}

/** Approves or declines a request to join. */
export async function decideRequest(db: Db, actor: Actor, group: GroupRow, userId: number, approve: boolean) {
  authorize(actor, 'group.manage_members', group);
  await db.transaction().execute(async (tx) => {
    const row = await lockMembership(tx, group.id, userId);
    if (!row || row.status !== 'requested') throw new AppError('not_found');
    if (approve) {
      await tx
        .updateTable('group_memberships')
        .set({ status: 'active', decided_by: actor.id, decided_at: new Date() })
        .where('group_id', '=', group.id)
        .where('user_id', '=', userId)
        .execute();
    } else {
      await tx.deleteFrom('group_memberships').where('group_id', '=', group.id).where('user_id', '=', userId).execute();
    }
    await recount(tx, group.id);
    await audit(tx, actor.id, approve ? 'group.request.approve' : 'group.request.decline', { type: 'group', id: group.id }, { user_id: userId });
  });
}

/** Invites an existing member of the community (found by email) into the group. */
export async function inviteToGroup(db: Db, actor: Actor, group: GroupRow, email: string) {
  authorize(actor, 'group.manage_members', group);
  const user = await db.selectFrom('users').select(['id']).where(sql<string>`lower(email)`, '=', email.trim().toLowerCase()).where('deactivated_at', 'is', null).executeTakeFirst();
  if (!user) throw new AppError('validation_failed', { fields: { email: msg('groups.invite_no_account') } });
  await db.transaction().execute(async (tx) => {
    await tx
      .insertInto('group_memberships')
      .values({ group_id: group.id, user_id: user.id, role: 'member', status: 'invited', decided_by: actor.id })
      .onConflict((oc) => oc.columns(['group_id', 'user_id']).doNothing())
      .execute();
    await audit(tx, actor.id, 'group.invite', { type: 'group', id: group.id }, { user_id: user.id });
  });
  return user.id;
}

/** Changes an active member's role in the group; only leads and facilitators may name leads. */
export async function setMemberRole(db: Db, actor: Actor, group: GroupRow, userId: number, role: (typeof GROUP_ROLES)[number]) {
  authorize(actor, 'group.assign_leads', group);
  await db.transaction().execute(async (tx) => {
    const row = await lockMembership(tx, group.id, userId);
    if (!row || row.status !== 'active') throw new AppError('not_found');
    if (row.role === 'lead' && role !== 'lead') {
      await assertNotLastLead(tx, group.id, 'role');
    }
    await tx.updateTable('group_memberships').set({ role }).where('group_id', '=', group.id).where('user_id', '=', userId).execute();
    await audit(tx, actor.id, 'group.member.role', { type: 'group', id: group.id }, { user_id: userId, role });
  });
}

/** Removes a member (leads and facilitators); the last lead cannot be removed. */
export async function removeMember(db: Db, actor: Actor, group: GroupRow, userId: number) {
  authorize(actor, 'group.manage_members', group);
  await db.transaction().execute(async (tx) => {
    const row = await lockMembership(tx, group.id, userId);
    if (!row) throw new AppError('not_found');
    if (row.role === 'lead' && row.status === 'active') {
      await assertNotLastLead(tx, group.id, '_');
    }
    await tx.deleteFrom('group_memberships').where('group_id', '=', group.id).where('user_id', '=', userId).execute();
    await recount(tx, group.id);
    await audit(tx, actor.id, 'group.member.remove', { type: 'group', id: group.id }, { user_id: userId });
  });
}
