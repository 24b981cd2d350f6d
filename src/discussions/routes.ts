import { groupCrumb, groupNameText } from '../platform/views/bilingual.js';
import { postTranslations } from '../translations/translations.js';
import { firstNewPost } from './tracking.js';
import { threadDecisions } from '../value/decisions.js';
import type { StartHint } from './views.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { h, type ComponentChild } from 'preact';
import type { PageContext } from '../platform/views/context.js';
import { Feed } from 'feed';
import { registerUploads, uploadOf } from '../platform/http/uploads.js';
import { uploadStore, type Upload } from '../resources/storage.js';
import { MAX_UPLOAD_BYTES } from '../resources/vocab.js';
import { prepareAttachment } from './attachments.js';
import { authorize, can } from '../platform/auth/policy.js';
import { randomToken } from '../platform/auth/secrets.js';
import { AppError } from '../platform/http/errors.js';
import { submitForm } from '../platform/http/forms.js';
import { renderMarkdown } from './markdown.js';
import { formValues, idemKeyOf, renderFor, setFlash } from '../platform/http/request-context.js';
import { validate } from '../platform/http/validation.js';
import { emptyForm, type FormState } from '../platform/views/forms.js';
import { cachedGroupList, getGroup, getVisibleGroup, type GroupRow } from '../groups/queries.js';
import {
  GuideSummaryInput,
  ModerateInput,
  ReplyInput,
  SplitInput,
  ThreadInput,
  createThread,
  moderateThread,
  moveThread,
  reply as postReply,
  splitThread,
  summarizeGuide,
} from './commands.js';
import { dialogueQuestions, getThreadForViewer, listThreads, NO_VIEWER_STATE, threadPosts, threadSubject, type PostView, type ThreadRow, type ThreadViewerState, getVisibleThread } from './queries.js';
import { SpaceView, ThreadForm } from './views.js';
import { PostItem, ThreadView, renderPosts } from './thread-views.js';
import { inOrder, type ReactionKind } from './reactions.js';
import { MoveView, SplitView } from './moderation-views.js';
import { render } from 'preact-render-to-string';
import { pageContext } from '../platform/http/request-context.js';
import { resultCache } from '../platform/http/result-cache.js';
import type { KeptStore } from '../platform/views/kept.js';
import { PERSPECTIVES } from '../community/vocab.js';
import { readThread } from '../notifications/queries.js';
import { effectiveWatch } from '../notifications/watch.js';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 53 }) });
const SlugParams = Type.Object({ slug: Type.String({ maxLength: 100 }) });
const PageQuery = Type.Object({ page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })) });

