import { ImageError, reencodeImage } from '../platform/images.js';
import { rm } from 'node:fs/promises';
import type { Db, Tx } from '../platform/db/db.js';
import { AppError, msg } from '../platform/http/errors.js';
import { safeFilename, sniff, type FileStore, type StagedFile, type Upload } from '../resources/storage.js';

/** Pictures are re-encoded no larger than this on their longer side. */
export const IMAGE_MAX_SIDE = 1600;
export const ALT_MAX = 300;
const IMAGES = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif']);

/** An attachment checked and ready to store: a re-encoded picture, or a file as it came. */
export interface PreparedAttachment {
  kind: 'image' | 'file';
  filename: string;
  contentType: string;
  data: Buffer;
  alt: string;
  width: number | null;
  height: number | null;
}

const refuse = (field: string, key: string, params?: Record<string, unknown>) => new AppError('validation_failed', { fields: { [field]: msg(key, params) } });

/**
 * Checks an upload with the library's rules (the type from the bytes, never
 * the name; the same size limit and list of types, plus GIF pictures) and
 * prepares it: a picture is turned upright, made at most 1,600 pixels on its
 * longer side and re-encoded as WebP, which drops its metadata (location,
 * camera) and anything hidden in the file; it must have a description (`alt`)
 * for people who cannot see it. Other files are kept as they are.
 */
export async function prepareAttachment(upload: Upload, alt: string | undefined): Promise<PreparedAttachment> {
  const found = await sniff(upload);
  const gif = !found.ok && found.reason === 'type' && upload.data.subarray(0, 6).toString('latin1').startsWith('GIF8');
  if (!found.ok && !gif) {
    if (found.reason === 'too_large') throw refuse('attachment', 'attachments.too_large');
    if (found.reason === 'empty') throw refuse('attachment', 'attachments.empty');
    throw refuse('attachment', 'attachments.type');
  }
  const contentType = gif ? 'image/gif' : found.ok ? found.contentType : '';
  const description = (alt ?? '').trim();
  if (!IMAGES.has(contentType)) {
    const ext = found.ok ? found.extension : 'bin';
    return { kind: 'file', filename: safeFilename(upload.filename, ext), contentType, data: upload.data, alt: '', width: null, height: null };
  }
  if (!description) throw refuse('attachment_alt', 'attachments.alt_required');
  if (description.length > ALT_MAX) throw refuse('attachment_alt', 'attachments.alt_long', { max: ALT_MAX });
  if (/[\p{Cc}]/u.test(description)) throw refuse('attachment_alt', 'validation.line');
  try {
    const image = await reencodeImage(upload.data, { width: IMAGE_MAX_SIDE, height: IMAGE_MAX_SIDE, fit: 'inside', withoutEnlargement: true }, 82);
    return { kind: 'image', filename: safeFilename(upload.filename, 'webp'), contentType: 'image/webp', data: image.data, alt: description, width: image.width, height: image.height };
  } catch (err) {
    throw err instanceof ImageError ? refuse('attachment', `attachments.${err.reason}`) : err;
  }
}

/** Writes a prepared attachment's bytes under a temporary name; `commit` once its row is committed. */
export const stageAttachment = (files: FileStore, a: PreparedAttachment): Promise<StagedFile> => files.stage(a.data);

/** Records a staged attachment on a post, inside the post's own transaction. */
export async function recordAttachment(tx: Tx, postId: number, uploaderId: number, a: PreparedAttachment, staged: StagedFile): Promise<void> {
  await tx
    .insertInto('post_attachments')
    .values({ post_id: postId, uploaded_by: uploaderId, kind: a.kind, filename: a.filename, content_type: a.contentType, size_bytes: a.data.length, storage_key: staged.key, alt: a.alt, width: a.width, height: a.height })
    .execute();
}

export interface AttachmentView {
  id: number;
  kind: 'image' | 'file';
  filename: string;
  content_type: string;
  size_bytes: number;
  alt: string;
  width: number | null;
  height: number | null;
}

/** The attachment, with its post and thread, for serving (the caller authorizes). */
export async function getAttachment(db: Db, id: number) {
  return db
    .selectFrom('post_attachments as a')
    .innerJoin('posts as p', 'p.id', 'a.post_id')
    .select(['a.id', 'a.post_id', 'a.kind', 'a.filename', 'a.content_type', 'a.size_bytes', 'a.storage_key', 'a.uploaded_by', 'p.thread_id', 'p.author_id', 'p.deleted_at', 'p.hidden_at'])
    .where('a.id', '=', id)
    .executeTakeFirst();
}

/** Removes an attachment's row (its bytes go after the commit, `removeStored`). */
export async function deleteAttachmentRow(tx: Tx | Db, id: number): Promise<string | undefined> {
  return (await tx.deleteFrom('post_attachments').where('id', '=', id).returning('storage_key').executeTakeFirst())?.storage_key;
}

/** Deletes stored bytes whose rows are gone; a file already missing is fine. */
export async function removeStored(files: FileStore, keys: string[]): Promise<void> {
  for (const key of keys) await rm(files.readPath(key), { force: true });
}
