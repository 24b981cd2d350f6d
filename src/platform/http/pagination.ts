import { Type, type TObject, type TOptional, type TProperties } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';

/** Every list in the API answers with this, beside its items (and whatever else the list gives). */
export const Pagination = Type.Object(
  {
    page: Type.Integer({ minimum: 1 }),
    per_page: Type.Integer({ minimum: 1 }),
    total: Type.Union([Type.Integer(), Type.Null()], { description: 'How many there are in all, when it is known' }),
    has_more: Type.Boolean(),
    next: Type.Union([Type.String(), Type.Null()], { description: 'The address of the next page, or null on the last one' }),
  },
  { description: 'The same shape on every list' },
);

/** A list route's response: its own fields and `pagination`, filled in by the hook below from route config `list`. */
// Required in the document; optional to the handler, which never writes it (the hook does).
export const listOf = <P extends TProperties>(props: P): TObject<P & { pagination: TOptional<typeof Pagination> }> => Type.Object({ ...props, pagination: Pagination }) as never;

/** Route config of a list: which field holds the items and how many make a page. */
export interface ListConfig {
  items: string;
  perPage: number;
}

/**
 * One place computes `pagination` for every list: the page asked for, the
 * list's page size, `more` or `total` as the handler found them (a complete
 * list is one page), and the address of the next page.
 */
export function installPagination(app: FastifyInstance, baseUrl: string): void {
  app.addHook('preSerialization', async (request, reply, payload) => {
    const list = (request.routeOptions.config as { list?: ListConfig } | undefined)?.list;
    if (!list || reply.statusCode !== 200 || !payload || typeof payload !== 'object') return payload;
    const body = payload as Record<string, unknown>;
    const items = Array.isArray(body[list.items]) ? (body[list.items] as unknown[]).length : 0;
    const query = (request.query ?? {}) as Record<string, unknown>;
    const page = Number(query.page ?? 1) || 1;
    const perPage = Number(query.per_page ?? list.perPage) || list.perPage;
    const total = typeof body.total === 'number' ? body.total : null;
    const hasMore = typeof body.more === 'boolean' ? body.more : total !== null ? page * perPage < total : false;
    const known = total ?? (hasMore ? null : (page - 1) * perPage + items);
    let next: string | null = null;
    if (hasMore) {
      const url = new URL(request.url, baseUrl);
      url.searchParams.set('page', String(page + 1));
      next = url.toString();
    }
    return { ...body, pagination: { page, per_page: perPage, total: known, has_more: hasMore, next } };
  });
}