export const discussionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.deps;
  /** Heavy reads (search) go to the replica when there is one. */
  const files = uploadStore(app.deps.config.dataDir);
  const deps = { db, jobs: app.deps.jobs, glossary: app.glossary, files };

  // New threads and replies may carry one picture or file: their forms are sent as multipart.
  await registerUploads(app, { maxBytes: MAX_UPLOAD_BYTES + 1, fields: 40, fieldSize: 256 * 1024 });
  /** The form's attachment (a file chosen in its picker), if any. */
  const attachmentOf = (request: FastifyRequest): Upload | undefined => {
    const f = uploadOf(request, 'attachment');
    return f && f.data.length > 0 ? f : undefined;
  };
  const groupList = cachedGroupList(app.pageCache);

  const visibleGroup = (request: FastifyRequest, slug: string) => getVisibleGroup(db, request.actor, slug);

  const visibleThread = (request: FastifyRequest, id: number) => getVisibleThread(db, request.actor, id);

  // ---- spaces: a group's discussions and the community-wide space ---------------------
  const spacePage = async (request: FastifyRequest, reply: FastifyReply, group: GroupRow | null, page: number) => {
    const { threads, more } = await listThreads(db, group?.id ?? null, page, request.actor);
    const canStart = can(request.actor, 'thread.create', { group });
    const base = group ? `/groups/${group.slug}/threads` : '/discussions';
    // No dead end: someone who may not start a discussion here is told what would let them.
    const startHint: StartHint | undefined = canStart
      ? undefined
      : request.actor.kind === 'anonymous'
        ? { kind: 'sign_in', next: base }
        : group && can(request.actor, 'group.join', group)
          ? { kind: 'join', action: `/groups/${group.slug}/join`, next: base }
          : group && can(request.actor, 'group.request', group)
            ? { kind: 'request', action: `/groups/${group.slug}/join`, next: base }
            : undefined;
    return renderFor(app, request, reply, (ctx) => ({
      title: group ? ctx.t('discussions.group_title', { name: groupNameText(ctx, group.name) }) : ctx.t('discussions.community_space'),
      lead: group ? undefined : ctx.t('discussions.community_lead'),
      alternates: !group
        ? [{ type: 'application/atom+xml' as const, title: ctx.t('discussions.community_space'), href: '/discussions/feed.atom' }]
        : group.visibility === 'public' && !group.archived_at
          ? [{ type: 'application/atom+xml' as const, title: ctx.t('discussions.group_title', { name: groupNameText(ctx, group.name) }), href: `/groups/${group.slug}/feed.atom` }]
          : undefined,
      breadcrumbs: group
        ? [
            { label: ctx.t('groups.title'), href: '/groups' },
            groupCrumb(ctx, group.name, group.slug),
          ]
        : undefined,
      children: h(SpaceView, {
        ctx,
        threads,
        more,
        page,
        newHref: canStart ? `${base}/new` : undefined,
        startHint,
        basePath: base,
        feedHref: !group ? '/discussions/feed.atom' : group.visibility === 'public' ? `/groups/${group.slug}/feed.atom` : undefined,
        searchIn: group?.slug,
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
              groupCrumb(ctx, group.name, group.slug),
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
      prepare: ({ attachment: _file, attachment_alt: _alt, ...values }) => values,
      render: (form, status) => newThreadPage(request, reply, group, withAttachmentValues(request, form), status),
      run: async (input) => {
        const upload = attachmentOf(request);
        const alt = (request.body as Record<string, unknown> | undefined)?.attachment_alt;
        const attachment = upload ? await prepareAttachment(upload, typeof alt === 'string' ? alt : undefined) : undefined;
        const created = await createThread(deps, request.actor, group, input, idemKeyOf(request.body), attachment);
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
      bookmark: can(actor, 'post.bookmark', postSubject({ author_id: null, deleted_at: null })),
      translate: can(actor, 'post.translate', postSubject({ author_id: null, deleted_at: null })),
      askTranslation: can(actor, 'post.request_translation', postSubject({ author_id: null, deleted_at: null })),
      youthPhotos: actor.kind === 'user',
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
      .filter((g) => g.id !== thread.group_id && can(actor, 'thread.move_to', { group: g }))
      .map((g) => ({ value: g.slug, label: g.name }));
    if (thread.group_id !== null && can(actor, 'thread.move_to', { group: null })) out.unshift({ value: '', label: request.t('discussions.community_space') });
    return out;
  }

  /**
   * A thread's posts, rendered and annotated, as every reader sees them: the same
   * rows for everyone, apart from hidden posts' text, which only moderators get.
   * Shared between viewers for the page-cache period and forgotten on any write,
   * with their kept markup (`kept`: the posts as `renderPosts` keeps them, the
   * page's controls and reply form); long threads are read afresh each time
   * rather than kept.
   */
  const SHARED_POSTS_UP_TO = 100;
  const sharedPosts = resultCache<{ posts: PostView[]; kept: KeptStore }>(app.pageCache, 200);
  const pagePosts = (thread: ThreadRow, moderator: boolean) => {
    const read = async () => {
      const posts = await threadPosts(db, thread.id, null, { moderator });
      await annotatePosts(posts);
      // Members' translations, beside their posts: asked for only when the thread has some.
      if (thread.translation_count > 0) {
        const translations = await postTranslations(db, posts.filter((p) => p.html).map((p) => p.id));
        for (const p of posts) {
          const tr = translations.get(p.id);
          if (tr && p.html) p.translation = { language: tr.language, html: tr.html, translator: tr.translator, corrector: tr.corrector, source_version: tr.source_version, version: tr.version };
        }
      }
      return { posts, kept: new Map<string, string>() as KeptStore };
    };
    return thread.reply_count < SHARED_POSTS_UP_TO ? sharedPosts(`${thread.id}:${moderator ? 'moderator' : 'reader'}`, read) : read();
  };

  /** A re-shown reply form keeps the picture's description (the file itself must be chosen again). */
  const withAttachmentValues = (request: FastifyRequest, form: FormState): FormState => {
    const { attachment: _file, ...values } = formValues(request.body);
    void _file;
    return { ...form, values: { ...values, ...form.values, attachment: undefined } };
  };

  /** The thread page. `known` is the viewer's state read with the thread; a re-rendered form reads it again. */
  async function threadPage(request: FastifyRequest, reply: FastifyReply, thread: ThreadRow, form: FormState, status = 200, known?: ThreadViewerState, preview?: string) {
    const actor = request.actor;
    const subject = threadSubject(thread);
    const moderator = can(actor, 'thread.moderate', subject);
    const canOpenDecision = can(actor, 'decision.open', subject);
    const [shared, questions, state, decisions] = await Promise.all([
      pagePosts(thread, moderator),
      thread.kind === 'dialogue_guide' ? dialogueQuestions(db, thread.id) : Promise.resolve(undefined),
      known ?? getThreadForViewer(db, thread.id, actor).then((r) => r?.state ?? NO_VIEWER_STATE),
      // Most threads have no polls or proposals: the thread row says so, and nothing is asked.
      thread.decision_count > 0 ? threadDecisions(db, thread.id) : Promise.resolve([]),
    ]);
    // The shared rows are never changed: a post the viewer reacted to is a copy.
    const mine = new Map<number, ReactionKind[]>();
    for (const [postId, kind] of state.reactions) mine.set(postId, [...(mine.get(postId) ?? []), kind]);
    for (const [postId, kinds] of mine) mine.set(postId, inOrder(kinds));
    const bookmarks: ReadonlySet<number> = new Set(state.bookmarks);
    const posts = mine.size || bookmarks.size ? shared.posts.map((p) => (mine.has(p.id) || bookmarks.has(p.id) ? { ...p, mine: mine.get(p.id) ?? p.mine, bookmarked: bookmarks.has(p.id) } : p)) : shared.posts;
    const fresh = status === 200 ? firstNewPost(shared.posts, actor, state.readAt) : undefined;
    const watch = actor.kind === 'user' ? effectiveWatch(state.ownWatch, thread.group_id === null ? null : state.groupWatch) : undefined;
    if (actor.kind === 'user' && status === 200) {
      await readThread(db, actor.id, thread.id, { lastActivityAt: thread.last_activity_at, readAt: state.readAt, unreadNotifications: state.unreadNotifications });
      // The header's count, loaded with the session, no longer holds (here, nor in what this process keeps).
      if (state.unreadNotifications) {
        actor.unreadNotifications = undefined;
        app.sessionCache.forgetUser(actor.id);
      }
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
              groupCrumb(ctx, thread.group_name!, thread.group_slug),
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
            newSince: fresh && { first: fresh.first.id, count: fresh.count },
            preview,
            guide: questions ? { questions, perspectives: PERSPECTIVES } : undefined,
            renderedPosts: renderPosts(ctx, shared.posts, { mine, bookmarks }, thread.id, perms, questions, shared.kept),
            kept: shared.kept,
            decisions: decisions.length > 0 || canOpenDecision ? { rows: decisions, canOpen: canOpenDecision } : undefined,
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
      // The file and its description are not fields of the reply itself.
      prepare: ({ attachment: _file, attachment_alt: _alt, ...values }) => values,
      render: (form, status) => threadPage(request, reply, thread, withAttachmentValues(request, form), status),
      run: async (input) => {
        const upload = attachmentOf(request);
        const alt = (request.body as Record<string, unknown> | undefined)?.attachment_alt;
        // "Preview": the reply rendered as it will be published (the same Markdown pipeline and
        // glossary), shown above the form with what was typed; nothing is written.
        if ((request.body as Record<string, unknown> | undefined)?.preview === '1') {
          const html = await app.glossary.annotateUncached(renderMarkdown(input.body));
          return threadPage(request, reply, thread, withAttachmentValues(request, { values: formValues(request.body), errors: upload ? { attachment: request.t('attachments.choose_again') } : {} }), 200, undefined, html);
        }
        const attachment = upload ? await prepareAttachment(upload, typeof alt === 'string' ? alt : undefined) : undefined;
        const post = await postReply(deps, request.actor, thread, input, idemKeyOf(request.body), attachment);
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
    const ctx = pageContext(request, reply, app.community.nameOrDefault(request.locale));
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
        const created = await splitThread(deps, request.actor, thread, input);
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
        await summarizeGuide(db, request.actor, thread, input);
        setFlash(reply, { kind: 'success', message: request.t('guides.summary_saved') });
        return reply.redirect(`/threads/${thread.id}#guide-summary`, 303);
      },
    });
  });

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
  app.get('/discussions/feed.atom', async (request, reply) => atom(reply, null, `${request.t('discussions.community_space')} · ${app.community.nameOrDefault(request.locale)}`));

};
