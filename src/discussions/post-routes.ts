import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { h } from 'preact';
import { authorize, can } from '../platform/auth/policy.js';
import { AppError, msg } from '../platform/http/errors.js';
import { submitForm } from '../platform/http/forms.js';
import { renderFor, setFlash } from '../platform/http/request-context.js';
import { errorResponses } from '../platform/http/schema-helpers.js';
import { emptyForm, type FormState } from '../platform/views/forms.js';
import {
  EditInput,
  deletePost,
  editPost,
  eraseHistory,
} from './commands.js';
import { isReaction, setReaction, whoReacted, type ReactionKind } from './reactions.js';
import { ReactionsView } from './reactions-views.js';
import { deleteAttachmentRow, getAttachment, removeStored } from './attachments.js';
import { uploadStore } from '../resources/storage.js';
import { audit } from '../platform/db/tx.js';
import { postRevisions, threadSubject, type ThreadRow, getVisiblePost, postSubject, assertPostShown } from './queries.js';
import { EditPostView, HistoryView, ModerationView, RedactView, ReportView } from './moderation-views.js';
import { FlagInput, RedactInput, dismissFlags, flagPost, moderationQueue, redactPost, setHidden } from './moderation.js';
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 53 }) });

/** Posts: editing, history, deleting, reactions; reports and the moderation queue. */
export const postRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.deps;
  /** Heavy reads (search) go to the replica when there is one. */
  const deps = { db, jobs: app.deps.jobs, glossary: app.glossary };


  const threadOfPost = (request: FastifyRequest, postId: number) => getVisiblePost(db, request.actor, postId);

  // ---- spaces: a group's discussions and the community-wide space ---------------------
  // ---- posts: edit, history, delete ---------------------------------------------------------
  const editPage = (request: FastifyRequest, reply: FastifyReply, thread: ThreadRow, postId: number, withTitle: boolean, form: FormState, status = 200) =>
    renderFor(
      app,
      request,
      reply,
      (ctx) => ({
        title: ctx.t('discussions.edit_post'),
        hasErrors: status >= 400,
        breadcrumbs: [{ label: thread.title, href: `/threads/${thread.id}` }],
        children: h(EditPostView, { ctx, form, action: `/posts/${postId}/edit`, withTitle }),
      }),
      status,
    );
  app.get('/posts/:id/edit', { schema: { params: IdParams } }, async (request, reply) => {
    const { post, thread } = await threadOfPost(request, request.params.id);
    authorize(request.actor, 'post.edit', postSubject(post, thread));
    return editPage(request, reply, thread, post.id, post.is_opening, emptyForm({ body: post.body, title: thread.title }));
  });
  app.post('/posts/:id/edit', { schema: { params: IdParams } }, async (request, reply) => {
    const { post, thread } = await threadOfPost(request, request.params.id);
    authorize(request.actor, 'post.edit', postSubject(post, thread));
    return submitForm({
      schema: EditInput,
      request,
      reply,
      render: (form, status) => editPage(request, reply, thread, post.id, post.is_opening, form, status),
      run: async (input) => {
        await editPost(deps, request.actor, thread, post.id, input);
        return reply.redirect(`/threads/${thread.id}#post-${post.id}`, 303);
      },
    });
  });
  app.get('/posts/:id/history', { schema: { params: IdParams } }, async (request, reply) => {
    const { post, thread } = await threadOfPost(request, request.params.id);
    const subject = postSubject(post, thread);
    // Earlier versions may hold what the author took out: not found for anyone else.
    if (!can(request.actor, 'post.history', subject) || (post.hidden_at && !can(request.actor, 'thread.moderate', threadSubject(thread)))) throw new AppError('not_found');
    const revisions = await postRevisions(db, post.id);
    return renderFor(app, request, reply, (ctx) => ({
      title: ctx.t('discussions.history'),
      breadcrumbs: [{ label: thread.title, href: `/threads/${thread.id}` }],
      children: h(HistoryView, { ctx, postId: post.id, current: post, revisions }),
    }));
  });
  app.post('/posts/:id/history/erase', { schema: { params: IdParams } }, async (request, reply) => {
    const { post, thread } = await threadOfPost(request, request.params.id);
    await eraseHistory(db, request.actor, thread, post.id);
    setFlash(reply, { kind: 'success', message: request.t('discussions.history_erased') });
    return reply.redirect(`/threads/${thread.id}#post-${post.id}`, 303);
  });
  app.post('/posts/:id/delete', { schema: { params: IdParams } }, async (request, reply) => {
    const { post, thread } = await threadOfPost(request, request.params.id);
    await deletePost(db, request.actor, thread, post.id);
    setFlash(reply, { kind: 'success', message: request.t('discussions.post_deleted') });
    return reply.redirect(post.is_opening ? (thread.group_slug ? `/groups/${thread.group_slug}/threads` : '/discussions') : `/threads/${thread.id}`, 303);
  });
  // ---- attachments -------------------------------------------------------------------------------------
  const files = uploadStore(app.deps.config.dataDir);
  /**
   * A picture or file of a message, to whoever may read the message, every
   * time: outsiders of a private group get not found, on every channel (a
   * mail reader that follows the link must sign in). Never run as a page:
   * sandboxed, typed by what the server stored, files as downloads.
   */
  app.get('/attachments/:id/:name', { schema: { params: Type.Object({ id: IdParams.properties.id, name: Type.String({ maxLength: 300 }) }) } }, async (request, reply) => {
    const a = await getAttachment(db, request.params.id);
    if (!a) throw new AppError('not_found');
    const { thread } = await threadOfPost(request, a.post_id);
    assertPostShown(request.actor, a, thread);
    if (!files.exists(a.storage_key)) throw new AppError('not_found');
    reply.header('cache-control', 'private, max-age=3600');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('content-security-policy', "default-src 'none'; sandbox");
    reply.header('content-disposition', `${a.kind === 'image' ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(a.filename)}`);
    return reply.type(a.content_type).send(files.stream(a.storage_key));
  });
  app.post('/attachments/:id/delete', { schema: { params: IdParams } }, async (request, reply) => {
    const a = await getAttachment(db, request.params.id);
    if (!a) throw new AppError('not_found');
    const { post, thread } = await threadOfPost(request, a.post_id);
    // The author (while they may edit the message) and the thread's moderators.
    const subject = postSubject(post, thread);
    if (!can(request.actor, 'post.edit', subject) && !can(request.actor, 'thread.moderate', subject.thread)) throw new AppError(request.actor.kind === 'user' ? 'forbidden' : 'unauthenticated');
    const key = await db.transaction().execute(async (tx) => {
      const removed = await deleteAttachmentRow(tx, a.id);
      if (post.author_id !== request.actor.id) await audit(tx, request.actor.id ?? null, 'attachment.delete', { type: 'post', id: post.id }, { filename: a.filename });
      return removed;
    });
    if (key) await removeStored(files, [key]);
    setFlash(reply, { kind: 'success', message: request.t('attachments.removed') });
    return reply.redirect(`/threads/${thread.id}#post-${post.id}`, 303);
  });

  // ---- reactions ----------------------------------------------------------------------------------------
  /** The older forms' `on`: given unless it says "false". */
  const givenIn = (body: Record<string, unknown> | undefined) => String(body?.on ?? 'true') !== 'false';
  /** A reaction from a form: which one (one of REACTIONS), and whether it is given (true) or taken back. */
  const react = async (request: FastifyRequest, reply: FastifyReply, postId: number, kind: unknown, on: boolean) => {
    const { post, thread } = await threadOfPost(request, postId);
    if (!isReaction(kind)) throw new AppError('validation_failed', { fields: { kind: msg('reactions.unknown_kind') } });
    await setReaction(db, request.actor, thread, post.id, kind as ReactionKind, on);
    return reply.redirect(`/threads/${thread.id}#post-${post.id}`, 303);
  };
  /**
   * The thread page's buttons send `react=<kind>:on` or `react=<kind>:off` (one form per post);
   * `kind` with `on` ("false" to take it back) is the older form, still accepted.
   */
  app.post('/posts/:id/reactions', { schema: { params: IdParams } }, async (request, reply) => {
    const body = (request.body as Record<string, unknown> | undefined) ?? {};
    if (body.react !== undefined) {
      // Anything else is refused as an unknown reaction, once the post is known to be readable.
      const m = typeof body.react === 'string' ? /^([a-z_]{1,20}):(on|off)$/.exec(body.react) : null;
      return react(request, reply, request.params.id, m?.[1], m?.[2] === 'on');
    }
    return react(request, reply, request.params.id, body.kind, givenIn(body));
  });
  // The one reaction there used to be, for forms and bookmarks made before the others.
  app.post('/posts/:id/helpful', { schema: { params: IdParams } }, async (request, reply) => react(request, reply, request.params.id, 'helpful', givenIn(request.body as Record<string, unknown> | undefined)));
  app.get('/posts/:id/reactions', { schema: { params: IdParams } }, async (request, reply) => {
    const { post, thread } = await threadOfPost(request, request.params.id);
    // A removed or hidden post's reactions are no one's business but the moderators'.
    assertPostShown(request.actor, post, thread);
    const kinds = await whoReacted(db, post.id);
    return renderFor(app, request, reply, (ctx) => ({
      title: post.author_name ? ctx.t('reactions.heading', { name: post.author_name }) : ctx.t('reactions.title'),
      breadcrumbs: [{ label: thread.title, href: `/threads/${thread.id}` }],
      children: h(ReactionsView, { ctx, post: { id: post.id }, thread: { id: thread.id, title: thread.title }, kinds }),
    }));
  });

  // ---- reports and moderation ---------------------------------------------------------------------------
  /** The post being reported, as the reporter may see it; refuses anyone who may not report it. */
  async function reportable(request: FastifyRequest, postId: number) {
    const { post, thread } = await threadOfPost(request, postId);
    const subject = postSubject(post, thread);
    authorize(request.actor, 'post.flag', subject);
    const concealed = post.hidden_at !== null && !can(request.actor, 'thread.moderate', subject.thread);
    return { post, thread, shown: { author_name: post.author_name, created_at: post.created_at, body: concealed ? null : post.body } };
  }
  const reportPage = (request: FastifyRequest, reply: FastifyReply, r: Awaited<ReturnType<typeof reportable>>, form: FormState, status = 200) =>
    renderFor(
      app,
      request,
      reply,
      (ctx) => ({
        title: ctx.t('moderation.report_title'),
        hasErrors: status >= 400,
        breadcrumbs: [{ label: r.thread.title, href: `/threads/${r.thread.id}` }],
        children: h(ReportView, { ctx, form, action: `/posts/${r.post.id}/flags`, post: r.shown, back: `/threads/${r.thread.id}#post-${r.post.id}` }),
      }),
      status,
    );
  app.get('/posts/:id/report', { schema: { params: IdParams } }, async (request, reply) => {
    reply.header('x-robots-tag', 'noindex');
    return reportPage(request, reply, await reportable(request, request.params.id), emptyForm());
  });
  app.post('/posts/:id/flags', { schema: { params: IdParams } }, async (request, reply) => {
    const r = await reportable(request, request.params.id);
    return submitForm({
      schema: FlagInput,
      request,
      reply,
      render: (form, status) => reportPage(request, reply, r, form, status),
      run: async (input) => {
        await flagPost(db, request.actor, r.thread, r.post, input);
        setFlash(reply, { kind: 'success', message: request.t('moderation.reported') });
        return reply.redirect(`/threads/${r.thread.id}#post-${r.post.id}`, 303);
      },
    });
  });
  app.get('/moderation', async (request, reply) => {
    const items = await moderationQueue(db, request.actor);
    return renderFor(app, request, reply, (ctx) => ({ title: ctx.t('moderation.title'), lead: ctx.t('moderation.lead'), children: h(ModerationView, { ctx, items }) }));
  });
  const backTo = (request: FastifyRequest, fallback: string) => {
    const next = (request.body as Record<string, unknown> | undefined)?.next;
    return next === '/moderation' ? '/moderation' : fallback;
  };
  for (const action of ['hide', 'restore'] as const) {
    app.post(`/posts/:id/${action}`, { schema: { params: IdParams } }, async (request, reply) => {
      const { post, thread } = await threadOfPost(request, (request.params as { id: number }).id);
      await setHidden(deps, request.actor, thread, post, action === 'hide');
      setFlash(reply, { kind: 'success', message: request.t(action === 'hide' ? 'moderation.hidden' : 'moderation.restored') });
      return reply.redirect(backTo(request, `/threads/${thread.id}#post-${post.id}`), 303);
    });
  }
  app.post('/posts/:id/dismiss', { schema: { params: IdParams } }, async (request, reply) => {
    const { post, thread } = await threadOfPost(request, request.params.id);
    await dismissFlags(db, request.actor, thread, post);
    setFlash(reply, { kind: 'success', message: request.t('moderation.dismissed') });
    return reply.redirect('/moderation', 303);
  });
  const redactPage = (request: FastifyRequest, reply: FastifyReply, thread: ThreadRow, postId: number, form: FormState, status = 200) =>
    renderFor(
      app,
      request,
      reply,
      (ctx) => ({
        title: ctx.t('moderation.redact'),
        hasErrors: status >= 400,
        breadcrumbs: [{ label: thread.title, href: `/threads/${thread.id}` }],
        children: h(RedactView, { ctx, form, action: `/posts/${postId}/redact` }),
      }),
      status,
    );
  app.get('/posts/:id/redact', { schema: { params: IdParams } }, async (request, reply) => {
    const { post, thread } = await threadOfPost(request, request.params.id);
    authorize(request.actor, 'post.hide', postSubject(post, thread));
    return redactPage(request, reply, thread, post.id, emptyForm({ body: post.body }));
  });
  app.post('/posts/:id/redact', { schema: { params: IdParams } }, async (request, reply) => {
    const { post, thread } = await threadOfPost(request, request.params.id);
    authorize(request.actor, 'post.hide', postSubject(post, thread));
    return submitForm({
      schema: RedactInput,
      request,
      reply,
      render: (form, status) => redactPage(request, reply, thread, post.id, form, status),
      run: async ({ body }) => {
        await redactPost(deps, request.actor, thread, post, body);
        setFlash(reply, { kind: 'success', message: request.t('moderation.redacted') });
        return reply.redirect(`/threads/${thread.id}#post-${post.id}`, 303);
      },
    });
  });
  app.post(
    '/api/v1/posts/:id/flags',
    {
      schema: {
        tags: ['discussions'],
        summary: 'Report a post to the moderators',
        security: [{ bearer: [] }],
        params: IdParams,
        body: FlagInput,
        response: { 201: Type.Object({ reported: Type.Boolean() }), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      const { post, thread } = await threadOfPost(request, request.params.id);
      await flagPost(db, request.actor, thread, post, request.body);
      return reply.code(201).send({ reported: true });
    },
  );

};
