import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { PREPARED, type Db } from './db.js';
import { perPersonStatement, shapedStatement } from './per-person.js';
import { createTestDatabase } from '../../../test/helpers.js';
import type { UserActor } from '../auth/actor.js';
import { forYou, forYouLists } from '../../community/for-you.js';
import { firstPages, trackedPage } from '../../discussions/tracking.js';
import { getThreadForViewer, threadForViewer, threadPosts, threadPostsStatement } from '../../discussions/queries.js';
import { ANONYMOUS } from '../auth/actor.js';

let db: Db;
let close: () => Promise<void>;
before(async () => {
  ({ db, close } = await createTestDatabase());
});
after(async () => close());

const person = (id: number, over: Partial<UserActor> = {}): UserActor => ({
  kind: 'user',
  id,
  name: `p${id}`,
  email: `p${id}@example.test`,
  emailVerified: true,
  role: 'member',
  isYouth: false,
  locale: 'en',
  timeZone: null,
  memberships: new Map(),
  twoFactor: false,
  via: 'session',
  ...over,
});

describe('statements built once per role (perPersonStatement)', () => {
  test('a statement where the person enters only by id is kept, and each person gets their own answer', async () => {
    const s = perPersonStatement((_db, v) => sql<{ id: number; label: string; twice: number }>`SELECT ${v.id}::bigint AS id, ${'same'}::text AS label, ${v.id}::bigint * 2 AS twice ${PREPARED}`);
    assert.deepEqual((await s.execute(db, person(7))).rows, [{ id: 7, label: 'same', twice: 14 }]);
    assert.equal(s.kept('member'), true);
    assert.deepEqual((await s.execute(db, person(12))).rows, [{ id: 12, label: 'same', twice: 24 }]);
    assert.equal(s.kept('facilitator'), undefined, 'each role is checked on its own');
  });

  test('roles get their own text', async () => {
    const s = perPersonStatement((_db, v) => (v.role === 'facilitator' ? sql<{ who: string }>`SELECT 'all'::text AS who` : sql<{ who: string }>`SELECT ${v.id}::text AS who`));
    assert.deepEqual((await s.execute(db, person(3))).rows, [{ who: '3' }]);
    assert.deepEqual((await s.execute(db, person(4, { role: 'facilitator' }))).rows, [{ who: 'all' }]);
    assert.deepEqual((await s.execute(db, person(5))).rows, [{ who: '5' }]);
    assert.equal(s.kept('member'), true);
    assert.equal(s.kept('facilitator'), true);
  });

  test('a statement that depends on more than the id is built for each person, never reused', async () => {
    const byGroups = perPersonStatement((_db, v) => sql<{ groups: number[] }>`SELECT ${[...v.memberships.keys()]}::int[] AS groups`);
    const byLocale = perPersonStatement((_db, v) => sql<{ l: string }>`SELECT ${sql.lit(v.locale)}::text AS l`);
    const byTime = perPersonStatement((_db, v) => sql<{ t: Date; id: number }>`SELECT ${new Date()}::timestamptz AS t, ${v.id}::bigint AS id`);
    const idInArray = perPersonStatement((_db, v) => sql<{ ids: number[] }>`SELECT ${[v.id]}::int[] AS ids`);
    const byYouth = perPersonStatement((_db, v) => (v.isYouth ? sql<{ y: boolean }>`SELECT true AS y` : sql<{ y: boolean }>`SELECT false AS y`));
    const a = person(21, { memberships: new Map([[5, { role: 'member', status: 'active' }]]), locale: 'es', isYouth: true });
    const b = person(22);
    assert.deepEqual((await byGroups.execute(db, a)).rows, [{ groups: [5] }]);
    assert.deepEqual((await byGroups.execute(db, b)).rows, [{ groups: [] }]);
    assert.deepEqual((await byLocale.execute(db, a)).rows, [{ l: 'es' }]);
    assert.deepEqual((await byLocale.execute(db, b)).rows, [{ l: 'en' }]);
    assert.equal((await byTime.execute(db, b)).rows[0]!.id, 22);
    assert.deepEqual((await idInArray.execute(db, a)).rows, [{ ids: [21] }]);
    assert.deepEqual((await idInArray.execute(db, b)).rows, [{ ids: [22] }]);
    assert.deepEqual((await byYouth.execute(db, a)).rows, [{ y: true }]);
    assert.deepEqual((await byYouth.execute(db, b)).rows, [{ y: false }]);
    for (const s of [byGroups, byLocale, byTime, idInArray, byYouth]) assert.equal(s.kept('member'), false);
  });

  test('ids given with the viewer are filled in too, for visitors as for people; a build that inlines an id is not kept', async () => {
    const s = shapedStatement<{ who: string | null; a: number; b: number }, [number, number]>(
      (_db, v, a, b) => sql`SELECT ${v.kind === 'user' ? sql`${v.id}::text` : sql`NULL::text`} AS who, ${a}::bigint AS a, ${b}::bigint AS b`,
    );
    assert.deepEqual((await s.execute(db, ANONYMOUS, 5, 6)).rows, [{ who: null, a: 5, b: 6 }]);
    assert.deepEqual((await s.execute(db, ANONYMOUS, 7, 8)).rows, [{ who: null, a: 7, b: 8 }]);
    assert.deepEqual((await s.execute(db, person(40), 9, 10)).rows, [{ who: '40', a: 9, b: 10 }]);
    assert.deepEqual((await s.execute(db, person(41), 11, 12)).rows, [{ who: '41', a: 11, b: 12 }]);
    assert.equal(s.kept('anonymous'), true);
    assert.equal(s.kept('member'), true);
    const inlined = shapedStatement<{ a: number }, [number]>((_db, _v, a) => sql`SELECT ${sql.lit(a)}::bigint AS a`);
    assert.deepEqual((await inlined.execute(db, ANONYMOUS, 3)).rows, [{ a: 3 }]);
    assert.deepEqual((await inlined.execute(db, ANONYMOUS, 4)).rows, [{ a: 4 }]);
    assert.equal(inlined.kept('anonymous'), false);
  });

  test("the home's lists, the first pages of Latest, New and Unread, and the thread page's statement are kept", async () => {
    for (const role of ['member', 'facilitator'] as const) {
      await forYou(db, person(31, { role }), []);
      for (const view of ['latest', 'new', 'unread'] as const) await trackedPage(db, person(31, { role }), view);
      assert.equal(await getThreadForViewer(db, 1, person(31, { role })), undefined);
      assert.equal(threadForViewer.kept(role), true, `thread page ${role}`);
      assert.equal(forYouLists.kept(role), true, role);
      for (const [key, s] of firstPages) assert.equal(s.kept(role), true, `${key} ${role}`);
    }
    assert.ok(firstPages.size >= 3);
    assert.equal(await getThreadForViewer(db, 1, ANONYMOUS), undefined);
    assert.equal(threadForViewer.kept('anonymous'), true);
    assert.deepEqual(await threadPosts(db, 1, null), []);
    assert.equal(threadPostsStatement.kept('anonymous'), true, "the thread's posts, as shared between readers");
  });
});
