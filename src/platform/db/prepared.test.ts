import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { PREPARED, connect, type DatabaseHandle } from './db.js';
import { createTestDatabase } from '../../../test/helpers.js';

let handle: DatabaseHandle;
before(async () => {
  const { url } = await createTestDatabase();
  // One connection, so every statement below meets the same session's prepared statements.
  handle = connect(url, 'postgres', { max: 1 });
});
after(async () => handle.close());

const preparedNames = async () => (await sql<{ name: string; statement: string }>`SELECT name, statement FROM pg_prepared_statements`.execute(handle.db)).rows;

describe('prepared statements (PREPARED)', () => {
  test('marked statements are parsed and planned once per connection; unmarked ones are not kept', async () => {
    const user = async (id: number) => (await sql<{ n: number }>`SELECT ${id}::int + 1 AS n ${PREPARED}`.execute(handle.db)).rows[0]!.n;
    assert.equal(await user(1), 2);
    assert.equal(await user(41), 42, 'the same statement with other values');
    await sql`SELECT ${7}::int AS unmarked`.execute(handle.db);
    const names = await preparedNames();
    const mine = names.filter((n) => n.statement.includes('convene:prepared'));
    assert.equal(mine.length, 1, 'one prepared statement for the marked text');
    assert.match(mine[0]!.name, /^cv_/);
    assert.ok(!names.some((n) => n.statement.includes('AS unmarked')));
    // Builder queries are marked with modifyEnd.
    const rows = await handle.db.selectFrom('community').select('id').modifyEnd(PREPARED).where('id', '>', 0).execute();
    assert.ok(Array.isArray(rows));
    assert.equal((await preparedNames()).filter((n) => n.statement.includes('convene:prepared')).length, 2);
  });

  test('a statement whose columns changed under it fails once, then is prepared afresh', async () => {
    await sql`CREATE TABLE prepared_probe (id int PRIMARY KEY, a text)`.execute(handle.db);
    await sql`INSERT INTO prepared_probe VALUES (1, 'x')`.execute(handle.db);
    const read = () => sql<Record<string, unknown>>`SELECT * FROM prepared_probe WHERE id = ${1} ${PREPARED}`.execute(handle.db);
    assert.deepEqual((await read()).rows, [{ id: 1, a: 'x' }]);
    await sql`ALTER TABLE prepared_probe ADD COLUMN b text DEFAULT 'y'`.execute(handle.db);
    await assert.rejects(read(), /cached plan must not change result type/);
    assert.deepEqual((await read()).rows, [{ id: 1, a: 'x', b: 'y' }]);
  });
});
