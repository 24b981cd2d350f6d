import { fileTypeFromBuffer } from 'file-type';
import { ImageError, reencodeImage } from '../platform/images.js';
import { sql } from 'kysely';
import type { Db } from '../platform/db/db.js';
import { isFacilitator, type UserActor } from '../platform/auth/actor.js';
import { AppError, msg } from '../platform/http/errors.js';
import { audit } from '../platform/db/tx.js';

/** Largest photo accepted before re-encoding. */
export const MAX_PHOTO_BYTES = 8 * 1024 * 1024;
/** Stored square, this many pixels a side: enough for the profile page on a sharp screen. */
export const PHOTO_SIZE = 320;
const ACCEPTED = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif']);

const invalid = (key: string, params?: Record<string, unknown>) => new AppError('validation_failed', { fields: { photo: msg(key, params) } });

/**
 * Turns an uploaded picture into the stored photo: the type is read from the
 * bytes (never the name), it is turned upright from its EXIF orientation,
 * cropped square around what matters in it, resized, and re-encoded as WebP.
 * Re-encoding drops every piece of metadata (location, camera, dates) and
 * anything hidden in the original file.
 */
export async function processPhoto(data: Buffer): Promise<Buffer> {
  if (data.length === 0) throw invalid('photos.empty');
  if (data.length > MAX_PHOTO_BYTES) throw invalid('photos.too_large', { mb: MAX_PHOTO_BYTES / 1024 / 1024 });
  const type = await fileTypeFromBuffer(data);
  if (!type || !ACCEPTED.has(type.mime)) throw invalid('photos.type');
  try {
    return (await reencodeImage(data, { width: PHOTO_SIZE, height: PHOTO_SIZE, fit: 'cover', position: 'attention' })).data;
  } catch (err) {
    throw err instanceof ImageError ? invalid(`photos.${err.reason}`) : err;
  }
}

/** Sets (or replaces) a person's photo: one transaction, and a new version so old addresses stop showing it. */
export async function setPhoto(db: Db, actor: UserActor, userId: number, data: Buffer): Promise<number> {
  if (actor.id !== userId) throw new AppError('forbidden');
  const image = await processPhoto(data);
  return db.transaction().execute(async (tx) => {
    await tx
      .insertInto('user_photos')
      .values({ user_id: userId, image, updated_at: new Date() })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ image, updated_at: new Date() }))
      .execute();
    const row = await tx
      .updateTable('users')
      .set({ photo_version: sql`coalesce(photo_version, 0) + 1` })
      .where('id', '=', userId)
      .returning('photo_version')
      .executeTakeFirstOrThrow();
    return row.photo_version!;
  });
}

/**
 * Removes a person's photo (their own, or any, for a facilitator acting on a
 * report): initials are shown instead.
 */
export async function removePhoto(db: Db, actor: UserActor, userId: number): Promise<void> {
  if (actor.id !== userId && !isFacilitator(actor)) throw new AppError('forbidden');
  await db.transaction().execute(async (tx) => {
    await tx.deleteFrom('user_photos').where('user_id', '=', userId).execute();
    await tx.updateTable('users').set({ photo_version: null }).where('id', '=', userId).execute();
    if (actor.id !== userId) await audit(tx, actor.id, 'person.photo_removed', { type: 'user', id: userId });
  });
}

export async function getPhoto(db: Db, userId: number): Promise<Buffer | undefined> {
  return (await db.selectFrom('user_photos').select('image').where('user_id', '=', userId).executeTakeFirst())?.image;
}
