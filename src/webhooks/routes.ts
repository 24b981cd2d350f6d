import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { h } from 'preact';
import { authorize, can } from '../platform/auth/policy.js';
import { submitForm } from '../platform/http/forms.js';
import { idemKeyOf, renderFor, requireUser, setFlash } from '../platform/http/request-context.js';
import { randomToken } from '../platform/auth/secrets.js';
import { emptyForm, type FormState } from '../platform/views/forms.js';
import { EndpointInput, createEndpoint, deleteEndpoint, enableEndpoint, getEndpoint, listEndpoints, recentDeliveries } from './commands.js';
import { EndpointForm, EndpointView, EndpointsView } from './views.js';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 53 }) });

/** Webhook endpoints: list, register (the secret shown once), one endpoint with its deliveries, turn back on, delete. */
export const webhookRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db, config } = app.deps;
  const crumbs = (request: FastifyRequest, more: { label: string; href: string }[] = []) => [{ label: request.t('nav.admin'), href: '/admin' }, ...more];

  app.get('/admin/webhooks', async (request, reply) => {
    const actor = requireUser(request);
    authorize(actor, 'webhook.create', undefined);
    const endpoints = await listEndpoints(db, actor);
    return renderFor(app, request, reply, (ctx) => ({ title: ctx.t('webhooks.title'), lead: ctx.t('webhooks.lead'), breadcrumbs: crumbs(request), children: h(EndpointsView, { ctx, endpoints }) }));
  });

  const formPage = (request: FastifyRequest, reply: FastifyReply, form: FormState, status = 200) =>
    renderFor(
      app,
      request,
      reply,
      (ctx) => ({
        title: ctx.t('webhooks.new_title'),
        hasErrors: status >= 400,
        breadcrumbs: crumbs(request, [{ label: ctx.t('webhooks.title'), href: '/admin/webhooks' }]),
        children: h(EndpointForm, { ctx, form, canAllowPrivate: can(request.actor, 'webhook.allow_private', undefined), idempotencyKey: idemKeyOf(request.body) ?? randomToken(16) }),
      }),
      status,
    );
  app.get('/admin/webhooks/new', async (request, reply) => {
    authorize(requireUser(request), 'webhook.create', undefined);
    return formPage(request, reply, emptyForm({ events: [] }));
  });
  app.post('/admin/webhooks', async (request, reply) => {
    const actor = requireUser(request);
    authorize(actor, 'webhook.create', undefined);
    return submitForm({
      schema: EndpointInput,
      request,
      reply,
      prepare: (v) => ({
        ...v,
        events: v.events === undefined ? [] : [v.events].flat(),
        include_private: v.include_private === 'true' || v.include_private === true,
        allow_private_network: v.allow_private_network === 'true' || v.allow_private_network === true,
      }),
      render: (form, status) => formPage(request, reply, form, status),
      run: async (input) => {
        const made = await createEndpoint(db, config, actor, input, idemKeyOf(request.body));
        // The secret is shown on this answer only; it is never shown again.
        return endpointPage(request, reply, made.id, made.secret, 201);
      },
    });
  });

  const endpointPage = async (request: FastifyRequest, reply: FastifyReply, id: number, secret?: string, status = 200) => {
    const actor = requireUser(request);
    const endpoint = await getEndpoint(db, actor, id);
    const deliveries = await recentDeliveries(db, endpoint.id);
    return renderFor(
      app,
      request,
      reply,
      (ctx) => ({ title: endpoint.url, breadcrumbs: crumbs(request, [{ label: ctx.t('webhooks.title'), href: '/admin/webhooks' }]), children: h(EndpointView, { ctx, endpoint, deliveries, secret }) }),
      status,
    );
  };
  app.get('/admin/webhooks/:id', { schema: { params: IdParams } }, async (request, reply) => endpointPage(request, reply, request.params.id));
  app.post('/admin/webhooks/:id/enable', { schema: { params: IdParams } }, async (request, reply) => {
    await enableEndpoint(db, requireUser(request), request.params.id);
    setFlash(reply, { kind: 'success', message: request.t('webhooks.enabled') });
    return reply.redirect(`/admin/webhooks/${request.params.id}`, 303);
  });
  app.post('/admin/webhooks/:id/delete', { schema: { params: IdParams } }, async (request, reply) => {
    await deleteEndpoint(db, requireUser(request), request.params.id);
    setFlash(reply, { kind: 'success', message: request.t('webhooks.deleted') });
    return reply.redirect('/admin/webhooks', 303);
  });
};
