import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { watchHeap } from './memory.js';

describe('the heap bound on the caches together', () => {
  test('past the share of the limit the caches are dropped, then not again until V8 has had time to collect', async () => {
    let used = 100;
    let dropped = 0;
    const watch = watchHeap(() => dropped++, { share: 0.6, everyMs: 20, read: () => ({ used, limit: 200 }) });
    const waitFor = async (ok: () => boolean) => {
      for (let i = 0; i < 200 && !ok(); i++) await sleep(5);
    };
    try {
      await sleep(100);
      assert.equal(dropped, 0, 'at half the limit nothing is dropped');
      used = 130;
      await waitFor(() => dropped > 0);
      assert.equal(dropped, 1, 'past 60 % the caches go');
      await sleep(30);
      assert.equal(dropped, 1, 'and are not dropped again at once (a pause of five checks)');
      await waitFor(() => dropped > 1);
      assert.equal(dropped, 2, 'still over after the pause: dropped again');
      used = 100;
      await sleep(200);
      assert.equal(dropped, 2, 'back under the share: nothing more is dropped');
      assert.equal(watch.relieved, 2);
    } finally {
      watch.stop();
    }
  });

  test('a stopped watch drops nothing', async () => {
    let dropped = 0;
    const watch = watchHeap(() => dropped++, { everyMs: 5, read: () => ({ used: 199, limit: 200 }) });
    watch.stop();
    await sleep(30);
    assert.equal(dropped, 0);
  });
});
