import { listOf } from '../platform/http/pagination.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { h } from 'preact';
import { can } from '../platform/auth/policy.js';
import { AppError } from '../platform/http/errors.js';
import { submitForm } from '../platform/http/forms.js';
import { renderFor, setFlash, viewerTimeZone, requireUser } from '../platform/http/request-context.js';
import { errorResponses } from '../platform/http/schema-helpers.js';
import { emptyForm, type FormState } from '../platform/views/forms.js';
import { BOOKMARKS_PAGE, BookmarkForm, BookmarkInput, getBookmark, listBookmarks, reminderFromApi, reminderFromForm, removeBookmark, saveBookmark } from './bookmarks.js';
import { BookmarkFormView, BookmarksView } from './bookmark-views.js';
import { excerpt } from './markdown.js';
import { getVisiblePost, postSubject, assertPostShown } from './queries.js';
import { DateTime } from 'luxon';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 53 }) });
const PageQuery = Type.Object({ page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })) });

const BookmarkSchema = Type.Object({
  post_id: Type.Integer(),
  thread: Type.Object({ id: Type.Integer(), title: Type.String() }),
  is_opening: Type.Boolean(),
  author: Type.Union([Type.String(), Type.Null()]),
  group: Type.Union([Type.String(), Type.Null()]),
  excerpt: Type.String(),
  note: Type.String(),
  remind_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  reminded: Type.Boolean({ description: 'The reminder was sent' }),
  created_at: Type.String({ format: 'date-time' }),
});

