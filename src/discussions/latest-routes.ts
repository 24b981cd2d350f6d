import { documentBodyless } from '../platform/http/openapi.js';
import { listOf } from '../platform/http/pagination.js';
import { PAGE_SIZE } from './queries.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { h } from 'preact';
import { renderFor, safeNext, setFlash, requireUser } from '../platform/http/request-context.js';
import { errorResponses } from '../platform/http/schema-helpers.js';
import { COUNT_CAP, markEverythingRead, trackedPage, trackedThreads, type TrackedThread, type TrackedView } from './tracking.js';
import { TrackedPage } from './latest-views.js';
import { ThreadSummary, presentThread } from './api-routes.js';

const PageQuery = Type.Object({ page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })) });
const VIEWS: TrackedView[] = ['latest', 'new', 'unread'];

/** A thread as every thread list in the API gives it, with what is new to the requester. */
const TrackedSchema = Type.Composite([
  ThreadSummary,
  Type.Object({
    is_new: Type.Boolean({ description: 'Signed in: never opened, started in the last 14 days' }),
    new_replies: Type.Integer({ description: 'Signed in: replies by others since the requester last read the thread' }),
    first_unread_post_id: Type.Union([Type.Integer(), Type.Null()], { description: 'The first of those replies' }),
  }),
]);

const present = (t: TrackedThread) => ({
  ...presentThread(t),
  is_new: Boolean(t.is_new),
  new_replies: Number(t.new_replies ?? 0),
  first_unread_post_id: t.new_replies ? (t.first_unread_id ?? null) : null,
});

/** Latest, New and Unread across every space the viewer may read, "mark everything read", and their API. */
export const latestRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.deps;

  const page = async (request: FastifyRequest, reply: FastifyReply, view: TrackedView, pageNo: number) => {
    if (view !== 'latest') requireUser(request);
    const actor = request.actor;
    const { threads, more, counts } = await trackedPage(db, actor, view, pageNo);
    return renderFor(app, request, reply, (ctx) => ({
      title: ctx.t(`latest.title_${view}`),
      lead: ctx.t(`latest.lead_${view}`),
      children: h(TrackedPage, { ctx, view, threads, more, page: pageNo, counts, cap: COUNT_CAP }),
    }));
  };
  for (const view of VIEWS) {
    app.get(`/${view}`, { schema: { querystring: PageQuery } }, async (request, reply) => page(request, reply, view, request.query.page ?? 1));
  }

  app.post('/latest/mark-read', async (request, reply) => {
    const actor = requireUser(request);
    await markEverythingRead(db, actor);
    setFlash(reply, { kind: 'success', message: request.t('latest.marked_read') });
    return reply.redirect(safeNext((request.body as Record<string, unknown> | undefined)?.next, '/unread'), 303);
  });

  // ---- JSON API ---------------------------------------------------------------------------------
  const List = listOf({ threads: Type.Array(TrackedSchema), more: Type.Boolean() });
  for (const view of VIEWS) {
    app.get(
      `/api/v1/${view}`,
      {
        config: { list: { items: 'threads', perPage: PAGE_SIZE } },
        schema: {
          tags: ['discussions'],
          summary:
            view === 'latest'
              ? 'Threads across every space the requester may read, latest activity first'
              : view === 'new'
                ? 'Threads started in the last 14 days the requester has not opened'
                : 'Threads the requester has read that have new replies',
          ...(view === 'latest' ? {} : { security: [{ bearer: [] }] }),
          querystring: PageQuery,
          response: { 200: List, ...errorResponses(400, 401) },
        },
      },
      async (request) => {
        if (view !== 'latest') requireUser(request);
        const r = await trackedThreads(db, request.actor, view, request.query.page ?? 1);
        return { threads: r.threads.map(present), more: r.more };
      },
    );
  }
  documentBodyless('POST', '/api/v1/mark-read');
  app.post(
    '/api/v1/mark-read',
    { schema: { tags: ['discussions'], summary: 'Mark everything read: only what arrives later is new or unread', security: [{ bearer: [] }], response: { 204: Type.Null(), ...errorResponses(401) } } },
    async (request, reply) => {
      await markEverythingRead(db, requireUser(request));
      return reply.code(204).send(null);
    },
  );
};
