/**
 * The server as `npm run bench` runs it: the compiled app in production mode,
 * one process, or with `--workers N` N processes sharing one port through
 * node:cluster. Configuration comes from the environment, as for `convene start`.
 * `npm run build` compiles this file too, and the bench runs `dist/bench/server.js`
 * with plain Node, as `npm start` runs the app: no TypeScript loader in the
 * measured process (tsx's loader thread alone holds about 45 MB).
 */
import cluster from 'node:cluster';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { monitorEventLoopDelay, PerformanceObserver, type EventLoopUtilization, performance } from 'node:perf_hooks';

const { values } = parseArgs({ options: { workers: { type: 'string', default: '1' } } });
const workers = Math.max(1, Number(values.workers) || 1);
const compiled = path.resolve('dist/src/server.js');
if (!existsSync(compiled)) {
  console.error('the compiled server is missing: run "npm run build" first');
  process.exit(1);
}

if (workers > 1 && cluster.isPrimary) {
  // The processes share the machine's connections to PostgreSQL (docs/DEPLOYMENT.md): unless
  // DATABASE_POOL_SIZE says otherwise, each takes its share of the one-process default (measured,
  // two processes on 2 cores: 3 connections each gave home 497 and Unread 773 req/s, 6 each 450 and 686).
  const { defaultPoolSize } = (await import(path.resolve('dist/src/platform/config.js'))) as typeof import('../src/platform/config.js');
  const pool = process.env.DATABASE_POOL_SIZE || String(Math.max(2, Math.floor(defaultPoolSize(process.env.DATABASE_URL || undefined) / workers)));
  for (let i = 0; i < workers; i++) cluster.fork({ DATABASE_POOL_SIZE: pool });
  let ready = 0;
  cluster.on('message', (_w, msg) => {
    if (msg === 'ready' && ++ready === workers) console.log('ready');
  });
  cluster.on('exit', (_w, code) => {
    if (code) process.exit(code);
  });
  const stop = () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.kill('SIGTERM');
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  const { startServer } = (await import(compiled)) as typeof import('../src/server.js');
  const running = await startServer(undefined, () => {});
  const stopWatch = process.env.BENCH_LOOP_DELAY ? watchLoop() : undefined;
  const stopMemory = process.env.BENCH_MEMORY ? watchMemory() : undefined;
  const stopAllocations = process.env.BENCH_ALLOCATIONS ? await sampleAllocations(process.env.BENCH_ALLOCATIONS) : undefined;
  if (cluster.isWorker) process.send?.('ready');
  else console.log('ready');
  const stop = async () => {
    stopWatch?.();
    stopMemory?.();
    await stopAllocations?.();
    await running.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

/**
 * BENCH_LOOP_DELAY=1: what a request's tail latency is made of. Event-loop
 * delay (how long a ready request waited for the loop) and garbage-collection
 * pauses, per second while busy (or per BENCH_LOOP_DELAY milliseconds, when
 * that is 50 or more), printed to stderr when the server stops.
 */
function watchLoop(): () => void {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  const gc: { kind: number; ms: number }[] = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gc.push({ kind: (e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0, ms: e.duration });
  });
  obs.observe({ entryTypes: ['gc'] });
  let elu: EventLoopUtilization = performance.eventLoopUtilization();
  const lines: string[] = [];
  const tick = setInterval(() => {
    const now = performance.eventLoopUtilization(elu);
    elu = performance.eventLoopUtilization();
    if (now.utilization > 0.2) {
      const major = gc.filter((g) => g.kind === 4);
      const minor = gc.filter((g) => g.kind !== 4);
      const sum = (a: { ms: number }[]) => Math.round(a.reduce((s, g) => s + g.ms, 0));
      lines.push(
        `loop ${Math.round(now.utilization * 100)}% busy; delay p50 ${(h.percentile(50) / 1e6).toFixed(1)} p99 ${(h.percentile(99) / 1e6).toFixed(1)} max ${(h.max / 1e6).toFixed(1)} ms; ` +
          `gc minor ${minor.length}× ${sum(minor)} ms, major ${major.length}× ${sum(major)} ms (longest ${Math.round(Math.max(0, ...gc.map((g) => g.ms)))} ms)`,
      );
    }
    gc.length = 0;
    h.reset();
  }, Number(process.env.BENCH_LOOP_DELAY) >= 50 ? Number(process.env.BENCH_LOOP_DELAY) : 1000);
  return () => {
    clearInterval(tick);
    obs.disconnect();
    process.stderr.write(lines.map((l) => `[loop] ${l}\n`).join(''));
  };
}

/**
 * BENCH_MEMORY=1: what the resident memory is made of. The peak of each part
 * of `process.memoryUsage()` (sampled every 200 ms), printed to stderr when
 * the server stops: V8's heap (bounded by --max-old-space-size), Buffers
 * outside it (the page cache's pages), and the rest (code, libraries).
 */
function watchMemory(): () => void {
  const peak = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
  const t = setInterval(() => {
    const m = process.memoryUsage();
    for (const k of Object.keys(peak) as (keyof typeof peak)[]) peak[k] = Math.max(peak[k], m[k]);
  }, 200);
  t.unref();
  return () => {
    clearInterval(t);
    const mb = (n: number) => Math.round(n / 1048576);
    console.error(`memory peaks (MB): rss ${mb(peak.rss)}, V8 heap ${mb(peak.heapTotal)} (used ${mb(peak.heapUsed)}), external ${mb(peak.external)} (Buffers ${mb(peak.arrayBuffers)})`);
  };
}

/**
 * BENCH_ALLOCATIONS=<file>: where the garbage comes from. V8's sampling heap
 * profiler, keeping the samples of objects already collected (what a plain
 * heap profile leaves out: a request's short-lived garbage), written to
 * <file> as a .heapprofile (Chrome's Memory tab opens it) when the server stops;
 * `npx tsx bench/profile.ts --allocations <file>` lists the functions that
 * allocated most.
 */
async function sampleAllocations(file: string): Promise<() => Promise<void>> {
  const { Session } = await import('node:inspector');
  const { writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  const post = <T>(method: string, params?: object) =>
    new Promise<T>((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res as T))));
  await post('HeapProfiler.startSampling', { samplingInterval: 32_768, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  return async () => {
    const { profile } = await post<{ profile: unknown }>('HeapProfiler.stopSampling');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}
