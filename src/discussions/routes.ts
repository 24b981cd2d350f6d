import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { h, type ComponentChild } from 'preact';
import type { PageContext } from '../platform/views/context.js';
import { Feed } from 'feed';
import { authorize, can } from '../platform/auth/policy.js';
import { randomToken } from '../platform/auth/secrets.js';
import { hit } from '../platform/auth/rate-limit.js';
import { keyedHash } from '../platform/auth/secrets.js';
import { AppError } from '../platform/http/errors.js';
import { submitForm } from '../platform/http/forms.js';
import { idemKeyOf, renderFor, setFlash } from '../platform/http/request-context.js';
import { errorResponses } from '../platform/http/schema-helpers.js';
import { validate } from '../platform/http/validation.js';
import { emptyForm, type FormState } from '../platform/views/forms.js';
import { cachedGroupList, getGroup, getVisibleGroup, listGroups, type GroupRow } from '../groups/queries.js';
import {
  EditInput,
  GuideSummaryInput,
  ModerateInput,
  ReplyInput,
  SplitInput,
  ThreadInput,
  createThread,
  deletePost,
  editPost,
  eraseHistory,
  moderateThread,
  moveThread,
  reply as postReply,
  splitThread,
  summarizeGuide,
  toggleHelpful,
} from './commands.js';
import { dialogueQuestions, getPost, getThread, getThreadForViewer, listThreads, NO_VIEWER_STATE, postRevisions, searchPosts, threadPosts, threadSubject, type PostView, type ThreadRow, type ThreadViewerState } from './queries.js';
import { EditPostView, HistoryView, ModerationView, MoveView, PostItem, RedactView, ReportView, SearchView, SpaceView, SplitView, ThreadForm, ThreadView, renderPosts, type PostFragments } from './views.js';
import { render } from 'preact-render-to-string';
import { pageContext } from '../platform/http/request-context.js';
import { isFacilitator, isActiveLead } from '../platform/auth/actor.js';
import { readerClass, resourceReader, resultCache } from '../platform/http/result-cache.js';
import { keep } from '../platform/views/kept.js';
import { PERSPECTIVES } from '../community/vocab.js';
import { readThread } from '../notifications/queries.js';
import { topResourceMatches } from '../resources/queries.js';
import { listTerms } from '../glossary/glossary.js';
import { effectiveWatch } from '../notifications/watch.js';
import { FlagInput, RedactInput, dismissFlags, flagPost, moderationQueue, redactPost, setHidden } from './moderation.js';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 53 }) });
const SlugParams = Type.Object({ slug: Type.String({ maxLength: 100 }) });
const PageQuery = Type.Object({ page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })) });

const ThreadSummary = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  language: Type.String(),
  author: Type.Union([Type.Object({ id: Type.Integer(), name: Type.String() }), Type.Null()]),
  group: Type.Union([Type.Object({ slug: Type.String(), name: Type.String() }), Type.Null()]),
  pinned: Type.Boolean(),
  locked: Type.Boolean(),
  closed: Type.Boolean(),
  reply_count: Type.Integer(),
  created_at: Type.String({ format: 'date-time' }),
  last_activity_at: Type.String({ format: 'date-time' }),
});
const PostSchema = Type.Object({
  id: Type.Integer(),
  author: Type.Union([Type.Object({ id: Type.Integer(), name: Type.String() }), Type.Null()]),
  is_opening: Type.Boolean(),
  reply_to_id: Type.Union([Type.Integer(), Type.Null()]),
  body: Type.String(),
  html: Type.String(),
  language: Type.String(),
  version: Type.Integer(),
  helpful_count: Type.Integer(),
  created_at: Type.String({ format: 'date-time' }),
  edited_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  deleted: Type.Boolean(),
  hidden: Type.Boolean(),
});

const presentThread = (t: ThreadRow) => ({
  id: t.id,
  title: t.title,
  language: t.language,
  author: t.author_id && t.author_name ? { id: t.author_id, name: t.author_name } : null,
  group: t.group_slug ? { slug: t.group_slug, name: t.group_name! } : null,
  pinned: t.pinned,
  locked: t.locked,
  closed: t.closed,
  reply_count: t.reply_count,
  created_at: t.created_at.toISOString(),
  last_activity_at: t.last_activity_at.toISOString(),
});

