/**
 * `npm test`: runs every test file against the embedded PostgreSQL and, when
 * TEST_DATABASE_URL is set, again against that server. For each engine it
 * makes one migrated template database; each test file clones it into a
 * database of its own. Everything it creates is dropped at the end.
 *
 *   npm test                      all tests, both engines when configured
 *   npm test -- --no-browser      skip the browser tests (quick local runs)
 *   npm test -- src/groups        only files under a path
 *   REQUIRE_BOTH_ENGINES=1        fail unless both engines ran tests (CI)
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbedded } from '../src/platform/db/embedded.js';
import { migrate } from '../src/platform/db/migrate.js';

const root = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '..');
const args = process.argv.slice(2);
const noBrowser = args.includes('--no-browser');
const filters = args.filter((a) => !a.startsWith('--'));

function findTests(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const p = path.join(dir, entry);
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (/\.test\.tsx?$/.test(entry)) out.push(p);
  }
  return out;
}

// The files under test/ (browser journeys, the every-page axe matrix, the compiled CLI) take
// minutes each where a capability's file takes seconds: they start first, largest first, so the
// longest is not left to run alone at the end while the other slot idles (on a slow machine the
// axe matrix ran 17 minutes, started last; first, the embedded engine's files took about 25
// minutes instead of 32, though the matrix itself, beside busier neighbours, stays the longest path).
const heavyFirst = (files: string[]) => {
  const heavy = files.filter((f) => f.startsWith(path.join(root, 'test') + path.sep));
  const size = new Map(heavy.map((f) => [f, statSync(f).size]));
  heavy.sort((a, b) => size.get(b)! - size.get(a)! || a.localeCompare(b));
  return [...heavy, ...files.filter((f) => !size.has(f)).sort()];
};
let files = heavyFirst([...findTests(path.join(root, 'src')), ...findTests(path.join(root, 'test'))]);
if (noBrowser) files = files.filter((f) => !f.includes(`${path.sep}browser${path.sep}`));
if (filters.length) files = files.filter((f) => filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}

async function admin(url: string, text: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(text);
  } finally {
    await c.end();
  }
}

const withDb = (url: string, db: string) => {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
};

interface EngineRun {
  name: 'embedded' | 'postgres';
  adminUrl: string;
  /** Browser tests (the HTML does not depend on the PostgreSQL version) and `*.once.test.ts` files run on one engine only. */
  browser: boolean;
  /** No file to run on this engine (only one-engine files were asked for). */
  skipped?: boolean;
  counts?: Record<string, number> & { files?: Record<string, number> };
  code?: number;
}

/**
 * Files that run on the first engine only: the browser tests, and files named `*.once.test.ts`,
 * whose subject keeps its own database whichever engine the suite runs on (`convene start` on its
 * embedded PostgreSQL: two minutes or more each time, the second time on the same code).
 */
const isOneEngineFile = (f: string) => f.includes(`${path.sep}browser${path.sep}`) || f.endsWith('.once.test.ts');

const runId = `cvt_${Date.now().toString(36)}_${process.pid}`;

