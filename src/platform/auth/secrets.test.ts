import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomToken, secureRandom } from './secrets.js';

test('secure random values: the length asked for, never the same twice across the buffer refilling, large and empty requests served, nonsense refused', () => {
  const seen = new Set<string>();
  // 32 bytes at a time, well past several 4 KB refills.
  for (let i = 0; i < 2000; i++) {
    const b = secureRandom(32);
    assert.equal(b.length, 32);
    seen.add(b.toString('hex'));
  }
  assert.equal(seen.size, 2000, 'no value repeats');
  // Odd sizes that straddle a refill keep their length.
  for (let i = 0; i < 500; i++) assert.equal(secureRandom(37).length, 37);
  const large = secureRandom(10_000);
  assert.equal(large.length, 10_000);
  assert.ok(large.some((x) => x !== 0));
  assert.equal(secureRandom(0).length, 0);
  // A value handed out is a copy: refilling the buffer (and wiping what was handed out) leaves it as it was.
  const a = secureRandom(16);
  const kept = Buffer.from(a);
  for (let i = 0; i < 300; i++) secureRandom(32);
  assert.ok(a.equals(kept), 'a token does not change after it is handed out');
  assert.ok(a.some((x) => x !== 0));
  assert.throws(() => secureRandom(-1), RangeError);
  assert.throws(() => secureRandom(1.5), RangeError);
  assert.match(randomToken(), /^[A-Za-z0-9_-]{43}$/);
  assert.match(randomToken(16), /^[A-Za-z0-9_-]{22}$/);
});