/** Bookmarks: keep a post with a note and a reminder; the list of them; and their API. */
export const bookmarkRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db, jobs } = app.deps;

  /** The post, if the person may bookmark it; not found when they may not see it. */
  const bookmarkable = async (request: FastifyRequest, postId: number) => {
    const actor = requireUser(request);
    const { post, thread } = await getVisiblePost(db, actor, postId);
    assertPostShown(actor, post, thread);
    if (!can(actor, 'post.bookmark', postSubject(post, thread))) throw new AppError('forbidden');
    return { actor, post, thread };
  };

  const formPage = async (request: FastifyRequest, reply: FastifyReply, postId: number, form: FormState | undefined, status = 200) => {
    const { actor, post, thread } = await bookmarkable(request, postId);
    const saved = await getBookmark(db, actor.id, post.id);
    const zone = viewerTimeZone(request);
    const initial =
      form ??
      emptyForm({
        note: saved?.note ?? '',
        remind: saved?.remind_at && !saved.reminded_at ? 'custom' : '',
        remind_at: saved?.remind_at && !saved.reminded_at ? DateTime.fromJSDate(saved.remind_at, { zone }).toFormat("yyyy-MM-dd'T'HH:mm") : '',
      });
    return renderFor(
      app,
      request,
      reply,
      (ctx) => ({
        title: ctx.t(saved ? 'bookmarks.edit_title' : 'bookmarks.new_title'),
        hasErrors: status >= 400,
        breadcrumbs: [
          { label: ctx.t('bookmarks.title'), href: '/bookmarks' },
          { label: thread.title, href: `/threads/${thread.id}` },
        ],
        children: h(BookmarkFormView, { ctx, form: initial, post: { id: post.id, author_name: post.author_name, excerpt: excerpt(post.body, 300) }, thread: { id: thread.id, title: thread.title }, saved }),
      }),
      status,
    );
  };

  app.get('/bookmarks', { schema: { querystring: PageQuery } }, async (request, reply) => {
    const actor = requireUser(request);
    const page = request.query.page ?? 1;
    const { items, more } = await listBookmarks(db, actor, page);
    return renderFor(app, request, reply, (ctx) => ({
      title: ctx.t('bookmarks.title'),
      lead: ctx.t('bookmarks.lead'),
      children: h(BookmarksView, { ctx, items, more, page }),
    }));
  });

  app.get('/posts/:id/bookmark', { schema: { params: IdParams } }, async (request, reply) => formPage(request, reply, request.params.id, undefined));

  /**
   * Saves a bookmark. The post's one-click "Bookmark" button sends no fields: it
   * keeps the post (leaving any note and reminder as they are) and opens the
   * form, where a note and a reminder can be added. The form sends them all.
   */
  app.post('/posts/:id/bookmark', { schema: { params: IdParams } }, async (request, reply) => {
    const { actor, post, thread } = await bookmarkable(request, request.params.id);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const fromForm = 'remind' in body || 'note' in body || 'remind_at' in body;
    if (!fromForm) {
      await saveBookmark({ db, jobs }, actor, thread, post.id, {});
      setFlash(reply, { kind: 'success', message: request.t('bookmarks.saved_quick') });
      return reply.redirect(`/posts/${post.id}/bookmark`, 303);
    }
    return submitForm({
      schema: BookmarkForm,
      request,
      reply,
      render: (form, status) => formPage(request, reply, post.id, form, status),
      run: async (input) => {
        const remindAt = reminderFromForm(input, viewerTimeZone(request));
        await saveBookmark({ db, jobs }, actor, thread, post.id, { note: input.note ?? '', remindAt });
        setFlash(reply, { kind: 'success', message: request.t(remindAt ? 'bookmarks.saved_reminder' : 'bookmarks.saved') });
        return reply.redirect(`/threads/${thread.id}#post-${post.id}`, 303);
      },
    });
  });

  app.post('/posts/:id/bookmark/delete', { schema: { params: IdParams } }, async (request, reply) => {
    const actor = requireUser(request);
    // Removing needs no access to the post any more: a bookmark on a post one can no longer read can still go.
    await removeBookmark(db, actor, request.params.id);
    setFlash(reply, { kind: 'success', message: request.t('bookmarks.removed') });
    return reply.redirect('/bookmarks', 303);
  });

  // ---- API ---------------------------------------------------------------------------------------------------
  const present = (b: Awaited<ReturnType<typeof listBookmarks>>['items'][number]) => ({
    post_id: b.post_id,
    thread: { id: b.thread_id, title: b.thread_title },
    is_opening: b.is_opening,
    author: b.author_name,
    group: b.group_name,
    excerpt: b.excerpt,
    note: b.note,
    remind_at: b.remind_at?.toISOString() ?? null,
    reminded: b.reminded_at !== null,
    created_at: b.created_at.toISOString(),
  });
  app.get(
    '/api/v1/bookmarks',
    { config: { list: { items: 'bookmarks', perPage: BOOKMARKS_PAGE } }, schema: {
        tags: ['discussions'],
        summary: 'Your bookmarks that you can still read: reminders to come first, then the newest',
        security: [{ bearer: [] }],
        querystring: PageQuery,
        response: { 200: listOf({ bookmarks: Type.Array(BookmarkSchema), more: Type.Boolean() }), ...errorResponses(401) },
      },
    },
    async (request) => {
      const { items, more } = await listBookmarks(db, requireUser(request), request.query.page ?? 1);
      return { bookmarks: items.map(present), more };
    },
  );
  app.put(
    '/api/v1/posts/:id/bookmark',
    {
      schema: {
        tags: ['discussions'],
        summary: 'Bookmark a post, or change its note and reminder (remind_at null clears it; left out, it stays)',
        security: [{ bearer: [] }],
        params: IdParams,
        body: BookmarkInput,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { actor, post, thread } = await bookmarkable(request, request.params.id);
      await saveBookmark({ db, jobs }, actor, thread, post.id, { note: request.body.note, remindAt: reminderFromApi(request.body.remind_at) });
      return reply.code(204).send(null);
    },
  );
  app.delete(
    '/api/v1/posts/:id/bookmark',
    { schema: { tags: ['discussions'], summary: 'Remove a bookmark', security: [{ bearer: [] }], params: IdParams, response: { 204: Type.Null(), ...errorResponses(401, 404) } } },
    async (request, reply) => {
      if (!(await removeBookmark(db, requireUser(request), request.params.id))) throw new AppError('not_found');
      return reply.code(204).send(null);
    },
  );
};
