import { CONVERSATIONS_PAGE } from './conversations.js';
import { listOf } from '../platform/http/pagination.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { h } from 'preact';
import { can } from '../platform/auth/policy.js';
import { randomToken } from '../platform/auth/secrets.js';
import { AppError } from '../platform/http/errors.js';
import { submitForm } from '../platform/http/forms.js';
import { idemKeyOf, renderFor, setFlash, requireUser } from '../platform/http/request-context.js';
import { errorResponses } from '../platform/http/schema-helpers.js';
import { validate } from '../platform/http/validation.js';
import { emptyForm, type FormState } from '../platform/views/forms.js';
import {
  MessageInput,
  ReportInput,
  StartInput,
  conversationMessages,
  getVisibleConversation,
  leaveConversation,
  listConversations,
  markConversationRead,
  openReports,
  reportMessage,
  resolveReport,
  sendMessage,
  startConversation,
  subjectOf,
  visibleMessage,
  type ConversationRow,
} from './conversations.js';
import { ConversationReportsView, ConversationView, ConversationsView, NewConversationView, ReportMessageView } from './views.js';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 53 }) });
const ListQuery = Type.Object({ page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })), view: Type.Optional(Type.Union([Type.Literal('mine'), Type.Literal('youth')])) });

/** Private conversations: the list, starting one, reading and replying, leaving, reports; and their API. */
export const conversationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db, jobs } = app.deps;
  const deps = { db, jobs };

  app.get('/conversations', { schema: { querystring: ListQuery } }, async (request, reply) => {
    const actor = requireUser(request);
    const view = request.query.view ?? 'mine';
    const page = request.query.page ?? 1;
    const { items, more } = await listConversations(db, actor, view, page);
    return renderFor(app, request, reply, (ctx) => ({
      title: ctx.t(view === 'youth' ? 'conversations.youth_view' : 'conversations.title'),
      lead: ctx.t('conversations.lead'),
      children: h(ConversationsView, { ctx, items, more, page, view, oversee: can(actor, 'conversation.oversee', undefined) }),
    }));
  });

  const newPage = (request: FastifyRequest, reply: FastifyReply, form: FormState, status = 200) =>
    renderFor(
      app,
      request,
      reply,
      (ctx) => ({
        title: ctx.t('conversations.new'),
        hasErrors: status >= 400,
        breadcrumbs: [{ label: ctx.t('conversations.title'), href: '/conversations' }],
        children: h(NewConversationView, { ctx, form, idempotencyKey: idemKeyOf(request.body) ?? randomToken(16) }),
      }),
      status,
    );
  app.get('/conversations/new', { schema: { querystring: Type.Object({ to: Type.Optional(Type.String({ maxLength: 600 })) }) } }, async (request, reply) => {
    const actor = requireUser(request);
    if (!can(actor, 'conversation.start', undefined)) throw new AppError('forbidden');
    return newPage(request, reply, emptyForm({ to: request.query.to ? `@${request.query.to.replace(/^@/, '')}` : '' }));
  });
  app.post('/conversations', async (request, reply) => {
    const actor = requireUser(request);
    return submitForm({
      schema: StartInput,
      request,
      reply,
      render: (form, status) => newPage(request, reply, form, status),
      run: async (input) => {
        const c = await startConversation(deps, actor, input, idemKeyOf(request.body));
        return reply.redirect(`/conversations/${c.id}`, 303);
      },
    });
  });

  const page = async (request: FastifyRequest, reply: FastifyReply, c: ConversationRow, form: FormState, status = 200) => {
    const actor = requireUser(request);
    const messages = await conversationMessages(db, actor, c.id);
    if (status === 200) await markConversationRead(db, actor.id, c);
    const canWrite = can(actor, 'conversation.write', subjectOf(c));
    return renderFor(
      app,
      request,
      reply,
      (ctx) => ({
        title: c.subject,
        hasErrors: status >= 400,
        breadcrumbs: [{ label: ctx.t('conversations.title'), href: '/conversations' }],
        children: h(ConversationView, { ctx, c, messages, form, idempotencyKey: idemKeyOf(request.body) ?? randomToken(16), canWrite }),
      }),
      status,
    );
  };
  app.get('/conversations/:id', { schema: { params: IdParams } }, async (request, reply) => {
    const actor = requireUser(request);
    return page(request, reply, await getVisibleConversation(db, actor, request.params.id), emptyForm());
  });
  app.post('/conversations/:id/messages', { schema: { params: IdParams } }, async (request, reply) => {
    const actor = requireUser(request);
    const c = await getVisibleConversation(db, actor, request.params.id);
    return submitForm({
      schema: MessageInput,
      request,
      reply,
      render: (form, status) => page(request, reply, c, form, status),
      run: async (input) => {
        const m = await sendMessage(deps, actor, c, input, idemKeyOf(request.body));
        return reply.redirect(`/conversations/${c.id}#message-${m.id}`, 303);
      },
    });
  });
  app.post('/conversations/:id/leave', { schema: { params: IdParams } }, async (request, reply) => {
    const actor = requireUser(request);
    const c = await getVisibleConversation(db, actor, request.params.id);
    await leaveConversation(db, actor, c);
    setFlash(reply, { kind: 'success', message: request.t('conversations.left') });
    return reply.redirect('/conversations', 303);
  });

  // ---- reports ------------------------------------------------------------------------------------------------
  const reportPage = async (request: FastifyRequest, reply: FastifyReply, messageId: number, form: FormState, status = 200) => {
    const actor = requireUser(request);
    const { message, conversation } = await visibleMessage(db, actor, messageId);
    if (!can(actor, 'conversation.write', subjectOf(conversation)) || message.author_id === actor.id || message.hidden_at) throw new AppError('forbidden');
    const author = message.author_id ? conversation.members.find((m) => m.id === message.author_id)?.name ?? null : null;
    return renderFor(
      app,
      request,
      reply,
      (ctx) => ({
        title: ctx.t('conversations.report_title'),
        hasErrors: status >= 400,
        breadcrumbs: [{ label: conversation.subject, href: `/conversations/${conversation.id}` }],
        children: h(ReportMessageView, { ctx, form, message: { id: message.id, author_name: author, body: message.body }, conversation: { id: conversation.id, subject: conversation.subject } }),
      }),
      status,
    );
  };
  app.get('/conversations/messages/:id/report', { schema: { params: IdParams } }, async (request, reply) => reportPage(request, reply, request.params.id, emptyForm()));
  app.post('/conversations/messages/:id/report', { schema: { params: IdParams } }, async (request, reply) => {
    const actor = requireUser(request);
    return submitForm({
      schema: ReportInput,
      request,
      reply,
      render: (form, status) => reportPage(request, reply, request.params.id, form, status),
      run: async (input) => {
        const { conversationId } = await reportMessage(db, actor, request.params.id, input);
        setFlash(reply, { kind: 'success', message: request.t('conversations.reported') });
        return reply.redirect(`/conversations/${conversationId}`, 303);
      },
    });
  });
  app.get('/moderation/conversations', async (request, reply) => {
    const actor = requireUser(request);
    if (!can(actor, 'conversation.oversee', undefined)) throw new AppError('forbidden');
    const reports = await openReports(db, actor);
    return renderFor(app, request, reply, (ctx) => ({
      title: ctx.t('conversations.reports_title'),
      lead: ctx.t('conversations.reports_lead'),
      children: h(ConversationReportsView, { ctx, reports }),
    }));
  });
  app.post('/moderation/conversations/:id', { schema: { params: IdParams } }, async (request, reply) => {
    const actor = requireUser(request);
    const r = validate(Type.Object({ action: Type.Union([Type.Literal('hide'), Type.Literal('keep')]) }), request.body, request.t);
    if (!r.ok) throw new AppError('validation_failed', { fields: r.errors });
    await resolveReport(db, actor, request.params.id, r.value.action);
    setFlash(reply, { kind: 'success', message: request.t(r.value.action === 'hide' ? 'conversations.hidden' : 'conversations.kept') });
    return reply.redirect('/moderation/conversations', 303);
  });

  // ---- API ------------------------------------------------------------------------------------------------------
  const Summary = Type.Object({ id: Type.Integer(), subject: Type.String(), last_message_at: Type.String({ format: 'date-time' }), unread: Type.Boolean(), people: Type.Array(Type.String()) });
  app.get(
    '/api/v1/conversations',
    { config: { list: { items: 'conversations', perPage: CONVERSATIONS_PAGE } }, schema: { tags: ['conversations'], summary: 'Your private conversations, latest first', security: [{ bearer: [] }], querystring: Type.Object({ page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })) }), response: { 200: listOf({ conversations: Type.Array(Summary), more: Type.Boolean() }), ...errorResponses(401) } } },
    async (request) => {
      const { items, more } = await listConversations(db, requireUser(request), 'mine', request.query.page ?? 1);
      return { conversations: items.map((c) => ({ id: c.id, subject: c.subject, last_message_at: c.last_message_at.toISOString(), unread: c.unread, people: c.people })), more };
    },
  );
  app.post(
    '/api/v1/conversations',
    {
      schema: {
        tags: ['conversations'],
        summary: 'Start a private conversation (two to ten people, by handle)',
        security: [{ bearer: [] }],
        body: StartInput,
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ maxLength: 100 })) }),
        response: { 201: Type.Object({ id: Type.Integer() }), ...errorResponses(400, 401, 403, 422, 429) },
      },
    },
    async (request, reply) => reply.code(201).send(await startConversation(deps, requireUser(request), request.body, request.headers['idempotency-key'])),
  );
  app.get(
    '/api/v1/conversations/:id',
    {
      schema: {
        tags: ['conversations'],
        summary: 'A conversation and its messages',
        security: [{ bearer: [] }],
        params: IdParams,
        response: {
          200: Type.Object({
            id: Type.Integer(),
            subject: Type.String(),
            people: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String(), handle: Type.String() })),
            messages: Type.Array(Type.Object({ id: Type.Integer(), author: Type.Union([Type.Object({ id: Type.Integer(), name: Type.String() }), Type.Null()]), html: Type.String(), hidden: Type.Boolean(), created_at: Type.String({ format: 'date-time' }) })),
          }),
          ...errorResponses(401, 404),
        },
      },
    },
    async (request) => {
      const actor = requireUser(request);
      const c = await getVisibleConversation(db, actor, request.params.id);
      const messages = await conversationMessages(db, actor, c.id);
      await markConversationRead(db, actor.id, c);
      return {
        id: c.id,
        subject: c.subject,
        people: c.members.filter((m) => !m.left).map((m) => ({ id: m.id, name: m.name, handle: m.handle })),
        messages: messages.map((m) => ({ id: m.id, author: m.author_id && m.author_name ? { id: m.author_id, name: m.author_name } : null, html: m.html, hidden: m.hidden, created_at: m.created_at.toISOString() })),
      };
    },
  );
  app.post(
    '/api/v1/conversations/:id/messages',
    {
      schema: {
        tags: ['conversations'],
        summary: 'Write in a conversation',
        security: [{ bearer: [] }],
        params: IdParams,
        body: MessageInput,
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ maxLength: 100 })) }),
        response: { 201: Type.Object({ id: Type.Integer() }), ...errorResponses(400, 401, 403, 404, 422, 429) },
      },
    },
    async (request, reply) => {
      const actor = requireUser(request);
      const c = await getVisibleConversation(db, actor, request.params.id);
      return reply.code(201).send(await sendMessage(deps, actor, c, request.body, request.headers['idempotency-key']));
    },
  );
};
