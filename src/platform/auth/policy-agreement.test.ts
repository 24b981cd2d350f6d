import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { buildGroup, buildTestApp, buildUser, type TestContext } from '../../../test/helpers.js';
import { ANONYMOUS, loadActor, type Actor } from './actor.js';
import { readdirSync, existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import '../../policies.js';
import { can, registeredActions } from './policy.js';
import { getThread, threadSubject } from '../../discussions/queries.js';
import { threadReadableBy, threadReader } from '../../discussions/policy.js';
import { canViewEvent, getEvent } from '../../events/queries.js';
import { eventReadableBy, eventReader } from '../../events/policy.js';
import { getResourceById } from '../../resources/queries.js';
import { resourceReadableBy, resourceReader } from '../../resources/policy.js';
import { groupReadableBy, groupReader } from '../../groups/policy.js';
import { fieldVisibleSql, listableSql } from '../../community/policy.js';
import { storyReadableBy } from '../../value/policy.js';
import { getStory, storySubject } from '../../value/stories.js';

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
const ids = { threads: [] as number[], events: [] as number[], resources: [] as number[], groups: [] as number[], people: [] as number[], stories: [] as number[] };
type Kind = keyof typeof ids;
const KINDS = Object.keys(ids) as Kind[];

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

  ids.groups.push(pub.id, mem.id, priv.id, archived.id);
  // Stories: in each group and the community, told by a member or the lead, at every audience and review state.
  for (const g of [null, pub.id, mem.id, priv.id, archived.id]) {
    for (const audience of ['group', 'members', 'public'] as const) {
      if (audience === 'group' && g === null) continue;
      for (const status of ['pending', 'approved', 'returned'] as const) {
        const author = status === 'returned' ? active : lead;
        const s = await t.db
          .insertInto('value_stories')
          .values({ author_id: author, group_id: g, title: `Story ${g ?? 'community'} ${audience} ${status}`, body: 'Text', cycles: ['applied'], audience, status, reviewed_by: null, created_at: now, updated_at: now })
          .returning('id')
          .executeTakeFirstOrThrow();
        ids.stories.push(s.id);
      }
    }
  }
  // People: visible to all, hidden, deactivated, youth; fields at each visibility level.
  const person = async (name: string, over: Parameters<typeof buildUser>[1], visibility: Record<string, string>, hidden = false, deactivated = false) => {
    const id = await u(name, over);
    await t.db.updateTable('users').set({ visibility: JSON.stringify(visibility), hidden, deactivated_at: deactivated ? now : null } as never).where('id', '=', id).execute();
    return id;
  };
  ids.people.push(
    await person('Public Person', {}, { bio: 'public', state: 'public' }),
    await person('Members Person', {}, { bio: 'members' }),
    await person('Private Person', {}, { bio: 'private', state: 'private' }),
    await person('Public Youth', { is_youth: true }, { bio: 'public' }),
    await person('Hidden Person', {}, { bio: 'public' }, true),
    await person('Gone Person', {}, { bio: 'public' }, false, true),
    member,
  );

  actors.set('anonymous', ANONYMOUS);
  for (const [name, id] of Object.entries({ member, member2, youthAlone, active, youth, invited, requested, lead, facilitator, admin })) actors.set(name, await loadActor(t.db, id, 'session'));
});

/** What each person-field check looks at: the bio field (a person is "visible" when listed and their bio shows). */
const FIELD = 'bio';

async function sqlVisible(kind: Kind, actor: Actor): Promise<Set<number>> {
  const q =
    kind === 'threads'
      ? sql<{ id: number }>`SELECT t.id FROM threads t LEFT JOIN practice_groups g ON g.id = t.group_id WHERE t.id = ANY(${ids.threads}) AND ${threadReadableBy(actor)}`
      : kind === 'events'
        ? sql<{ id: number }>`SELECT e.id FROM events e LEFT JOIN practice_groups g ON g.id = e.group_id WHERE e.id = ANY(${ids.events}) AND ${eventReadableBy(actor)}`
        : kind === 'resources'
          ? sql<{ id: number }>`SELECT r.id FROM resources r WHERE r.id = ANY(${ids.resources}) AND ${resourceReadableBy(actor)}`
          : kind === 'groups'
            ? sql<{ id: number }>`SELECT g.id FROM practice_groups g WHERE g.id = ANY(${ids.groups}) AND ${groupReadableBy(actor)}`
            : kind === 'stories'
              ? sql<{ id: number }>`SELECT s.id FROM value_stories s LEFT JOIN practice_groups g ON g.id = s.group_id WHERE s.id = ANY(${ids.stories}) AND ${storyReadableBy(actor)}`
              : sql<{ id: number }>`SELECT u.id FROM users u WHERE u.id = ANY(${ids.people}) AND ${listableSql(actor)} AND ${fieldVisibleSql(actor, FIELD)}`;
  return new Set((await q.execute(t.db)).rows.map((r) => Number(r.id)));
}

