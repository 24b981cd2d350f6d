import { spawn } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');

/** Runs the compiled `convene` command with `env`; resolves when it exits, or when its output matches `untilOutput` (then it keeps running). */
export function run(args: string[], env: Record<string, string>, opts: { untilOutput?: RegExp; timeoutMs?: number } = {}) {
  return new Promise<{ code: number | null; out: string; child: ReturnType<typeof spawn> }>((resolve) => {
    // The compiled command, as people run it (npm test builds it first): a third of the start-up time of tsx.
    const child = spawn(process.execPath, [path.join(root, 'bin/convene.js'), ...args], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    });
    let out = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (opts.untilOutput?.test(out)) {
        clearTimeout(timer);
        resolve({ code: null, out, child });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, child });
    });
  });
}
