import { chmodSync, cpSync, existsSync, renameSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync, chownSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tar from 'tar';
import pg from 'pg';
import type { ExportFile } from './exchange.js';
import { runningPostmaster } from '../platform/db/embedded.js';

/**
 * Archives Convene's data in one file:
 *  - an export archive (`convene export`): the community as JSON plus every
 *    uploaded file, portable to any installation and engine;
 *  - a backup (`convene backup`): a physical copy of the embedded PostgreSQL
 *    taken with PostgreSQL's own backup API while it runs (nothing stops),
 *    plus the uploads and the secrets the data is sealed with.
 */

const staging = (what: string) => mkdtempSync(path.join(tmpdir(), `convene-${what}-`));

/** Writes community.json and the uploads folder into one .tar.gz. */
export async function writeExportArchive(file: string, data: ExportFile, dataDir: string): Promise<{ files: number }> {
  const dir = staging('export');
  try {
    writeFileSync(path.join(dir, 'community.json'), JSON.stringify(data));
    const uploads = path.join(dataDir, 'uploads');
    const entries = ['community.json'];
    if (existsSync(uploads)) {
      symlinkSync(uploads, path.join(dir, 'uploads'));
      entries.push('uploads');
    }
    await tar.c({ gzip: true, file, cwd: dir, follow: true, portable: true, mode: 0o600 } as tar.TarOptionsWithAliasesAsyncFile, entries);
    return { files: existsSync(uploads) ? countFiles(uploads) : 0 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Reads an export: a .tar.gz from `writeExportArchive`, or a bare JSON file from earlier versions. */
export async function readExportArchive(file: string): Promise<{ data: unknown; uploads?: string; cleanup(): void }> {
  const head = readFileSync(file).subarray(0, 2);
  if (head[0] !== 0x1f || head[1] !== 0x8b) return { data: JSON.parse(readFileSync(file, 'utf8')), cleanup: () => {} };
  const dir = staging('import');
  await tar.x({ file, cwd: dir, strict: true, filter: (p) => !p.split('/').includes('..') });
  const uploads = path.join(dir, 'uploads');
  return { data: JSON.parse(readFileSync(path.join(dir, 'community.json'), 'utf8')), uploads: existsSync(uploads) ? uploads : undefined, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Copies imported uploads into the data directory (never over a file already there). */
export function installUploads(from: string, dataDir: string): number {
  const to = path.join(dataDir, 'uploads');
  mkdirSync(to, { recursive: true });
  cpSync(from, to, { recursive: true, force: false, errorOnExist: false });
  return countFiles(from);
}

function countFiles(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? countFiles(path.join(dir, e.name)) : 1;
  return n;
}

// ---- physical backups of the embedded PostgreSQL ------------------------------------------

/** What a base backup leaves out (PostgreSQL's documentation lists these as safe to omit). */
const SKIP = new Set(['postmaster.pid', 'postmaster.opts', 'pg_internal.init']);
const EMPTY_DIRS = new Set(['pg_wal', 'pg_replslot', 'pg_dynshmem', 'pg_notify', 'pg_serial', 'pg_snapshots', 'pg_stat_tmp', 'pg_subtrans']);

/**
 * Backs up the embedded database while it runs: pg_backup_start, a copy of
 * the data directory, pg_backup_stop, then the write-ahead log written in
 * the meantime and the backup label PostgreSQL returns. The uploads and the
 * secret files come along, so a restore is the whole installation.
 */
export async function backupEmbedded(dataDir: string, url: string, file: string, log: (m: string) => void = () => {}): Promise<{ bytes: number }> {
  const dir = staging('backup');
  try {
    log('copying the database files');
    await copyRunningCluster(url, path.join(dataDir, 'pg'), path.join(dir, 'pg'));
    for (const f of ['pg-password', 'session-secret']) if (existsSync(path.join(dataDir, f))) cpSync(path.join(dataDir, f), path.join(dir, f));
    if (existsSync(path.join(dataDir, 'uploads'))) cpSync(path.join(dataDir, 'uploads'), path.join(dir, 'uploads'), { recursive: true });
    writeFileSync(path.join(dir, 'convene-backup.json'), JSON.stringify({ format: 'convene-backup', version: 1, taken_at: new Date().toISOString() }));
    log('writing the archive');
    await tar.c({ gzip: true, file, cwd: dir, portable: false, mode: 0o600 } as tar.TarOptionsWithAliasesAsyncFile, readdirSync(dir));
    return { bytes: statSync(file).size };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Copies the data directory of a running PostgreSQL (`pgDir`, reached at
 * `url` as a superuser) into `dest` as a base backup: pg_backup_start, the
 * files, pg_backup_stop, the backup label it returns and the write-ahead log
 * written meanwhile. Started as it is, the copy recovers to a consistent
 * state; with standby.signal it becomes a streaming standby.
 */
export async function copyRunningCluster(url: string, pgDir: string, dest: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, application_name: 'convene-backup' });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(`SELECT pg_backup_start('convene backup', true)`);
    try {
      cpSync(pgDir, dest, {
        recursive: true,
        filter: (src) => {
          const parts = path.relative(pgDir, src).split(path.sep);
          if (SKIP.has(parts[parts.length - 1]!)) return false;
          // Keep these folders, empty.
          return !(parts.length > 1 && EMPTY_DIRS.has(parts[0]!));
        },
      });
    } finally {
      const stop = await client.query<{ labelfile: string; spcmapfile: string | null }>(`SELECT labelfile, spcmapfile FROM pg_backup_stop(false)`);
      writeFileSync(path.join(dest, 'backup_label'), stop.rows[0]!.labelfile);
      if (stop.rows[0]!.spcmapfile) writeFileSync(path.join(dest, 'tablespace_map'), stop.rows[0]!.spcmapfile);
    }
    // The write-ahead log from the backup's start to its end, after pg_backup_stop switched segments.
    const wal = path.join(pgDir, 'pg_wal');
    for (const name of readdirSync(wal)) {
      if (/^[0-9A-F]{24}$/.test(name) || /\.history$/.test(name)) cpSync(path.join(wal, name), path.join(dest, 'pg_wal', name));
    }
    for (const sub of EMPTY_DIRS) mkdirSync(path.join(dest, sub), { recursive: true });
    mkdirSync(path.join(dest, 'pg_wal', 'archive_status'), { recursive: true });
  } finally {
    await client.end().catch(() => {});
  }
}

export class RestoreError extends Error {}

/**
 * Restores a backup into `dataDir`. Refuses while a PostgreSQL runs on that
 * directory; an existing database folder is kept aside (pg.before-restore-…),
 * never deleted. PostgreSQL replays the backup's log when it next starts.
 */
export async function restoreEmbedded(dataDir: string, file: string, opts: { owner?: { uid: number; gid: number }; log?: (m: string) => void } = {}): Promise<{ keptAside?: string }> {
  const pgDir = path.join(dataDir, 'pg');
  if (runningPostmaster(pgDir)) throw new RestoreError(`Convene's database is running on ${dataDir}: stop Convene (the server and any worker) before restoring`);
  const dir = staging('restore');
  try {
    await tar.x({ file, cwd: dir, strict: true, preserveOwner: false, filter: (p) => !p.split('/').includes('..') });
    const manifest = path.join(dir, 'convene-backup.json');
    if (!existsSync(manifest) || JSON.parse(readFileSync(manifest, 'utf8')).format !== 'convene-backup') throw new RestoreError('this file is not a Convene backup');
    mkdirSync(dataDir, { recursive: true });
    let keptAside: string | undefined;
    if (existsSync(pgDir)) {
      keptAside = `${pgDir}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      renameSync(pgDir, keptAside);
      opts.log?.(`kept the database that was there in ${keptAside}`);
    }
    cpSync(path.join(dir, 'pg'), pgDir, { recursive: true });
    for (const sub of EMPTY_DIRS) mkdirSync(path.join(pgDir, sub), { recursive: true });
    chmodSync(pgDir, 0o700);
    if (opts.owner) {
      // PostgreSQL runs as its own OS user: it must be able to enter the data directory.
      chmodSync(dataDir, statSync(dataDir).mode | 0o111);
      chownTree(pgDir, opts.owner);
    }
    for (const f of ['pg-password', 'session-secret']) if (existsSync(path.join(dir, f))) cpSync(path.join(dir, f), path.join(dataDir, f));
    if (existsSync(path.join(dir, 'uploads'))) cpSync(path.join(dir, 'uploads'), path.join(dataDir, 'uploads'), { recursive: true, force: true });
    return { keptAside };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function chownTree(dir: string, owner: { uid: number; gid: number }) {
  chownSync(dir, owner.uid, owner.gid);
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) chownTree(p, owner);
    else chownSync(p, owner.uid, owner.gid);
  }
}