async function policyVisible(kind: Kind, actor: Actor): Promise<Set<number>> {
  const out = new Set<number>();
  for (const id of ids[kind]) {
    if (kind === 'threads') {
      const th = (await getThread(t.db, id))!;
      if (can(actor, 'thread.view', threadSubject(th))) out.add(id);
    } else if (kind === 'events') {
      if (canViewEvent(actor, (await getEvent(t.db, id))!)) out.add(id);
    } else if (kind === 'resources') {
      if (can(actor, 'resource.view', (await getResourceById(t.db, id))!)) out.add(id);
    } else if (kind === 'groups') {
      const g = await t.db.selectFrom('practice_groups').select(['id', 'visibility', 'join_policy', 'archived_at']).where('id', '=', id).executeTakeFirstOrThrow();
      if (can(actor, 'group.view', g)) out.add(id);
    } else if (kind === 'stories') {
      if (can(actor, 'story.view', storySubject((await getStory(t.db, id))!))) out.add(id);
    } else {
      const p = await t.db.selectFrom('users').select(['id', 'hidden', 'is_youth', 'deactivated_at', 'visibility']).where('id', '=', id).executeTakeFirstOrThrow();
      const subject = { ...p, visibility: (p.visibility ?? {}) as Record<string, string> };
      // Lists never show hidden or deactivated people, even to themselves and facilitators (who open them by address).
      if (!p.hidden && !p.deactivated_at && can(actor, 'person.view_field', { person: subject, field: FIELD })) out.add(id);
    }
  }
  return out;
}

const sorted = (s: Set<number>) => [...s].sort((a, b) => a - b);

for (const kind of KINDS) {
  test(`${kind}: can() and the SQL filter agree for every actor and subject`, async () => {
    for (const [name, actor] of actors) {
      assert.deepEqual(sorted(await sqlVisible(kind, actor)), sorted(await policyVisible(kind, actor)), `${kind} for ${name}`);
    }
  });
}

test('actors in one cache partition read exactly the same things', async () => {
  for (const [kind, partition] of [
    ['threads', threadReader],
    ['events', eventReader],
    ['resources', resourceReader],
    ['groups', groupReader],
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
  assert.equal(threadReader(actors.get('member')!), threadReader(actors.get('youthAlone')!));
  assert.equal(threadReader(actors.get('facilitator')!), threadReader(actors.get('admin')!));
});

test('the matrix is not trivial: every actor sees something, visitors and members without groups do not see everything', async () => {
  for (const [name, actor] of actors) {
    for (const kind of KINDS) {
      const n = (await policyVisible(kind, actor)).size;
      assert.ok(n > 0, `${name} sees some ${kind}`);
      if (name === 'anonymous' || name === 'member' || name === 'invited') assert.ok(n < ids[kind].length, `${name} does not see every ${kind.slice(0, -1)}`);
      // Lists leave out hidden and deactivated people for everyone (two of the people here).
      if (name === 'facilitator') assert.equal(n, ids[kind].length - (kind === 'people' ? 2 : 0), `a facilitator sees every ${kind}`);
    }
  }
});

test('every capability with routes owns its rules in a policy.ts that src/policies.ts loads', () => {
  const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  // Accounts and notifications act only on one's own account and may keep their checks inline.
  const exempt = new Set(['accounts', 'notifications', 'platform', 'seed', 'exchange', 'types']);
  const loaded = new Set([...registeredActions().values()]);
  for (const dir of readdirSync(src, { withFileTypes: true })) {
    if (!dir.isDirectory() || exempt.has(dir.name) || !existsSync(path.join(src, dir.name, 'routes.ts'))) continue;
    assert.ok(existsSync(path.join(src, dir.name, 'policy.ts')), `${dir.name} has a policy.ts`);
    assert.ok(loaded.has(dir.name), `${dir.name}'s policy is registered`);
  }
  assert.ok(registeredActions().size >= 60, 'the actions are registered');
});

test('an action without a rule is an error, never an allow', () => {
  assert.throws(() => can(ANONYMOUS, 'no.such_action' as never, undefined as never), /no rule registered/);
});

test('every action a policy declares has its rule registered, and nothing is registered undeclared', () => {
  const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const declared = new Set<string>();
  for (const dir of readdirSync(src, { withFileTypes: true })) {
    const file = path.join(src, dir.name, 'policy.ts');
    if (!dir.isDirectory() || !existsSync(file)) continue;
    const block = /interface PolicySubjects \{([\s\S]*?)\n {2}\}/.exec(readFileSync(file, 'utf8'));
    for (const m of block?.[1]?.matchAll(/'([A-Za-z_.]+)':/g) ?? []) declared.add(m[1]!);
  }
  const registered = new Set(registeredActions().keys());
  assert.deepEqual([...declared].filter((a) => !registered.has(a)), [], 'declared without a rule');
  assert.deepEqual([...registered].filter((a) => !declared.has(a)), [], 'registered without a declaration');
  assert.ok(declared.size >= 60);
});
