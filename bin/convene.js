#!/usr/bin/env node
// The `convene` command: runs the compiled CLI (npm install builds it).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const compiled = path.join(root, 'dist/src/cli.js');
if (!existsSync(compiled)) {
  console.error('convene: the compiled code is missing; run "npm run build" (npm install does it for you).');
  process.exit(1);
}
await import(compiled);