async function runEngine(engine: EngineRun): Promise<void> {
  const template = `${runId}_${engine.name}`;
  await admin(engine.adminUrl, `DROP DATABASE IF EXISTS ${template}`);
  await admin(engine.adminUrl, `CREATE DATABASE ${template}`);
  try {
    await migrate(withDb(engine.adminUrl, template));
    const countsFile = path.join(mkdtempSync(path.join(tmpdir(), 'convene-counts-')), 'counts.json');
    const mine = engine.browser ? files : files.filter((f) => !isOneEngineFile(f));
    if (mine.length === 0) {
      engine.skipped = true;
      return;
    }
    console.log(`\n=== ${engine.name}: ${mine.length} test files${mine.length < files.length ? ' (browser and *.once files run on the first engine only)' : ''} ===\n`);
    engine.code = await new Promise<number>((resolve) => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          '--test',
          '--test-concurrency=2',
          '--test-timeout=1800000',
          '--test-reporter=spec',
          '--test-reporter-destination=stdout',
          `--test-reporter=${path.join(root, 'test/count-reporter.mjs')}`,
          `--test-reporter-destination=${countsFile}`,
          // `--test-name-pattern=…` narrows a run to some tests by name (while working on them).
          ...args.filter((a) => a.startsWith('--test-name-pattern=')),
          ...mine,
        ],
        {
          cwd: root,
          stdio: 'inherit',
          env: {
            ...process.env,
            CONVENE_TEST_ENGINE: engine.name,
            CONVENE_TEST_ADMIN_URL: engine.adminUrl,
            CONVENE_TEST_TEMPLATE: template,
          },
        },
      );
      child.on('close', (code) => resolve(code ?? 1));
    });
    engine.counts = existsSync(countsFile) ? (JSON.parse(readFileSync(countsFile, 'utf8').trim() || '{}') as Record<string, number>) : {};
  } finally {
    // Drop the template and any clone a crashed test file left behind.
    const left = await admin(engine.adminUrl, `SELECT datname FROM pg_database WHERE datname LIKE '${template}%'`);
    for (const r of left.rows as { datname: string }[]) await admin(engine.adminUrl, `DROP DATABASE IF EXISTS ${r.datname} WITH (FORCE)`).catch(() => {});
  }
}

async function main(): Promise<number> {
  // The CLI tests run the compiled command, as people do: build it once first.
  if (files.some((f) => /^cli[.-]/.test(path.basename(f)))) {
    const built = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
    if (built.status !== 0) return 1;
  }
  const engines: EngineRun[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'convene-test-pg-'));
  console.log('starting the embedded PostgreSQL for tests');
  // Durability is not needed for throwaway test data; speed is.
  const embedded = await startEmbedded({ dataDir: dir, settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '300' } });
  try {
    engines.push({ name: 'embedded', adminUrl: embedded.url.replace(/\/convene$/, '/postgres'), browser: true });
    if (process.env.TEST_DATABASE_URL) engines.push({ name: 'postgres', adminUrl: process.env.TEST_DATABASE_URL, browser: false });
    for (const e of engines) await runEngine(e);
  } finally {
    await embedded.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  console.log('\n=== summary ===');
  let passed = 0;
  let failed = 0;
  let ok = true;
  for (const e of engines) {
    if (e.skipped) {
      console.log(`${e.name}: no test files for this engine`);
      continue;
    }
    const c = e.counts ?? {};
    const p = c.pass ?? 0;
    const f = (c.fail ?? 0) + (c.cancelled ?? 0);
    passed += p;
    failed += f;
    console.log(`${e.name}: ${p} passed, ${f} failed, ${c.skipped ?? 0} skipped (exit ${e.code})`);
    if (e.code !== 0 || f > 0 || p === 0) ok = false;
  }
  if (process.env.REQUIRE_BOTH_ENGINES && !engines.some((e) => e.name === 'postgres')) {
    console.log('TEST_DATABASE_URL is not set, but REQUIRE_BOTH_ENGINES asks for both engines');
    ok = false;
  }
  // The slowest files, so a file that grows slow is seen (times are the files' own, run two at a time).
  const times = new Map<string, number>();
  for (const e of engines) for (const [f, ms] of Object.entries(e.counts?.files ?? {})) times.set(`${path.relative(root, f)} (${e.name})`, ms);
  const slowest = [...times].sort((a, b) => b[1] - a[1]).slice(0, 12);
  if (slowest.length) {
    console.log('\nslowest test files:');
    for (const [f, ms] of slowest) console.log(`  ${(ms / 1000).toFixed(1).padStart(7)} s  ${f}`);
  }
  console.log(`${passed} passed, ${failed} failed`);
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`test run could not start: ${(err as Error).message}`);
    process.exit(1);
  },
);
