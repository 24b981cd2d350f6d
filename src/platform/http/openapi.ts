import { Type, type TSchema } from '@sinclair/typebox';

/**
 * Request bodies the route schemas cannot carry (multipart uploads, which
 * are parsed before validation) and writes that take no body, so the
 * OpenAPI document describes every request; a test checks none is missing.
 */
const BODIES = new Map<string, { content: Record<string, { schema: TSchema }>; required: boolean }>();
/** Writes whose whole request is the address (no body at all). */
export const BODYLESS = new Set<string>();

export function documentMultipart(method: string, url: string, fields: Record<string, TSchema>, file: { name: string; description: string }, json?: TSchema): void {
  const multipart = Type.Object({ ...fields, [file.name]: Type.String({ format: 'binary', description: file.description }) });
  BODIES.set(`${method.toUpperCase()} ${url}`, { required: true, content: { 'multipart/form-data': { schema: multipart }, ...(json ? { 'application/json': { schema: json } } : {}) } });
}

export function documentBodyless(method: string, url: string): void {
  BODYLESS.add(`${method.toUpperCase()} ${url}`);
}

/** @fastify/swagger's transformObject: adds the bodies registered here, and marks bodiless writes. */
export function withDocumentedBodies(doc: Record<string, unknown>): Record<string, unknown> {
  const paths = (doc.paths ?? {}) as Record<string, Record<string, Record<string, unknown>>>;
  for (const [path, ops] of Object.entries(paths)) {
    const url = path.replace(/\{(\w+)\}/g, ':$1');
    for (const [method, op] of Object.entries(ops)) {
      const key = `${method.toUpperCase()} ${url}`;
      const body = BODIES.get(key);
      if (body && !op.requestBody) op.requestBody = JSON.parse(JSON.stringify(body));
      if (BODYLESS.has(key)) op['x-no-body'] = true;
    }
  }
  return doc;
}
