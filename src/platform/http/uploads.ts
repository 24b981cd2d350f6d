import type { FastifyInstance, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';

/** A file from a form: its name as sent (never trusted for its type) and its bytes. */
export interface Upload {
  filename: string;
  data: Buffer;
}

/**
 * Lets a plugin's routes take multipart forms: one file per request, held in
 * memory up to `maxBytes` (a request over it is refused with 413), every
 * other field a plain value, as urlencoded forms give them.
 */
export async function registerUploads(app: FastifyInstance, limits: { maxBytes: number; fields: number; fieldSize: number }): Promise<void> {
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fileSize: limits.maxBytes, files: 1, fields: limits.fields, fieldSize: limits.fieldSize },
    async onFile(part) {
      const data = await part.toBuffer();
      (part as unknown as { value: unknown }).value = part.filename ? ({ filename: part.filename, data } satisfies Upload) : undefined;
    },
  });
}

/** The file sent in `field`, if one was chosen. */
export function uploadOf(request: FastifyRequest, field: string): Upload | undefined {
  const f = (request.body as Record<string, unknown> | undefined)?.[field] as Upload | undefined;
  return f && Buffer.isBuffer(f.data) && f.filename ? f : undefined;
}
