import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { watchHeap } from './memory.js';

describe('the heap bound on the caches together', () => {
  test('past the share of the limit the caches are dropped, then not again until V8 has had time to collect', () => {
    let used = 100;
    let clock = 0;
    let dropped = 0;
    // Checks are made by hand with a clock of the test's own: the timer (an hour apart) never fires here.
    const watch = watchHeap(() => dropped++, { share: 0.6, everyMs: 3_600_000, read: () => ({ used, limit: 200 }), now: () => clock });
    try {
      watch.check();
      assert.equal(dropped, 0, 'at half the limit nothing is dropped');
      used = 130;
      watch.check();
      assert.equal(dropped, 1, 'past 60 % the caches go');
      clock += 4 * 3_600_000;
      watch.check();
      assert.equal(dropped, 1, 'and are not dropped again within five checks');
      clock += 3_600_000;
      watch.check();
      assert.equal(dropped, 2, 'still over after the pause: dropped again');
      used = 100;
      clock += 10 * 3_600_000;
      watch.check();
      assert.equal(dropped, 2, 'back under the share: nothing more is dropped');
      assert.equal(watch.relieved, 2);
    } finally {
      watch.stop();
    }
  });

  test('the timer checks by itself, and a stopped watch drops nothing', async () => {
    let dropped = 0;
    const running = watchHeap(() => dropped++, { everyMs: 5, read: () => ({ used: 199, limit: 200 }) });
    for (let i = 0; i < 400 && dropped === 0; i++) await sleep(5);
    running.stop();
    assert.equal(dropped, 1, 'the timer made the check');
    let after = 0;
    const stopped = watchHeap(() => after++, { everyMs: 5, read: () => ({ used: 199, limit: 200 }) });
    stopped.stop();
    await sleep(30);
    assert.equal(after, 0);
  });
});
