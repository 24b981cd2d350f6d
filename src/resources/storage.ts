import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileTypeFromBuffer } from 'file-type';
import { MAX_UPLOAD_BYTES, UPLOAD_TYPES } from './vocab.js';

import type { Upload } from '../platform/http/uploads.js';
export type { Upload };

export type SniffResult = { ok: true; contentType: string; extension: string } | { ok: false; reason: 'empty' | 'too_large' | 'type' };

/** Text that is really markup (HTML, SVG, XML): never accepted, whatever the name says. */
const MARKUP = /^\s*(?:<\?xml|<!doctype|<html|<svg|<script|<!--|<[a-z][a-z0-9-]*[\s>])/i;

/**
 * Decides what a file is from its bytes. Binary formats by their signature
 * (file-type); text only when it is valid UTF-8 without NUL bytes and does not
 * start like markup. The name is used only to tell CSV from plain text.
 */
export async function sniff(upload: Upload): Promise<SniffResult> {
  if (upload.data.length === 0) return { ok: false, reason: 'empty' };
  if (upload.data.length > MAX_UPLOAD_BYTES) return { ok: false, reason: 'too_large' };
  const found = await fileTypeFromBuffer(upload.data);
  if (found) {
    const ext = UPLOAD_TYPES[found.mime];
    return ext ? { ok: true, contentType: found.mime, extension: ext } : { ok: false, reason: 'type' };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(upload.data.subarray(0, 64 * 1024));
  } catch {
    return { ok: false, reason: 'type' };
  }
  if (text.includes('\u0000') || MARKUP.test(text)) return { ok: false, reason: 'type' };
  return /\.csv$/i.test(upload.filename) ? { ok: true, contentType: 'text/csv', extension: 'csv' } : { ok: true, contentType: 'text/plain', extension: 'txt' };
}

/** A file name safe to show and to put in Content-Disposition: no paths, no control characters. */
export function safeFilename(name: string, extension: string): string {
  const base = path.basename(name.replace(/\\/g, '/')).replace(/[\u0000-\u001f\u007f"<>:|?*/\\]/g, '').trim();
  const stem = base.replace(/\.[A-Za-z0-9]{1,8}$/, '').slice(0, 120) || 'resource';
  return `${stem}.${extension}`;
}

export interface StagedFile {
  key: string;
  sha256: string;
  commit(): Promise<void>;
  discard(): Promise<void>;
}

/** Files live under <dataDir>/uploads/<2 hex>/<random key>, named by a key that reveals nothing. */
export class FileStore {
  constructor(private readonly root: string) {}

  /**
   * Writes a file under a temporary name, without blocking the event loop.
   * `commit()` gives it its real name (call it once the transaction that
   * records the file has committed); `discard()` removes what was not
   * committed (a refused or failed write, a replayed double submit).
   */
  async stage(data: Buffer): Promise<StagedFile> {
    const key = randomBytes(18).toString('hex');
    const dir = path.join(this.root, key.slice(0, 2));
    await mkdir(dir, { recursive: true });
    const final = path.join(dir, key);
    const temp = `${final}.partial`;
    await writeFile(temp, data, { mode: 0o600 });
    let settled = false;
    return {
      key,
      sha256: createHash('sha256').update(data).digest('hex'),
      commit: async () => {
        if (settled) return;
        settled = true;
        await rename(temp, final);
      },
      discard: async () => {
        if (settled) return;
        settled = true;
        await rm(temp, { force: true });
      },
    };
  }

  private pathOf(key: string): string {
    if (!/^[0-9a-f]{36}$/.test(key)) throw new Error('bad storage key');
    return path.join(this.root, key.slice(0, 2), key);
  }

  exists(key: string): boolean {
    return existsSync(this.pathOf(key));
  }

  size(key: string): number {
    return statSync(this.pathOf(key)).size;
  }

  stream(key: string) {
    return createReadStream(this.pathOf(key));
  }

  readPath(key: string): string {
    return this.pathOf(key);
  }
}

/** The upload store of a Convene data directory. */
export const uploadStore = (dataDir: string) => new FileStore(path.join(dataDir, 'uploads'));
