import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { buildGroup, buildTestApp, buildUser, type TestContext } from '../../../test/helpers.js';
import { ANONYMOUS, loadActor, type Actor } from './actor.js';
import { can } from './policy.js';
import { getThread, readableBy, threadSubject } from '../../discussions/queries.js';
import { canViewEvent, eventReadableBy, getEvent } from '../../events/events.js';
import { getResourceById, resourceReadableBy } from '../../resources/queries.js';
import { readerClass, resourceReader } from '../http/result-cache.js';

/**
 * Each read rule is written three times: the rule for one subject (`can`),
 * the SQL filter that lists and searches use, and the reader partition that
 * shared caches are keyed by. For a matrix of actors (anonymous, members
 * with no group, active members, invited and requested members, a lead, a
 * youth member, facilitators and admins) and subjects (public, members-only,
 * private and archived groups, the community space, deleted things), the
 * three must agree: what `can` allows is exactly what the filter returns, and
 * two actors in one cache partition may read exactly the same things.
 */
let t: TestContext;
const actors = new Map<string, Actor>();
const ids = { threads: [] as number[], events: [] as number[], resources: [] as number[] };

before(async () => {
  t = await buildTestApp();
  const u = async (name: string, over: Parameters<typeof buildUser>[1] = {}) => (await buildUser(t.db, { name, ...over })).id;
  const member = await u('No Groups');
  const member2 = await u('No Groups Either');
  const youthAlone = await u('Youth Alone', { is_youth: true });
  const active = await u('Active Member');
  const youth = await u('Youth Member', { is_youth: true });
  const invited = await u('Invited Member');
  const requested = await u('Requested Member');
  const lead = await u('Group Lead');
  const facilitator = await u('Facilitator', { role: 'facilitator' });
  const admin = await u('Admin', { role: 'admin' });

  const pub = await buildGroup(t.db, { visibility: 'public', leadId: lead, memberIds: [active] });
  const mem = await buildGroup(t.db, { visibility: 'members', memberIds: [active] });
  const priv = await buildGroup(t.db, { visibility: 'private', join_policy: 'invite', leadId: lead, memberIds: [active, youth] });
  const archived = await buildGroup(t.db, { visibility: 'private', join_policy: 'request', leadId: lead });
  await t.db.updateTable('practice_groups').set({ archived_at: new Date() }).where('id', '=', archived.id).execute();
  await t.db.insertInto('group_memberships').values([
    { group_id: priv.id, user_id: invited, role: 'member', status: 'invited' },
    { group_id: priv.id, user_id: requested, role: 'member', status: 'requested' },
    { group_id: archived.id, user_id: requested, role: 'lead', status: 'invited' },
  ]).execute();

  const now = new Date();
  const groups = [null, pub.id, mem.id, priv.id, archived.id];
  for (const g of groups) {
    for (const deleted of [false, true]) {
      const th = await t.db.insertInto('threads').values({ group_id: g, author_id: lead, title: `Thread ${g ?? 'space'}`, created_at: now, last_activity_at: now, deleted_at: deleted ? now : null }).returning('id').executeTakeFirstOrThrow();
      ids.threads.push(th.id);
    }
    const ev = await t.db
      .insertInto('events')
      .values({ uid: randomUUID(), group_id: g, kind: 'group_call', title: `Event ${g ?? 'community'}`, starts_at: new Date(Date.now() + 86_400_000), ends_at: new Date(Date.now() + 90_000_000), time_zone: 'America/New_York', created_by: lead })
      .returning('id')
      .executeTakeFirstOrThrow();
    ids.events.push(ev.id);
  }
  const resource = async (visibility: 'public' | 'members' | 'group', groupId: number | null, createdBy: number, deleted = false) =>
    (
      await t.db
        .insertInto('resources')
        .values({ slug: `r-${randomUUID().slice(0, 8)}`, title: `Resource ${visibility}`, kind: 'guide', visibility, group_id: groupId, created_by: createdBy, deleted_at: deleted ? now : null })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  ids.resources.push(
    await resource('public', null, lead),
    await resource('public', null, lead, true),
    await resource('members', null, lead),
    await resource('group', priv.id, lead),
    await resource('group', priv.id, requested),
    await resource('group', archived.id, lead),
    await resource('group', pub.id, facilitator),
  );

  actors.set('anonymous', ANONYMOUS);
  for (const [name, id] of Object.entries({ member, member2, youthAlone, active, youth, invited, requested, lead, facilitator, admin })) actors.set(name, await loadActor(t.db, id, 'session'));
});

async function sqlVisible(kind: 'threads' | 'events' | 'resources', actor: Actor): Promise<Set<number>> {
  const q =
    kind === 'threads'
      ? sql<{ id: number }>`SELECT t.id FROM threads t LEFT JOIN practice_groups g ON g.id = t.group_id WHERE t.id = ANY(${ids.threads}) AND ${readableBy(actor)}`
      : kind === 'events'
        ? sql<{ id: number }>`SELECT e.id FROM events e LEFT JOIN practice_groups g ON g.id = e.group_id WHERE e.id = ANY(${ids.events}) AND ${eventReadableBy(actor)}`
        : sql<{ id: number }>`SELECT r.id FROM resources r WHERE r.id = ANY(${ids.resources}) AND ${resourceReadableBy(actor)}`;
  return new Set((await q.execute(t.db)).rows.map((r) => Number(r.id)));
}

async function policyVisible(kind: 'threads' | 'events' | 'resources', actor: Actor): Promise<Set<number>> {
  const out = new Set<number>();
  for (const id of ids[kind]) {
    if (kind === 'threads') {
      const th = (await getThread(t.db, id))!;
      if (can(actor, 'thread.view', threadSubject(th))) out.add(id);
    } else if (kind === 'events') {
      if (canViewEvent(actor, (await getEvent(t.db, id))!)) out.add(id);
    } else if (can(actor, 'resource.view', (await getResourceById(t.db, id))!)) out.add(id);
  }
  return out;
}

const sorted = (s: Set<number>) => [...s].sort((a, b) => a - b);

for (const kind of ['threads', 'events', 'resources'] as const) {
  test(`${kind}: can() and the SQL filter agree for every actor and subject`, async () => {
    for (const [name, actor] of actors) {
      assert.deepEqual(sorted(await sqlVisible(kind, actor)), sorted(await policyVisible(kind, actor)), `${kind} for ${name}`);
    }
  });
}

test('actors in one cache partition read exactly the same things', async () => {
  for (const [kind, partition] of [
    ['threads', readerClass],
    ['events', readerClass],
    ['resources', resourceReader],
  ] as const) {
    const byKey = new Map<string, { name: string; seen: number[] }[]>();
    for (const [name, actor] of actors) {
      const key = partition(actor);
      const list = byKey.get(key) ?? [];
      list.push({ name, seen: sorted(await policyVisible(kind, actor)) });
      byKey.set(key, list);
    }
    for (const [key, list] of byKey) for (const other of list.slice(1)) assert.deepEqual(other.seen, list[0]!.seen, `${kind}: ${other.name} and ${list[0]!.name} share the partition "${key}"`);
  }
  // The matrix has real sharing to check: members with no group, and facilitators with admins.
  assert.equal(readerClass(actors.get('member')!), readerClass(actors.get('youthAlone')!));
  assert.equal(readerClass(actors.get('facilitator')!), readerClass(actors.get('admin')!));
});

test('the matrix is not trivial: every actor sees something, visitors and members without groups do not see everything', async () => {
  for (const [name, actor] of actors) {
    for (const kind of ['threads', 'events', 'resources'] as const) {
      const n = (await policyVisible(kind, actor)).size;
      assert.ok(n > 0, `${name} sees some ${kind}`);
      if (name === 'anonymous' || name === 'member' || name === 'invited') assert.ok(n < ids[kind].length, `${name} does not see every ${kind.slice(0, -1)}`);
      if (name === 'facilitator') assert.equal(n, ids[kind].length, `a facilitator sees every ${kind.slice(0, -1)}`);
    }
  }
});
