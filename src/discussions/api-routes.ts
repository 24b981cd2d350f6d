import { documentBodyless } from '../platform/http/openapi.js';
import { listOf } from '../platform/http/pagination.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { can } from '../platform/auth/policy.js';
import { errorResponses } from '../platform/http/schema-helpers.js';
import { AppError } from '../platform/http/errors.js';
import { mentionable } from './mentions.js';
import { attachmentUrl } from './thread-views.js';
import { getVisibleGroup, type GroupRow } from '../groups/queries.js';
import {
  EditInput,
  ReplyInput,
  ThreadInput,
  createThread,
  deletePost,
  editPost,
  eraseHistory,
  reply as postReply,
} from './commands.js';
import { REACTIONS, setReaction, whoReacted, type ReactionCounts, type ReactionKind } from './reactions.js';
import { PAGE_SIZE, getThread, listThreads, threadPosts, threadSubject, type ThreadRow, getVisibleThread, getVisiblePost, assertPostShown } from './queries.js';
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 53 }) });
const SlugParams = Type.Object({ slug: Type.String({ maxLength: 100 }) });
const PageQuery = Type.Object({ page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })) });

export const ThreadSummary = Type.Object({
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
const ReactionKindSchema = Type.Union(REACTIONS.map((k) => Type.Literal(k)));
const ReactionCountsSchema = Type.Object(Object.fromEntries(REACTIONS.map((k) => [k, Type.Integer({ minimum: 0 })])) as Record<ReactionKind, ReturnType<typeof Type.Integer>>, {
  description: 'How many people left each reaction',
});
const countsOf = (c: ReactionCounts) => Object.fromEntries(REACTIONS.map((k) => [k, c[k] ?? 0])) as Record<ReactionKind, number>;
const PostSchema = Type.Object({
  id: Type.Integer(),
  author: Type.Union([Type.Object({ id: Type.Integer(), name: Type.String() }), Type.Null()]),
  is_opening: Type.Boolean(),
  reply_to_id: Type.Union([Type.Integer(), Type.Null()]),
  body: Type.String(),
  html: Type.String(),
  language: Type.String(),
  version: Type.Integer(),
  helpful_count: Type.Integer({ description: 'The same as reactions.helpful (kept for older clients)' }),
  reactions: ReactionCountsSchema,
  my_reactions: Type.Array(ReactionKindSchema, { description: "The caller's own reactions to this post" }),
  attachments: Type.Array(
    Type.Object({
      id: Type.Integer(),
      kind: Type.Union([Type.Literal('image'), Type.Literal('file')]),
      filename: Type.String(),
      content_type: Type.String(),
      size_bytes: Type.Integer(),
      alt: Type.String({ description: "A picture's description, written by its author" }),
      width: Type.Union([Type.Integer(), Type.Null()]),
      height: Type.Union([Type.Integer(), Type.Null()]),
      url: Type.String({ description: 'Fetched with the same access as the thread' }),
    }),
  ),
  created_at: Type.String({ format: 'date-time' }),
  edited_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  deleted: Type.Boolean(),
  hidden: Type.Boolean(),
});

export const presentThread = (t: ThreadRow) => ({
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
/** The discussions JSON API. */
export const discussionApiRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.deps;
  /** Heavy reads (search) go to the replica when there is one. */
  const deps = { db, jobs: app.deps.jobs, glossary: app.glossary };

  const visibleGroup = (request: FastifyRequest, slug: string) => getVisibleGroup(db, request.actor, slug);

  const visibleThread = (request: FastifyRequest, id: number) => getVisibleThread(db, request.actor, id);
  const threadOfPost = (request: FastifyRequest, postId: number) => getVisiblePost(db, request.actor, postId);

  // ---- spaces: a group's discussions and the community-wide space ---------------------
  // ---- JSON API -------------------------------------------------------------------------------------------
  app.get(
    '/api/v1/discussions',
    { config: { list: { items: 'threads', perPage: PAGE_SIZE } }, schema: { tags: ['discussions'], summary: 'Threads of the community-wide space', querystring: PageQuery, response: { 200: listOf({ threads: Type.Array(ThreadSummary), more: Type.Boolean() }) } } },
    async (request) => {
      const r = await listThreads(db, null, request.query.page ?? 1);
      return { threads: r.threads.map(presentThread), more: r.more };
    },
  );
  app.get(
    '/api/v1/groups/:slug/threads',
    { config: { list: { items: 'threads', perPage: PAGE_SIZE } }, schema: { tags: ['discussions'], summary: "A group's threads", params: SlugParams, querystring: PageQuery, response: { 200: listOf({ threads: Type.Array(ThreadSummary), more: Type.Boolean() }), ...errorResponses(404) } } },
    async (request) => {
      const group = await visibleGroup(request, request.params.slug);
      const r = await listThreads(db, group.id, request.query.page ?? 1);
      return { threads: r.threads.map(presentThread), more: r.more };
    },
  );
  const createThreadApi = async (request: FastifyRequest, reply: FastifyReply, group: GroupRow | null) => {
    const created = await createThread(deps, request.actor, group, request.body as never, request.headers['idempotency-key'] as string | undefined);
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
          reactions: countsOf(p.reactions),
          my_reactions: p.mine,
          attachments: p.attachments.map((a) => ({ ...a, url: attachmentUrl(a) })),
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
      const post = await postReply(deps, request.actor, thread, request.body, request.headers['idempotency-key']);
      return reply.code(201).send(post);
    },
  );
  app.patch(
    '/api/v1/posts/:id',
    { schema: { tags: ['discussions'], summary: 'Edit a post (the old text is kept as a revision for the author and moderators, unless it identified a student)', security: [{ bearer: [] }], params: IdParams, body: EditInput, response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 422) } } },
    async (request, reply) => {
      const { post, thread } = await threadOfPost(request, request.params.id);
      await editPost(deps, request.actor, thread, post.id, request.body);
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
  app.get(
    '/api/v1/mentions',
    { config: { list: { items: 'people', perPage: 1000 } }, schema: {
        tags: ['discussions'],
        summary: 'People the caller may @mention, for autocomplete: by handle or name, those in the thread or group first',
        security: [{ bearer: [] }],
        querystring: Type.Object({
          q: Type.String({ minLength: 1, maxLength: 40, pattern: "^@?[\\p{L}\\p{N}_.' -]+$" }),
          thread: Type.Optional(Type.Integer({ minimum: 1, maximum: 2 ** 53 })),
          group: Type.Optional(Type.String({ maxLength: 100 })),
        }),
        response: { 200: listOf({ people: Type.Array(Type.Object({ id: Type.Integer(), handle: Type.String(), name: Type.String() })) }), ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const actor = request.actor;
      if (actor.kind !== 'user') throw new AppError('unauthenticated');
      const { q, thread: threadId, group: slug } = request.query;
      // The place must be one the author can see; a mention list for a private group is not for outsiders.
      const thread = threadId ? await visibleThread(request, threadId) : undefined;
      const group = thread ? (thread.group_id === null ? null : { id: thread.group_id, visibility: thread.group_visibility! }) : slug ? await visibleGroup(request, slug) : undefined;
      return { people: await mentionable(db, actor, q, { threadId: thread?.id, group: group && { id: group.id, visibility: group.visibility } }) };
    },
  );
  const ReactionParams = Type.Object({ id: IdParams.properties.id, kind: ReactionKindSchema });
  const reactionSchema = (summary: string) => ({
    tags: ['discussions'],
    summary,
    security: [{ bearer: [] }],
    params: ReactionParams,
    response: { 200: Type.Object({ reactions: ReactionCountsSchema }), ...errorResponses(400, 401, 403, 404) },
  });
  const reactApi = async (request: FastifyRequest, params: { id: number; kind: ReactionKind }, on: boolean) => {
    const { post, thread } = await threadOfPost(request, params.id);
    return { reactions: countsOf(await setReaction(db, request.actor, thread, post.id, params.kind, on)) };
  };
  documentBodyless('PUT', '/api/v1/posts/:id/reactions/:kind');
  app.put('/api/v1/posts/:id/reactions/:kind', { schema: reactionSchema('React to a post (once per kind; repeating it changes nothing)') }, async (request) => reactApi(request, request.params, true));
  app.delete('/api/v1/posts/:id/reactions/:kind', { schema: reactionSchema('Take back a reaction') }, async (request) => reactApi(request, request.params, false));
  app.get(
    '/api/v1/posts/:id/reactions',
    { config: { list: { items: 'reactions', perPage: 1000 } }, schema: {
        tags: ['discussions'],
        summary: 'Who reacted to a post, by kind, newest first',
        params: IdParams,
        response: {
          200: listOf({
            reactions: Type.Array(Type.Object({ kind: ReactionKindSchema, count: Type.Integer(), people: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String(), at: Type.String({ format: 'date-time' }) })) })),
          }),
          ...errorResponses(404),
        },
      },
    },
    async (request) => {
      const { post, thread } = await threadOfPost(request, request.params.id);
      assertPostShown(request.actor, post, thread);
      const kinds = await whoReacted(db, post.id);
      return { reactions: kinds.map((k) => ({ kind: k.kind, count: k.count, people: k.people.map((p) => ({ id: p.id, name: p.name, at: p.at.toISOString() })) })) };
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
};
