import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { h } from 'preact';
import { accountFor, beginOidc, completeOidc, getProvider, listProviders, ProviderInput, saveProvider, type OidcPending } from './oidc.js';
import { ProviderForm, ProvidersAdminView } from './oidc-views.js';
import { finishSignIn } from './sign-in.js';
import { AppError } from '../platform/http/errors.js';
import { renderFor, safeNext, setFlash } from '../platform/http/request-context.js';
import { submitForm } from '../platform/http/forms.js';
import { emptyForm, type FormState } from '../platform/views/forms.js';
import { authorize } from '../platform/auth/policy.js';
import { hit } from '../platform/auth/rate-limit.js';
import { keyedHash } from '../platform/auth/secrets.js';

const SlugParams = Type.Object({ slug: Type.String({ maxLength: 60 }) });
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 53 }) });
/** Sign-in attempts through providers per address per 5 minutes. */
const OIDC_PER_ADDRESS = { max: 30, windowSeconds: 300 };

/** Sign-in through organizations' identity providers, and the admin pages that configure them. */
export const oidcRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db, config } = app.deps;
  const cookieName = config.secure ? '__Host-convene_oidc' : 'convene_oidc';
  const redirectUri = (slug: string) => `${config.baseUrl}/auth/oidc/${slug}/callback`;

  app.get('/auth/oidc/:slug', { schema: { params: SlugParams, querystring: Type.Object({ next: Type.Optional(Type.String({ maxLength: 2000 })) }) } }, async (request, reply) => {
    const p = await getProvider(db, { slug: request.params.slug });
    if (!p || !p.enabled) throw new AppError('not_found');
    await hit(db, `oidc:ip:${keyedHash(config.sessionSecret, request.ip)}`, OIDC_PER_ADDRESS);
    const { url, pending } = await beginOidc(config.sessionSecret, p, redirectUri(p.slug), safeNext(request.query.next), request.locale);
    reply.setCookie(cookieName, Buffer.from(JSON.stringify(pending)).toString('base64url'), {
      path: '/',
      httpOnly: true,
      // Lax: the provider sends the person back with a top-level GET.
      sameSite: 'lax',
      secure: config.secure,
      signed: true,
      maxAge: 600,
    });
    return reply.redirect(url, 303);
  });

  app.get('/auth/oidc/:slug/callback', { schema: { params: SlugParams } }, async (request, reply) => {
    const fail = (key: string) => {
      reply.clearCookie(cookieName, { path: '/', secure: config.secure });
      setFlash(reply, { kind: 'error', message: request.t(key) });
      return reply.redirect('/login', 303);
    };
    const p = await getProvider(db, { slug: request.params.slug });
    if (!p || !p.enabled) throw new AppError('not_found');
    const raw = request.cookies[cookieName];
    const un = raw ? request.unsignCookie(raw) : undefined;
    let pending: OidcPending | undefined;
    try {
      pending = un?.valid && un.value ? (JSON.parse(Buffer.from(un.value, 'base64url').toString('utf8')) as OidcPending) : undefined;
    } catch {
      pending = undefined;
    }
    if (!pending || pending.provider !== p.slug) return fail('oidc.expired');
    const query = request.query as Record<string, unknown>;
    if (typeof query.error === 'string') return fail('oidc.cancelled');
    let claims;
    try {
      claims = await completeOidc(config.sessionSecret, p, new URL(request.url, config.baseUrl), pending);
    } catch (err) {
      if (err instanceof AppError && err.code === 'unavailable') return fail('oidc.unavailable');
      return fail('oidc.failed');
    }
    const result = await accountFor(db, p, claims);
    if ('refused' in result) return fail(`oidc.refused_${result.refused}`);
    reply.clearCookie(cookieName, { path: '/', secure: config.secure });
    if (result.created) setFlash(reply, { kind: 'success', message: request.t('oidc.welcome') });
    return finishSignIn(app, request, reply, result.userId, pending.next, 'oidc');
  });

  // ---- admin: configure providers ------------------------------------------------------------------
  const requireAdmin = (request: FastifyRequest) => {
    authorize(request.actor, 'identity_providers.manage', undefined);
    if (request.actor.kind !== 'user') throw new AppError('unauthenticated');
    return request.actor;
  };
  const crumbs = (request: FastifyRequest) => [
    { label: request.t('nav.admin'), href: '/admin' },
    { label: request.t('oidc.admin_title'), href: '/admin/identity-providers' },
  ];
  const organizations = () => db.selectFrom('organizations').select(['id', 'name']).orderBy('name').execute();

  app.get('/admin/identity-providers', async (request, reply) => {
    requireAdmin(request);
    const providers = await listProviders(db);
    return renderFor(app, request, reply, (ctx) => ({
      title: ctx.t('oidc.admin_title'),
      breadcrumbs: [{ label: ctx.t('nav.admin'), href: '/admin' }],
      children: h(ProvidersAdminView, { ctx, providers, baseUrl: config.baseUrl }),
    }));
  });

  async function formPage(request: FastifyRequest, reply: FastifyReply, form: FormState, id: number | undefined, status = 200) {
    const orgs = await organizations();
    return renderFor(
      app,
      request,
      reply,
      (ctx) => ({
        title: id ? ctx.t('oidc.edit_title') : ctx.t('oidc.add'),
        lead: id ? ctx.t('oidc.redirect_is', { uri: redirectUri(String(form.values.slug ?? '')) }) : ctx.t('oidc.redirect_pattern', { uri: redirectUri('<slug>') }),
        hasErrors: status >= 400,
        breadcrumbs: crumbs(request),
        children: h(ProviderForm, { ctx, form, action: id ? `/admin/identity-providers/${id}` : '/admin/identity-providers', organizations: orgs, editing: id !== undefined }),
      }),
      status,
    );
  }
  const prepare = (v: Record<string, unknown>) => ({ ...v, organization_id: v.organization_id ? v.organization_id : null });

  app.get('/admin/identity-providers/new', async (request, reply) => {
    requireAdmin(request);
    return formPage(request, reply, emptyForm({ scopes: 'openid email profile', allow_signup: 'true', enabled: 'true' }), undefined);
  });
  /** Creates (no id) or changes a provider from the admin form. */
  const save = (request: FastifyRequest, reply: FastifyReply, id: number | undefined) => {
    const actor = requireAdmin(request);
    return submitForm({
      schema: ProviderInput,
      request,
      reply,
      prepare,
      render: (form, status) => formPage(request, reply, form, id, status),
      run: async (input) => {
        await saveProvider(db, config.sessionSecret, actor, id, input);
        setFlash(reply, { kind: 'success', message: request.t('oidc.saved') });
        return reply.redirect('/admin/identity-providers', 303);
      },
    });
  };
  app.post('/admin/identity-providers', async (request, reply) => save(request, reply, undefined));
  app.get('/admin/identity-providers/:id', { schema: { params: IdParams } }, async (request, reply) => {
    requireAdmin(request);
    const p = await getProvider(db, { id: request.params.id });
    if (!p) throw new AppError('not_found');
    const { client_secret: _secret, ...shown } = p;
    return formPage(request, reply, emptyForm({ ...shown, organization_id: p.organization_id ? String(p.organization_id) : '', allow_signup: String(p.allow_signup), enabled: String(p.enabled) }), p.id);
  });
  app.post('/admin/identity-providers/:id', { schema: { params: IdParams } }, async (request, reply) => save(request, reply, request.params.id));
};
