/**
 * The server as `npm run bench` runs it: the compiled app in production mode,
 * one process, or with `--workers N` N processes sharing one port through
 * node:cluster. Configuration comes from the environment, as for `convene start`.
 */
import cluster from 'node:cluster';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { workers: { type: 'string', default: '1' } } });
const workers = Math.max(1, Number(values.workers) || 1);
const compiled = path.resolve('dist/src/server.js');
if (!existsSync(compiled)) {
  console.error('the compiled server is missing: run "npm run build" first');
  process.exit(1);
}

if (workers > 1 && cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
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
  if (cluster.isWorker) process.send?.('ready');
  else console.log('ready');
  const stop = async () => {
    await running.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}
