/**
 * Where a server's CPU time went, from a V8 `.cpuprofile` (written by
 * `npm run bench -- --cpu-prof`, or any `node --cpu-prof` run).
 *
 *   npx tsx bench/profile.ts bench/profiles/<file>.cpuprofile [--top 30]
 *
 * Prints self time by area (our code by folder, each package, Node's
 * internals, garbage collection, idle), the functions with the most self time,
 * and the most expensive functions of our own code counting what they call.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The area a frame belongs to: `src/<folder>`, a package name, `node` internals, or V8's pseudo-frames. */
export function area(frame: CallFrame): string {
  const url = frame.url;
  if (!url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return 'node';
  const own = /\/(src|bench)\/([^/]+)\//.exec(url);
  if (own) return `${own[1]}/${own[2]}`;
  return url.replace(/^.*\//, '');
}

const label = (f: CallFrame) => `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*?(node_modules\/|\/src\/|\/bench\/)/, '$1')}:${f.lineNumber + 1}`;

const percent = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1).padStart(5)} %`;

/** The `n` largest entries of `m`, one line each: the figure as `format` shows it, then the name. */
function topTable(title: string, m: Map<string, number>, n: number, format: (v: number) => string): string {
  return [
    title,
    ...[...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `${format(v)}  ${k}`),
  ].join('\n');
}

export function summarize(file: string, top = 25): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  });
  const idle = [...byId.values()].filter((n) => n.callFrame.functionName === '(idle)').reduce((s, n) => s + (self.get(n.id) ?? 0), 0);
  const busy = total - idle;

  const areas = new Map<string, number>();
  const fns = new Map<string, number>();
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    if (n.callFrame.functionName === '(idle)') continue;
    const a = area(n.callFrame);
    areas.set(a, (areas.get(a) ?? 0) + us);
    const l = label(n.callFrame);
    fns.set(l, (fns.get(l) ?? 0) + us);
  }

  // Inclusive time of our own functions: each sample counts once per function on its stack.
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map<string, number>();
  for (const [id, us] of self) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      if (!/\/src\//.test(f.url)) continue;
      const l = label(f);
      if (seen.has(l)) continue;
      seen.add(l);
      inclusive.set(l, (inclusive.get(l) ?? 0) + us);
    }
  }

  const share = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms ${percent(us, busy)}`;
  const table = (title: string, m: Map<string, number>, n: number) => topTable(title, m, n, share);
  return [
    `CPU profile ${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (${((100 * busy) / total).toFixed(0)} %); shares below are of the busy time.`,
    '',
    table('Self time by area:', areas, 20),
    '',
    table('Functions with the most self time:', fns, top),
    '',
    table('Our code, counting what it calls:', inclusive, top),
  ].join('\n');
}

interface AllocationNode {
  callFrame: CallFrame;
  selfSize: number;
  id: number;
  children: AllocationNode[];
}

/** Bytes allocated by function, from a sampling heap profile that kept collected objects (bench/server.ts BENCH_ALLOCATIONS). */
export function summarizeAllocations(file: string, top = 25): string {
  const { head } = JSON.parse(readFileSync(file, 'utf8')) as { head: AllocationNode };
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  const walk = (n: AllocationNode, stack: string[]) => {
    const l = label(n.callFrame);
    const here = [...stack, l];
    if (n.selfSize) {
      total += n.selfSize;
      self.set(l, (self.get(l) ?? 0) + n.selfSize);
      for (const f of new Set(here.filter((x) => /\/src\//.test(x) || x.startsWith('src/')))) inclusive.set(f, (inclusive.get(f) ?? 0) + n.selfSize);
    }
    for (const c of n.children) walk(c, here);
  };
  walk(head, []);
  const table = (title: string, m: Map<string, number>) => topTable(title, m, top, (b) => percent(b, total));
  return [`Allocation profile ${file}: ${(total / 1048576).toFixed(0)} MB sampled.`, '', table('Functions allocating the most:', self), '', table('Our code, counting what it calls:', inclusive)].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' }, allocations: { type: 'boolean', default: false } } });
  if (!positionals[0]) {
    console.error('usage: tsx bench/profile.ts <file.cpuprofile> [--top N]\n       tsx bench/profile.ts --allocations <file.heapprofile> [--top N]');
    process.exit(2);
  }
  console.log(values.allocations ? summarizeAllocations(positionals[0], Number(values.top)) : summarize(positionals[0], Number(values.top)));
}