/** Threads and replies in practice groups and the community-wide space, search, and their API. */
export const discussionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.deps;
  /** Heavy reads (search) go to the replica when there is one. */
  const readDb = app.deps.readDb ?? db;
  const deps = { db, jobs: app.deps.jobs, glossary: app.glossary };
  const groupList = cachedGroupList(app.pageCache);

  const visibleGroup = (request: FastifyRequest, slug: string) => getVisibleGroup(db, request.actor, slug);

  /** Loads a thread the actor may read, or 404. */
  async function visibleThread(request: FastifyRequest, id: number): Promise<ThreadRow> {
    const thread = await getThread(db, id);
    if (!thread) throw new AppError('not_found');
    authorize(request.actor, 'thread.view', threadSubject(thread));
    return thread;
  }

  async function threadOfPost(request: FastifyRequest, postId: number) {
    const post = await getPost(db, postId);
    if (!post) throw new AppError('not_found');
    return { post, thread: await visibleThread(request, post.thread_id) };
  }

  // ---- spaces: a group's discussions and the community-wide space ---------------------
  const spacePage = async (request: FastifyRequest, reply: FastifyReply, group: GroupRow | null, page: number) => {
    const { threads, more } = await listThreads(db, group?.id ?? null, page, request.actor);
    const canStart = can(request.actor, 'thread.create', { group });
    const base = group ? `/groups/${group.slug}/threads` : '/discussions';
    return renderFor(app, request, reply, (ctx) => ({
      title: group ? ctx.t('discussions.group_title', { name: group.name }) : ctx.t('discussions.community_space'),
      lead: group ? undefined : ctx.t('discussions.community_lead'),
      breadcrumbs: group
        ? [
            { label: ctx.t('groups.title'), href: '/groups' },
            { label: group.name, href: `/groups/${group.slug}` },
          ]
        : undefined,
      children: h(SpaceView, {
        ctx,
        threads,
        more,
        page,
        newHref: canStart ? `${base}/new` : undefined,
        basePath: base,
        feedHref: !group ? '/discussions/feed.atom' : group.visibility === 'public' ? `/groups/${group.slug}/feed.atom` : undefined,
      }),
    }));
  };
  app.get('/discussions', { schema: { querystring: PageQuery } }, async (request, reply) => spacePage(request, reply, null, request.query.page ?? 1));
  app.get('/groups/:slug/threads', { schema: { params: SlugParams, querystring: PageQuery } }, async (request, reply) =>
    spacePage(request, reply, await visibleGroup(request, request.params.slug), request.query.page ?? 1),
  );

  // ---- new thread ---------------------------------------------------------------------------------
  const newThreadPage = (request: FastifyRequest, reply: FastifyReply, group: GroupRow | null, form: FormState, status = 200) =>
    renderFor(
      app,
      request,
      reply,
      (ctx) => ({
        title: ctx.t('discussions.new_thread'),
        hasErrors: status >= 400,
        breadcrumbs: group
          ? [
              { label: group.name, href: `/groups/${group.slug}` },
              { label: ctx.t('discussions.threads'), href: `/groups/${group.slug}/threads` },
            ]
          : [{ label: ctx.t('discussions.community_space'), href: '/discussions' }],
        children: h(ThreadForm, {
          ctx,
          form,
          action: group ? `/groups/${group.slug}/threads` : '/discussions',
          idempotencyKey: idemKeyOf(request.body) ?? randomToken(16),
          guides: can(request.actor, 'guide.create', { group }),
        }),
      }),
      status,
    );
  const startThread = (request: FastifyRequest, reply: FastifyReply, group: GroupRow | null) => {
    authorize(request.actor, 'thread.create', { group });
    return submitForm({
      schema: ThreadInput,
      request,
      reply,
      render: (form, status) => newThreadPage(request, reply, group, form, status),
      run: async (input) => {
        const created = await createThread(deps, request.actor, group, input, request.t, idemKeyOf(request.body));
        return reply.redirect(`/threads/${created.id}`, 303);
      },
    });
  };
  app.get('/discussions/new', async (request, reply) => {
    authorize(request.actor, 'thread.create', { group: null });
    return newThreadPage(request, reply, null, emptyForm({ language: request.locale }));
  });
  app.post('/discussions', async (request, reply) => startThread(request, reply, null));
  app.get('/groups/:slug/threads/new', { schema: { params: SlugParams } }, async (request, reply) => {
    const group = await visibleGroup(request, request.params.slug);
    authorize(request.actor, 'thread.create', { group });
    return newThreadPage(request, reply, group, emptyForm({ language: request.locale }));
  });
  app.post('/groups/:slug/threads', { schema: { params: SlugParams } }, async (request, reply) => startThread(request, reply, await visibleGroup(request, request.params.slug)));

  // ---- the thread page ------------------------------------------------------------------------------
  /** Marks up glossary terms in the posts' HTML (first occurrence on the page; cached per version). */
  async function annotatePosts(posts: { id: number; version: number; html: string }[]) {
    const out = await app.glossary.annotatePage(posts.map((p) => ({ key: `post:${p.id}:${p.version}`, html: p.html })));
    posts.forEach((p, i) => (p.html = out[i]!));
  }

  /** Who may do what to each post of a thread, for the page and for live fragments. */
  function postPermissions(request: FastifyRequest, thread: ThreadRow, posts: { id: number; author_id: number | null; deleted_at: Date | null }[]) {
    const actor = request.actor;
    const subject = threadSubject(thread);
    const postSubject = (p: { author_id: number | null; deleted_at: Date | null }) => ({ author_id: p.author_id, thread: subject, deleted_at: p.deleted_at });
    return {
      reply: can(actor, 'post.create', subject),
      moderate: can(actor, 'thread.moderate', subject),
      react: actor.kind === 'user' && actor.emailVerified,
      flag: actor.kind === 'user',
      editIds: new Set(posts.filter((p) => can(actor, 'post.edit', postSubject(p))).map((p) => p.id)),
      deleteIds: new Set(posts.filter((p) => can(actor, 'post.delete', postSubject(p))).map((p) => p.id)),
    };
  }

  /** Spaces a moderator may move a thread to: groups they lead (all groups for facilitators), and the community space for facilitators. */
  async function moveTargets(request: FastifyRequest, thread: ThreadRow) {
    const actor = request.actor;
    if (actor.kind !== 'user') return [];
    const groups = await groupList(db, actor);
    const out = groups
      .filter((g) => g.id !== thread.group_id && (isFacilitator(actor) || isActiveLead(actor, g.id)))
      .map((g) => ({ value: g.slug, label: g.name }));
    if (isFacilitator(actor) && thread.group_id !== null) out.unshift({ value: '', label: request.t('discussions.community_space') });
    return out;
  }

  /**
   * A thread's posts, rendered and annotated, as every reader sees them: the same
   * rows for everyone, apart from hidden posts' text, which only moderators get.
   * Shared between viewers for the page-cache period and forgotten on any write,
   * with their rendered markup (`renderPosts`) and the page's kept controls and
   * reply form (`parts`); long threads are read afresh each time rather than kept.
   */
  const SHARED_POSTS_UP_TO = 100;
  const sharedPosts = resultCache<{ posts: PostView[]; fragments: PostFragments; parts: Map<string, string> }>(app.pageCache, 200);
  const pagePosts = (thread: ThreadRow, moderator: boolean) => {
    const read = async () => {
      const posts = await threadPosts(db, thread.id, null, { moderator });
      await annotatePosts(posts);
      return { posts, fragments: new Map<string, string>(), parts: new Map<string, string>() };
    };
    return thread.reply_count < SHARED_POSTS_UP_TO ? sharedPosts(`${thread.id}:${moderator ? 'moderator' : 'reader'}`, read) : read();
  };

  /** The thread page. `known` is the viewer's state read with the thread; a re-rendered form reads it again. */
  async function threadPage(request: FastifyRequest, reply: FastifyReply, thread: ThreadRow, form: FormState, status = 200, known?: ThreadViewerState) {
    const actor = request.actor;
    const subject = threadSubject(thread);
    const moderator = can(actor, 'thread.moderate', subject);
    const [shared, questions, state] = await Promise.all([
      pagePosts(thread, moderator),
      thread.kind === 'dialogue_guide' ? dialogueQuestions(db, thread.id) : Promise.resolve(undefined),
      known ?? getThreadForViewer(db, thread.id, actor).then((r) => r?.state ?? NO_VIEWER_STATE),
    ]);
    // The shared rows are never changed: a post the viewer marked helpful is a copy.
    const reacted = new Set(state.reactedPostIds);
    const posts = reacted.size ? shared.posts.map((p) => (reacted.has(p.id) ? { ...p, reacted: true } : p)) : shared.posts;
    const watch = actor.kind === 'user' ? effectiveWatch(state.ownWatch, thread.group_id === null ? null : state.groupWatch) : undefined;
    if (actor.kind === 'user' && status === 200) {
      await readThread(db, actor.id, thread.id, { lastActivityAt: thread.last_activity_at, readAt: state.readAt, unreadNotifications: state.unreadNotifications });
      // The header's count, loaded with the session, no longer holds.
      if (state.unreadNotifications) actor.unreadNotifications = undefined;
    }
    const perms = postPermissions(request, thread, posts);
    return renderFor(
      app,
      request,
      reply,
      (ctx) => ({
        title: thread.title,
        hasErrors: status >= 400,
        breadcrumbs: thread.group_slug
          ? [
              { label: thread.group_name!, href: `/groups/${thread.group_slug}` },
              { label: ctx.t('discussions.threads'), href: `/groups/${thread.group_slug}/threads` },
            ]
          : [{ label: ctx.t('discussions.community_space'), href: '/discussions' }],
        children: h(ThreadView, {
          ctx,
          form,
          data: {
            thread,
            posts,
            idempotencyKey: idemKeyOf(request.body) ?? randomToken(16),
            can: { ...perms, signIn: actor.kind === 'anonymous' && !thread.closed },
            watchLevel: watch?.level,
            linkedFrom: state.linkedFrom,
            guide: questions ? { questions, perspectives: PERSPECTIVES } : undefined,
            renderedPosts: renderPosts(ctx, posts, thread.id, perms, questions, shared.fragments),
            kept: shared.parts,
          },
        }),
      }),
      status,
    );
  }

  app.get('/threads/:id', { schema: { params: IdParams, querystring: Type.Object({ reply_to: Type.Optional(Type.Integer({ minimum: 1 })) }) } }, async (request, reply) => {
    // The thread and its viewer's state in one statement; authorized before anything is used.
    const found = await getThreadForViewer(db, request.params.id, request.actor);
    if (!found) throw new AppError('not_found');
    const { thread, state } = found;
    authorize(request.actor, 'thread.view', threadSubject(thread));
    if (thread.group_visibility && thread.group_visibility !== 'public') reply.header('x-robots-tag', 'noindex');
    return threadPage(request, reply, thread, emptyForm({ reply_to: request.query.reply_to ?? '', language: thread.language }), 200, state);
  });
  app.post('/threads/:id/replies', { schema: { params: IdParams } }, async (request, reply) => {
    const thread = await visibleThread(request, request.params.id);
    authorize(request.actor, 'post.create', threadSubject(thread));
    return submitForm({
      schema: ReplyInput,
      request,
      reply,
      render: (form, status) => threadPage(request, reply, thread, form, status),
      run: async (input) => {
        const post = await postReply(deps, request.actor, thread, input, request.t, idemKeyOf(request.body));
        return reply.redirect(`/threads/${thread.id}#post-${post.id}`, 303);
      },
    });
  });

  app.post('/threads/:id/moderate', { schema: { params: IdParams } }, async (request, reply) => {
    const thread = await visibleThread(request, request.params.id);
    const r = validate(ModerateInput, request.body, request.t);
    if (!r.ok) throw new AppError('validation_failed', { fields: r.errors });
    await moderateThread(db, request.actor, thread, r.value);
    setFlash(reply, { kind: 'success', message: request.t('discussions.moderated') });
    return reply.redirect(`/threads/${thread.id}`, 303);
  });

  // ---- live updates: server-sent events, and the new posts as an HTML fragment -------------------
  app.get('/threads/:id/live', { schema: { params: IdParams } }, async (request, reply) => {
    const thread = await visibleThread(request, request.params.id);
    if (!app.live.available) return reply.code(204).send();
    const raw = reply.raw;
    reply.hijack();
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    raw.write('retry: 5000\n\n');
    let unsubscribe: (() => void) | undefined;
    const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), 25_000);
    const stop = () => {
      clearInterval(heartbeat);
      unsubscribe?.();
    };
    request.raw.on('close', stop);
    try {
      unsubscribe = await app.live.subscribe(thread.id, (e) => raw.write(`event: post\ndata: ${JSON.stringify({ post_id: e.post_id })}\n\n`));
      if (request.raw.destroyed) stop();
    } catch (err) {
      request.log.warn({ err }, 'live updates unavailable');
      stop();
      raw.end();
    }
  });
  app.get('/threads/:id/posts', { schema: { params: IdParams, querystring: Type.Object({ after: Type.Integer({ minimum: 0, maximum: 2 ** 53 }) }) } }, async (request, reply) => {
    const thread = await visibleThread(request, request.params.id);
    const moderator = can(request.actor, 'thread.moderate', threadSubject(thread));
    const posts = await threadPosts(db, thread.id, request.actor, { moderator, afterId: request.query.after });
    const questions = thread.kind === 'dialogue_guide' ? await dialogueQuestions(db, thread.id) : undefined;
    await app.community.get();
    const ctx = pageContext(request, reply, app.community.nameOrDefault());
    const perms = postPermissions(request, thread, posts);
    await annotatePosts(posts);
    reply.header('cache-control', 'private, no-store').header('x-robots-tag', 'noindex');
    return reply.type('text/html; charset=utf-8').send(posts.map((p) => render(h(PostItem, { ctx, p, threadId: thread.id, can: perms, questions }))).join(''));
  });

  // ---- moving and splitting threads (moderators) -------------------------------------------------------
  // The choice of every group is a page of its own: on the thread page it would weigh every view.
  /** A moderator's page about one thread (move, split): titled, under the thread in the breadcrumbs. */
  const moderatorPage = (request: FastifyRequest, reply: FastifyReply, thread: ThreadRow, title: string, body: (ctx: PageContext) => ComponentChild, status: number) =>
    renderFor(
      app,
      request,
      reply,
      (ctx) => ({ title: ctx.t(title), hasErrors: status >= 400, breadcrumbs: [{ label: thread.title, href: `/threads/${thread.id}` }], children: body(ctx) }),
      status,
    );
  const movePage = async (request: FastifyRequest, reply: FastifyReply, thread: ThreadRow, form: FormState, status = 200) => {
    const targets = await moveTargets(request, thread);
    return moderatorPage(request, reply, thread, 'discussions.move', (ctx) => h(MoveView, { ctx, form, action: `/threads/${thread.id}/move`, targets }), status);
  };
  app.get('/threads/:id/move', { schema: { params: IdParams } }, async (request, reply) => {
    const thread = await visibleThread(request, request.params.id);
    authorize(request.actor, 'thread.moderate', threadSubject(thread));
    return movePage(request, reply, thread, emptyForm());
  });
  app.post('/threads/:id/move', { schema: { params: IdParams } }, async (request, reply) => {
    const thread = await visibleThread(request, request.params.id);
    authorize(request.actor, 'thread.moderate', threadSubject(thread));
    const target = String((request.body as Record<string, unknown> | undefined)?.target ?? '');
    const group = target === '' ? null : await getGroup(db, target);
    if (target !== '' && !group) return movePage(request, reply, thread, { values: { target }, errors: { target: request.t('validation.choose') } }, 400);
    await moveThread(deps, request.actor, thread, group ?? null);
    setFlash(reply, { kind: 'success', message: request.t('discussions.moved') });
    return reply.redirect(`/threads/${thread.id}`, 303);
  });
  const splitPage = async (request: FastifyRequest, reply: FastifyReply, thread: ThreadRow, form: FormState, status = 200) => {
    const posts = (await threadPosts(db, thread.id, request.actor, { moderator: true })).filter((p) => !p.is_opening && !p.deleted_at);
    return moderatorPage(request, reply, thread, 'discussions.split', (ctx) => h(SplitView, { ctx, form, action: `/threads/${thread.id}/split`, posts }), status);
  };
  app.get('/threads/:id/split', { schema: { params: IdParams } }, async (request, reply) => {
    const thread = await visibleThread(request, request.params.id);
    authorize(request.actor, 'thread.moderate', threadSubject(thread));
    return splitPage(request, reply, thread, emptyForm());
  });
  app.post('/threads/:id/split', { schema: { params: IdParams } }, async (request, reply) => {
    const thread = await visibleThread(request, request.params.id);
    authorize(request.actor, 'thread.moderate', threadSubject(thread));
    return submitForm({
      schema: SplitInput,
      request,
      reply,
      render: (form, status) => splitPage(request, reply, thread, form, status),
      run: async (input) => {
        const created = await splitThread(deps, request.actor, thread, input, request.t);
        setFlash(reply, { kind: 'success', message: request.t('discussions.split_done') });
        return reply.redirect(`/threads/${created.id}`, 303);
      },
    });
  });

  // ---- Dialogue Guide closing summary ---------------------------------------------------------------------
  app.post('/threads/:id/summary', { schema: { params: IdParams } }, async (request, reply) => {
    const thread = await visibleThread(request, request.params.id);
    authorize(request.actor, 'thread.moderate', threadSubject(thread));
    return submitForm({
      schema: GuideSummaryInput,
      request,
      reply,
      render: (form, status) => threadPage(request, reply, thread, form, status),
      run: async (input) => {
        await summarizeGuide(db, request.actor, thread, input, request.t);
        setFlash(reply, { kind: 'success', message: request.t('guides.summary_saved') });
        return reply.redirect(`/threads/${thread.id}#guide-summary`, 303);
      },
    });
  });

  // ---- posts: edit, history, delete, helpful ---------------------------------------------------------
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
    authorize(request.actor, 'post.edit', { author_id: post.author_id, thread: threadSubject(thread), deleted_at: post.deleted_at });
    return editPage(request, reply, thread, post.id, post.is_opening, emptyForm({ body: post.body, title: thread.title }));
  });
  app.post('/posts/:id/edit', { schema: { params: IdParams } }, async (request, reply) => {
    const { post, thread } = await threadOfPost(request, request.params.id);
    authorize(request.actor, 'post.edit', { author_id: post.author_id, thread: threadSubject(thread), deleted_at: post.deleted_at });
    return submitForm({
      schema: EditInput,
      request,
      reply,
      render: (form, status) => editPage(request, reply, thread, post.id, post.is_opening, form, status),
      run: async (input) => {
        await editPost(deps, request.actor, thread, post.id, input, request.t);
        return reply.redirect(`/threads/${thread.id}#post-${post.id}`, 303);
      },
    });
  });
  app.get('/posts/:id/history', { schema: { params: IdParams } }, async (request, reply) => {
    const { post, thread } = await threadOfPost(request, request.params.id);
    const subject = { author_id: post.author_id, thread: threadSubject(thread), deleted_at: post.deleted_at };
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
  app.post('/posts/:id/helpful', { schema: { params: IdParams } }, async (request, reply) => {
    const { post, thread } = await threadOfPost(request, request.params.id);
    const on = String((request.body as Record<string, unknown> | undefined)?.on ?? 'true') !== 'false';
    await toggleHelpful(db, request.actor, thread, post.id, on);
    return reply.redirect(`/threads/${thread.id}#post-${post.id}`, 303);
  });

  // ---- reports and moderation ---------------------------------------------------------------------------
  /** The post being reported, as the reporter may see it; refuses anyone who may not report it. */
  async function reportable(request: FastifyRequest, postId: number) {
    const { post, thread } = await threadOfPost(request, postId);
    const subject = { author_id: post.author_id, thread: threadSubject(thread), deleted_at: post.deleted_at };
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
    authorize(request.actor, 'post.hide', { author_id: post.author_id, thread: threadSubject(thread), deleted_at: post.deleted_at });
    return redactPage(request, reply, thread, post.id, emptyForm({ body: post.body }));
  });
  app.post('/posts/:id/redact', { schema: { params: IdParams } }, async (request, reply) => {
    const { post, thread } = await threadOfPost(request, request.params.id);
    authorize(request.actor, 'post.hide', { author_id: post.author_id, thread: threadSubject(thread), deleted_at: post.deleted_at });
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

  // ---- Atom feeds of new threads (public spaces only: feed readers carry no session) ----
  async function atom(reply: FastifyReply, group: GroupRow | null, title: string) {
    const base = app.deps.config.baseUrl;
    const path = group ? `/groups/${group.slug}` : '/discussions';
    const { threads } = await listThreads(db, group?.id ?? null, 1);
    const openings = threads.length
      ? await db
          .selectFrom('posts')
          .select(['thread_id', 'body_html'])
          .where('is_opening', '=', true)
          .where('hidden_at', 'is', null)
          .where('thread_id', 'in', threads.map((x) => x.id))
          .execute()
      : [];
    const html = new Map(openings.map((o) => [o.thread_id, o.body_html ?? '']));
    const newest = [...threads].sort((a, b) => b.created_at.getTime() - a.created_at.getTime());
    const feed = new Feed({
      title,
      id: `${base}${path}`,
      link: `${base}${path}`,
      language: 'en',
      updated: newest[0]?.created_at ?? new Date(0),
      copyright: '',
      feedLinks: { atom: `${base}${path}/feed.atom` },
    });
    for (const th of newest) {
      feed.addItem({
        title: th.title,
        id: `${base}/threads/${th.id}`,
        link: `${base}/threads/${th.id}`,
        date: th.created_at,
        author: th.author_name ? [{ name: th.author_name }] : [],
        content: html.get(th.id) ?? '',
      });
    }
    return reply.type('application/atom+xml; charset=utf-8').header('cache-control', 'public, max-age=300').send(feed.atom1());
  }
  app.get('/groups/:slug/feed.atom', { schema: { params: SlugParams } }, async (request, reply) => {
    const group = await getGroup(db, request.params.slug);
    // Only public groups have a feed; anything else is "not found", whoever asks.
    if (!group || group.visibility !== 'public' || group.archived_at) throw new AppError('not_found');
    return atom(reply, group, request.t('discussions.group_title', { name: group.name }));
  });
  app.get('/discussions/feed.atom', async (request, reply) => atom(reply, null, `${request.t('discussions.community_space')} · ${app.community.nameOrDefault()}`));

  // ---- search ---------------------------------------------------------------------------------------------
  const SearchQuery = Type.Object({
    q: Type.Optional(Type.String({ maxLength: 200 })),
    group: Type.Optional(Type.String({ maxLength: 100 })),
    author: Type.Optional(Type.Integer({ minimum: 1, maximum: 2 ** 53 })),
    from: Type.Optional(Type.String({ format: 'date' })),
    to: Type.Optional(Type.String({ format: 'date' })),
    perspective: Type.Optional(Type.Union([Type.String({ enum: [...PERSPECTIVES] }), Type.Literal('')])),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  });
  // The same search by people who may read the same things gives the same answer for a few seconds.
  // With the answer, its markup (`kept`): the form (the groups the reader class may search in) and the results.
  const searchCache = resultCache<Awaited<ReturnType<typeof searchPosts>> & { kept: Map<string, string> }>(app.pageCache);
  const resourceMatchCache = resultCache<Awaited<ReturnType<typeof topResourceMatches>>>(app.pageCache);
  async function runSearch(request: FastifyRequest, query: { q?: string; group?: string; author?: number; from?: string; to?: string; perspective?: string; page?: number }) {
    const q = (query.q ?? '').trim();
    if (!q) return { q, hits: [], more: false, kept: undefined };
    // Per person when signed in, otherwise per (hashed) address; shared by all processes.
    const who = request.actor.kind === 'user' ? `u${request.actor.id}` : `ip${keyedHash(app.deps.config.sessionSecret, request.ip)}`;
    await hit(db, `search:${who}`, { max: 60, windowSeconds: 60 });
    const filters = { q, group: query.group || undefined, author: query.author, from: query.from, to: query.to, perspective: query.perspective || undefined, page: query.page };
    const r = await searchCache(`${readerClass(request.actor)}|${JSON.stringify(filters)}`, async () => ({ ...(await searchPosts(readDb, request.actor, filters)), kept: new Map<string, string>() }));
    return { q, ...r };
  }
  // Published glossary terms are the same for everyone.
  const termMatches = resultCache<Awaited<ReturnType<typeof listTerms>>>(app.pageCache);
  app.get('/search', { schema: { querystring: SearchQuery } }, async (request, reply) => {
    const r = await runSearch(request, request.query);
    const firstPage = r.q && (request.query.page ?? 1) === 1;
    const [groups, resources, terms] = await Promise.all([
      groupList(db, request.actor),
      firstPage ? resourceMatchCache(`${resourceReader(request.actor)}|${r.q}`, () => topResourceMatches(readDb, request.actor, r.q)) : Promise.resolve([]),
      firstPage ? termMatches(r.q, () => listTerms(readDb, { q: r.q }).then((x) => x.slice(0, 5))) : Promise.resolve([]),
    ]);
    reply.header('x-robots-tag', 'noindex');
    return renderFor(app, request, reply, (ctx) => ({
      title: ctx.t('search.title'),
      children: h(SearchView, {
        ctx,
        q: r.q,
        group: request.query.group ?? '',
        perspective: request.query.perspective ?? '',
        groups,
        resources,
        terms,
        hits: r.hits,
        more: r.more,
        page: request.query.page ?? 1,
        // The entry is per reader class and filters: what else the parts show is the language and time zone.
        part: r.kept ? (name, view) => keep(r.kept!, `${name}|${ctx.locale}|${ctx.tz}`, ctx, view, 8) : undefined,
      }),
    }));
  });

  // ---- JSON API -------------------------------------------------------------------------------------------
  app.get(
    '/api/v1/discussions',
    { schema: { tags: ['discussions'], summary: 'Threads of the community-wide space', querystring: PageQuery, response: { 200: Type.Object({ threads: Type.Array(ThreadSummary), more: Type.Boolean() }) } } },
    async (request) => {
      const r = await listThreads(db, null, request.query.page ?? 1);
      return { threads: r.threads.map(presentThread), more: r.more };
    },
  );
  app.get(
    '/api/v1/groups/:slug/threads',
    { schema: { tags: ['discussions'], summary: "A group's threads", params: SlugParams, querystring: PageQuery, response: { 200: Type.Object({ threads: Type.Array(ThreadSummary), more: Type.Boolean() }), ...errorResponses(404) } } },
    async (request) => {
      const group = await visibleGroup(request, request.params.slug);
      const r = await listThreads(db, group.id, request.query.page ?? 1);
      return { threads: r.threads.map(presentThread), more: r.more };
    },
  );
  const createThreadApi = async (request: FastifyRequest, reply: FastifyReply, group: GroupRow | null) => {
    const created = await createThread(deps, request.actor, group, request.body as never, request.t, request.headers['idempotency-key'] as string | undefined);
    return reply.code(201).send(presentThread((await getThread(db, created.id))!));
  };
  const createSchema = (summary: string, params?: typeof SlugParams) => ({
    tags: ['discussions'],
    summary,
    security: [{ bearer: [] }],
    ...(params ? { params } : {}),
    body: ThreadInput,
    headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ maxLength: 100 })) }),
    response: { 201: ThreadSummary, ...errorResponses(400, 401, 403, 404, 422, 429) },
  });
  app.post('/api/v1/groups/:slug/threads', { schema: createSchema('Start a thread in a group', SlugParams) }, async (request, reply) =>
    createThreadApi(request, reply, await visibleGroup(request, (request.params as { slug: string }).slug)),
  );
  app.post('/api/v1/discussions', { schema: createSchema('Start a thread in the community-wide space') }, async (request, reply) => createThreadApi(request, reply, null));

  app.get(
    '/api/v1/threads/:id',
    { schema: { tags: ['discussions'], summary: 'A thread and its posts', params: IdParams, response: { 200: Type.Composite([ThreadSummary, Type.Object({ posts: Type.Array(PostSchema) })]), ...errorResponses(404) } } },
    async (request) => {
      const thread = await visibleThread(request, request.params.id);
      const posts = await threadPosts(db, thread.id, request.actor, { moderator: can(request.actor, 'thread.moderate', threadSubject(thread)) });
      return {
        ...presentThread(thread),
        posts: posts.map((p) => ({
          id: p.id,
          author: p.author_id && p.author_name ? { id: p.author_id, name: p.author_name } : null,
          is_opening: p.is_opening,
          reply_to_id: p.reply_to_id,
          body: p.body,
          html: p.html,
          language: p.language,
          version: p.version,
          helpful_count: p.helpful_count,
          created_at: p.created_at.toISOString(),
          edited_at: p.edited_at?.toISOString() ?? null,
          deleted: p.deleted_at !== null,
          hidden: p.hidden,
        })),
      };
    },
  );
  app.post(
    '/api/v1/threads/:id/posts',
    {
      schema: {
        tags: ['discussions'],
        summary: 'Reply to a thread',
        security: [{ bearer: [] }],
        params: IdParams,
        body: ReplyInput,
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ maxLength: 100 })) }),
        response: { 201: Type.Object({ id: Type.Integer() }), ...errorResponses(400, 401, 403, 404, 422, 429) },
      },
    },
    async (request, reply) => {
      const thread = await visibleThread(request, request.params.id);
      const post = await postReply(deps, request.actor, thread, request.body, request.t, request.headers['idempotency-key']);
      return reply.code(201).send(post);
    },
  );
  app.patch(
    '/api/v1/posts/:id',
    { schema: { tags: ['discussions'], summary: 'Edit a post (the old text is kept as a revision for the author and moderators, unless it identified a student)', security: [{ bearer: [] }], params: IdParams, body: EditInput, response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 422) } } },
    async (request, reply) => {
      const { post, thread } = await threadOfPost(request, request.params.id);
      await editPost(deps, request.actor, thread, post.id, request.body, request.t);
      return reply.code(204).send(null);
    },
  );
  app.delete(
    '/api/v1/posts/:id/revisions',
    { schema: { tags: ['discussions'], summary: 'Erase the earlier versions of a post (its author or a moderator)', security: [{ bearer: [] }], params: IdParams, response: { 204: Type.Null(), ...errorResponses(401, 403, 404) } } },
    async (request, reply) => {
      const { post, thread } = await threadOfPost(request, request.params.id);
      await eraseHistory(db, request.actor, thread, post.id);
      return reply.code(204).send(null);
    },
  );
  app.delete(
    '/api/v1/posts/:id',
    { schema: { tags: ['discussions'], summary: 'Delete a post (soft)', security: [{ bearer: [] }], params: IdParams, response: { 204: Type.Null(), ...errorResponses(401, 403, 404) } } },
    async (request, reply) => {
      const { post, thread } = await threadOfPost(request, request.params.id);
      await deletePost(db, request.actor, thread, post.id);
      return reply.code(204).send(null);
    },
  );
  const Hit = Type.Object({
    post_id: Type.Integer(),
    thread_id: Type.Integer(),
    title: Type.String(),
    group: Type.Union([Type.Object({ slug: Type.String(), name: Type.String() }), Type.Null()]),
    author: Type.Union([Type.String(), Type.Null()]),
    created_at: Type.String({ format: 'date-time' }),
    snippet: Type.String({ description: 'Plain text; matches are wrapped in ⟦ and ⟧' }),
  });
  app.get(
    '/api/v1/search',
    { schema: { tags: ['discussions'], summary: 'Full-text search over what the requester may read', querystring: SearchQuery, response: { 200: Type.Object({ hits: Type.Array(Hit), more: Type.Boolean() }), ...errorResponses(400, 429) } } },
    async (request) => {
      const r = await runSearch(request, request.query);
      return {
        hits: r.hits.map((x) => ({
          post_id: x.post_id,
          thread_id: x.thread_id,
          title: x.title,
          group: x.group_slug ? { slug: x.group_slug, name: x.group_name! } : null,
          author: x.author_name,
          created_at: x.created_at.toISOString(),
          snippet: x.snippet,
        })),
        more: r.more,
      };
    },
  );
};
