import { listOf } from '../platform/http/pagination.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { h } from 'preact';
import {
  ChangeEmailInput,
  ChangePasswordInput,
  ForgotInput,
  LoginInput,
  ProfileInput,
  ResetInput,
  SignupInput,
  authenticate,
  mailSignInLink,
  useSignInLink,
  changePassword,
  confirmEmailChange,
  requestEmailChange,
  requestPasswordReset,
  resendVerification,
  resetPassword,
  setLocale,
  signUp,
  updateProfile,
  verifyEmail,
  type MailContext,
} from './commands.js';
import { createApiToken, listApiTokens, revokeApiToken } from './tokens.js';
import { beginEnrollment, confirmEnrollment, disableTwoFactor, pendingEnrollment, regenerateRecoveryCodes, twoFactorStatus, verifySecondFactor } from './two-factor.js';
import { TwoFactorLoginView, TwoFactorSettingsView } from './two-factor-views.js';
import { clearPending, finishSignIn, pendingSignIn, startSession } from './sign-in.js';
import { enabledProviders } from './oidc.js';
import { ForgotView, LoginView, ResetView, SessionsView, SettingsView, SignupView, UnderAgeView, type SettingsData } from './views.js';
import { clearSessionCookie, renderFor, safeNext, setFlash, setSessionCookie, requireUser } from '../platform/http/request-context.js';
import { submitForm } from '../platform/http/forms.js';
import { emptyForm, type FormState } from '../platform/views/forms.js';
import { AppError } from '../platform/http/errors.js';
import { destroySession, destroyUserSessions, listSessions, revokeSession } from '../platform/auth/sessions.js';
import { audit } from '../platform/db/tx.js';
import { errorResponses } from '../platform/http/schema-helpers.js';
import { LANG_COOKIE, isLocale } from '../platform/i18n/i18n.js';
import { PROFILE_FIELDS, DEFAULT_VISIBILITY } from '../community/vocab.js';
import { presentPerson, getPerson, organizationsOf } from '../community/queries.js';
import { groupsOfPerson } from '../groups/queries.js';
import { PersonSchema } from '../community/schemas.js';

const CodeInput = Type.Object({ code: Type.String({ minLength: 1, maxLength: 20 }) });


/** Sign-up, sign-in, email links, password reset, settings and personal API tokens. */
export const accountRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db, config } = app.deps;
  const mail = (): MailContext => ({ mailer: app.deps.mailer, baseUrl: config.baseUrl, secret: config.sessionSecret });
  const meta = (request: FastifyRequest) => ({ ip: request.ip, userAgent: String(request.headers['user-agent'] ?? ''), locale: request.locale });

  // ---- sign up -------------------------------------------------------------
  const signupPage = (request: FastifyRequest, reply: FastifyReply, form: FormState, status = 200) =>
    renderFor(app, request, reply, (ctx) => ({ title: ctx.t('accounts.signup_title'), hasErrors: status >= 400, children: h(SignupView, { ctx, form }) }), status);

  app.get('/signup', async (request, reply) => {
    if (request.actor.kind === 'user') return reply.redirect('/');
    return signupPage(request, reply, emptyForm());
  });
  app.post('/signup', async (request, reply) =>
    submitForm({
      schema: SignupInput,
      request,
      reply,
      render: (form, status) => signupPage(request, reply, form, status),
      run: async (input) => {
        const result = await signUp(db, mail(), input, meta(request));
        if (result.kind === 'under_age') {
          // Neutral refusal: nothing typed is stored or echoed back.
          return renderFor(app, request, reply, (ctx) => ({ title: ctx.t('accounts.under_age_title'), children: h(UnderAgeView, { ctx }) }), 403);
        }
        // The same answer whether or not the address already had an account.
        return reply.redirect('/signup/sent', 303);
      },
    }),
  );

  // ---- log in / out ----------------------------------------------------------
  const loginPage = async (request: FastifyRequest, reply: FastifyReply, form: FormState, next: string, status = 200) => {
    const providers = await enabledProviders(db);
    return renderFor(app, request, reply, (ctx) => ({ title: ctx.t('accounts.login_title'), hasErrors: status >= 400, children: h(LoginView, { ctx, form, next, providers }) }), status);
  };

  app.get('/login', async (request, reply) => {
    const next = safeNext((request.query as Record<string, unknown>).next);
    if (request.actor.kind === 'user') return reply.redirect(next);
    return loginPage(request, reply, emptyForm(), next);
  });
  app.post('/login', async (request, reply) => {
    const next = safeNext((request.body as Record<string, unknown> | undefined)?.next);
    return submitForm({
      schema: LoginInput,
      request,
      reply,
      render: (form, status) => loginPage(request, reply, form, next, status),
      run: async ({ email, password }) => {
        try {
          const userId = await authenticate(db, config.sessionSecret, email, password, request.ip);
          return await finishSignIn(app, request, reply, userId, next, 'password');
        } catch (err) {
          if (err instanceof AppError && err.code === 'unauthenticated') {
            throw new AppError('unauthenticated', { fields: { _: request.t('accounts.login_failed') } });
          }
          if (err instanceof AppError && err.code === 'rate_limited') {
            // Too many tries: the owner can still get in, with a one-time link by email.
            await mailSignInLink(db, mail(), email);
            throw new AppError('rate_limited', { retryAfter: err.retryAfter, fields: { _: request.t('accounts.login_throttled') } });
          }
          throw err;
        }
      },
    });
  });

  app.get('/login/link', { schema: { querystring: Type.Object({ token: Type.Optional(Type.String({ maxLength: 200 })) }) } }, async (request, reply) => {
    const userId = request.query.token ? await useSignInLink(db, request.query.token) : undefined;
    if (!userId) {
      setFlash(reply, { kind: 'error', message: request.t('accounts.sign_in_link_invalid') });
      return reply.redirect('/login', 303);
    }
    // A second factor, when the account has one, is still asked for.
    return finishSignIn(app, request, reply, userId, '/', 'email');
  });

  // ---- the second step, for accounts with two-factor sign-in -----------------------------------
  const twoFactorLoginPage = (request: FastifyRequest, reply: FastifyReply, form: FormState, status = 200) =>
    renderFor(app, request, reply, (ctx) => ({ title: ctx.t('two_factor.login_title'), hasErrors: status >= 400, children: h(TwoFactorLoginView, { ctx, form }) }), status);
  app.get('/login/two-factor', async (request, reply) => {
    if (!pendingSignIn(app, request)) return reply.redirect('/login', 303);
    return twoFactorLoginPage(request, reply, emptyForm());
  });
  app.post('/login/two-factor', async (request, reply) => {
    const pending = pendingSignIn(app, request);
    if (!pending) {
      setFlash(reply, { kind: 'error', message: request.t('two_factor.expired') });
      return reply.redirect('/login', 303);
    }
    return submitForm({
      schema: CodeInput,
      request,
      reply,
      render: (form, status) => twoFactorLoginPage(request, reply, form, status),
      run: async ({ code }) => {
        const how = await verifySecondFactor(db, config.sessionSecret, pending.userId, code);
        if (!how) throw new AppError('validation_failed', { fields: { code: request.t('two_factor.code_wrong') } });
        clearPending(app, reply);
        if (how === 'recovery') setFlash(reply, { kind: 'warning', message: request.t('two_factor.recovery_used') });
        return startSession(app, request, reply, pending.userId, pending.next, pending.method);
      },
    });
  });

  app.post('/logout', async (request, reply) => {
    if (request.sessionToken) await destroySession(db, request.sessionToken);
    clearSessionCookie(reply, config.secure);
    // Nothing private stays on the device: offline copies, drafts and the service worker go (cookies are handled above).
    reply.header('clear-site-data', '"cache", "storage"');
    setFlash(reply, { kind: 'info', message: request.t('accounts.signed_out') });
    return reply.redirect('/', 303);
  });

  // ---- email verification ------------------------------------------------------
  app.get('/signup/sent', async (request, reply) =>
    renderFor(app, request, reply, (ctx) => ({ title: ctx.t('accounts.signup_sent_title'), lead: ctx.t('accounts.signup_sent'), children: h('p', null, ctx.t('accounts.signup_sent_more')) })),
  );
  app.get('/verify', { schema: { querystring: Type.Object({ token: Type.Optional(Type.String({ maxLength: 200 })) }) } }, async (request, reply) => {
    const userId = request.query.token ? await verifyEmail(db, request.query.token) : undefined;
    setFlash(reply, userId ? { kind: 'success', message: request.t('accounts.verified') } : { kind: 'error', message: request.t('accounts.verify_link_invalid') });
    // Following the link from one's own mailbox signs a new member in (a second factor still applies).
    if (userId && request.actor.kind !== 'user') return finishSignIn(app, request, reply, userId, '/settings', 'email');
    return reply.redirect(request.actor.kind === 'user' ? '/settings' : '/login', 303);
  });
  app.post('/verify/resend', async (request, reply) => {
    await resendVerification(db, mail(), requireUser(request));
    setFlash(reply, { kind: 'info', message: request.t('accounts.verification_sent') });
    return reply.redirect('/settings', 303);
  });

  // ---- password reset ------------------------------------------------------------
  const forgotPage = (request: FastifyRequest, reply: FastifyReply, form: FormState, sent: boolean, status = 200) =>
    renderFor(app, request, reply, (ctx) => ({ title: ctx.t('accounts.forgot_title'), hasErrors: status >= 400, children: h(ForgotView, { ctx, form, sent }) }), status);
  app.get('/password/forgot', async (request, reply) => forgotPage(request, reply, emptyForm(), false));
  app.post('/password/forgot', async (request, reply) =>
    submitForm({
      schema: ForgotInput,
      request,
      reply,
      render: (form, status) => forgotPage(request, reply, form, false, status),
      run: async ({ email }) => {
        await requestPasswordReset(db, mail(), email, request.ip);
        return forgotPage(request, reply, emptyForm(), true);
      },
    }),
  );
  const resetPage = (request: FastifyRequest, reply: FastifyReply, form: FormState, token: string, status = 200) =>
    renderFor(app, request, reply, (ctx) => ({ title: ctx.t('accounts.reset_title'), hasErrors: status >= 400, children: h(ResetView, { ctx, form, token }) }), status);
  app.get('/password/reset', { schema: { querystring: Type.Object({ token: Type.Optional(Type.String({ maxLength: 200 })) }) } }, async (request, reply) =>
    resetPage(request, reply, emptyForm(), request.query.token ?? ''),
  );
  app.post('/password/reset', async (request, reply) => {
    const token = String((request.body as Record<string, unknown> | undefined)?.token ?? '');
    return submitForm({
      schema: ResetInput,
      request,
      reply,
      render: (form, status) => resetPage(request, reply, form, token, status),
      run: async (input) => {
        await resetPassword(db, input.token, input.password);
        clearSessionCookie(reply, config.secure);
        setFlash(reply, { kind: 'success', message: request.t('accounts.password_reset_done') });
        return reply.redirect('/login', 303);
      },
    });
  });

  // ---- settings ------------------------------------------------------------------------
  async function settingsData(userId: number, newToken?: string): Promise<SettingsData & { profileValues: Record<string, unknown> }> {
    const user = await db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
    const [orgs, mine, tokens] = await Promise.all([
      db.selectFrom('organizations').select(['id', 'name']).orderBy('name').execute(),
      db.selectFrom('user_organizations').select('organization_id').where('user_id', '=', userId).execute(),
      listApiTokens(db, userId),
    ]);
    const vis = { ...DEFAULT_VISIBILITY, ...(user.visibility ?? {}) };
    return {
      email: user.email,
      emailVerified: user.email_verified_at !== null,
      isYouth: user.is_youth,
      organizations: orgs,
      tokens,
      newToken,
      profileValues: {
        name: user.name,
        handle: user.handle,
        pronouns: user.pronouns,
        bio: user.bio,
        state_code: user.state_code ?? '',
        perspectives: user.perspectives,
        expertise: user.expertise.join(', '),
        organizations: mine.map((m) => String(m.organization_id)),
        locale: user.locale,
        ...Object.fromEntries(PROFILE_FIELDS.map((f) => [`visibility_${f}`, vis[f]])),
      },
    };
  }

  async function settingsPage(
    request: FastifyRequest,
    reply: FastifyReply,
    forms: { profile?: FormState; password?: FormState; email?: FormState; tokenForm?: FormState; newToken?: string } = {},
    status = 200,
  ) {
    const actor = requireUser(request);
    const data = await settingsData(actor.id, forms.newToken);
    return renderFor(
      app,
      request,
      reply,
      (ctx) => ({
        title: ctx.t('settings.title'),
        hasErrors: status >= 400,
        children: h(SettingsView, {
          ctx,
          data,
          profile: forms.profile ?? emptyForm(data.profileValues),
          password: forms.password ?? emptyForm(),
          email: forms.email ?? emptyForm(),
          tokenForm: forms.tokenForm ?? emptyForm(),
        }),
      }),
      status,
    );
  }

  app.get('/settings', async (request, reply) => {
    if (request.actor.kind !== 'user') return reply.redirect('/login?next=%2Fsettings');
    return settingsPage(request, reply);
  });
  app.post('/settings/profile', async (request, reply) => {
    const actor = requireUser(request);
    return submitForm({
      schema: ProfileInput,
      request,
      reply,
      // An unchecked box list sends nothing: an empty list, not "unchanged".
      prepare: (v) => ({ perspectives: [], organizations: [], ...v }),
      render: (form, status) => settingsPage(request, reply, { profile: form }, status),
      run: async (input) => {
        await updateProfile(db, actor, actor.id, input);
        if (input.locale) reply.setCookie(LANG_COOKIE, input.locale, { path: '/', sameSite: 'lax', maxAge: 365 * 86400 });
        setFlash(reply, { kind: 'success', message: request.t('settings.profile_saved') });
        return reply.redirect('/settings', 303);
      },
    });
  });
  app.post('/settings/password', async (request, reply) => {
    const actor = requireUser(request);
    return submitForm({
      schema: ChangePasswordInput,
      request,
      reply,
      render: (form, status) => settingsPage(request, reply, { password: form }, status),
      run: async (input) => {
        const token = await changePassword(db, mail(), actor, input.current_password, input.new_password);
        setSessionCookie(reply, config.secure, token);
        setFlash(reply, { kind: 'success', message: request.t('settings.password_changed') });
        return reply.redirect('/settings', 303);
      },
    });
  });
  // ---- two-factor sign-in ----------------------------------------------------------------------------
  const issuer = () => app.community.nameOrDefault();
  async function twoFactorPage(request: FastifyRequest, reply: FastifyReply, opts: { form?: FormState; disableForm?: FormState; codes?: string[] } = {}, status = 200) {
    const actor = requireUser(request);
    await app.community.get();
    const status2 = await twoFactorStatus(db, actor.id);
    const enrollment = status2.enabled ? undefined : await pendingEnrollment(db, config.sessionSecret, actor, issuer());
    return renderFor(
      app,
      request,
      reply,
      (ctx) => ({
        title: ctx.t('two_factor.title'),
        lead: ctx.t('two_factor.lead'),
        hasErrors: status >= 400,
        breadcrumbs: [{ label: ctx.t('settings.title'), href: '/settings' }],
        children: h(TwoFactorSettingsView, {
          ctx,
          status: status2,
          required: config.twoFactorRoles.includes(actor.role),
          enrollment,
          codes: opts.codes,
          form: opts.form ?? emptyForm(),
          disableForm: opts.disableForm ?? emptyForm(),
        }),
      }),
      status,
    );
  }
  app.get('/settings/two-factor', async (request, reply) => {
    if (request.actor.kind !== 'user') return reply.redirect('/login?next=%2Fsettings%2Ftwo-factor');
    const actor = request.actor;
    // Someone who must use it gets the set-up straight away.
    if (!actor.twoFactor && config.twoFactorRoles.includes(actor.role) && !(await pendingEnrollment(db, config.sessionSecret, actor, issuer()))) {
      await beginEnrollment(db, config.sessionSecret, actor, issuer());
    }
    return twoFactorPage(request, reply);
  });
  app.post('/settings/two-factor/begin', async (request, reply) => {
    const actor = requireUser(request);
    if (actor.twoFactor) throw new AppError('conflict');
    await beginEnrollment(db, config.sessionSecret, actor, issuer());
    return reply.redirect('/settings/two-factor', 303);
  });
  app.post('/settings/two-factor/enable', async (request, reply) => {
    const actor = requireUser(request);
    return submitForm({
      schema: CodeInput,
      request,
      reply,
      render: (form, status) => twoFactorPage(request, reply, { form }, status),
      run: async ({ code }) => {
        const codes = await confirmEnrollment(db, config.sessionSecret, actor, code);
        // The other sessions were opened with one factor only.
        await destroyUserSessions(db, actor.id, request.sessionToken);
        actor.twoFactor = true;
        setFlash(reply, { kind: 'success', message: request.t('two_factor.enabled') });
        return twoFactorPage(request, reply, { codes }, 201);
      },
    });
  });
  app.post('/settings/two-factor/recovery-codes', async (request, reply) => {
    const actor = requireUser(request);
    return submitForm({
      schema: CodeInput,
      request,
      reply,
      render: (form, status) => twoFactorPage(request, reply, { form }, status),
      run: async ({ code }) => twoFactorPage(request, reply, { codes: await regenerateRecoveryCodes(db, config.sessionSecret, actor, code) }, 201),
    });
  });
  app.post('/settings/two-factor/disable', async (request, reply) => {
    const actor = requireUser(request);
    return submitForm({
      schema: Type.Object({ password: Type.String({ maxLength: 256 }), disable_code: Type.String({ minLength: 1, maxLength: 20 }) }),
      request,
      reply,
      render: (disableForm, status) => twoFactorPage(request, reply, { disableForm }, status),
      run: async ({ password, disable_code }) => {
        await disableTwoFactor(db, config.sessionSecret, actor, config.twoFactorRoles.includes(actor.role), password, disable_code);
        setFlash(reply, { kind: 'success', message: request.t('two_factor.disabled') });
        return reply.redirect('/settings/two-factor', 303);
      },
    });
  });

  // ---- sessions: where you are signed in, and ending them ---------------------------------------
  app.get('/settings/sessions', async (request, reply) => {
    const actor = requireUser(request);
    const sessions = await listSessions(db, actor.id, request.sessionToken);
    return renderFor(app, request, reply, (ctx) => ({
      title: ctx.t('sessions.title'),
      lead: ctx.t('sessions.lead'),
      breadcrumbs: [{ label: ctx.t('settings.title'), href: '/settings' }],
      children: h(SessionsView, { ctx, sessions }),
    }));
  });
  app.post('/settings/sessions/:ref/revoke', { schema: { params: Type.Object({ ref: Type.String({ maxLength: 40 }) }) } }, async (request, reply) => {
    const actor = requireUser(request);
    if (!(await revokeSession(db, actor.id, request.params.ref))) throw new AppError('not_found');
    await audit(db, actor.id, 'session.revoke', { type: 'user', id: actor.id });
    setFlash(reply, { kind: 'success', message: request.t('sessions.revoked') });
    return reply.redirect('/settings/sessions', 303);
  });
  app.post('/settings/sessions/revoke-others', async (request, reply) => {
    const actor = requireUser(request);
    await destroyUserSessions(db, actor.id, request.sessionToken);
    await audit(db, actor.id, 'session.revoke_others', { type: 'user', id: actor.id });
    setFlash(reply, { kind: 'success', message: request.t('sessions.others_revoked') });
    return reply.redirect('/settings/sessions', 303);
  });

  app.post('/settings/email', async (request, reply) => {
    const actor = requireUser(request);
    return submitForm({
      schema: ChangeEmailInput,
      request,
      reply,
      render: (form, status) => settingsPage(request, reply, { email: form }, status),
      run: async (input) => {
        await requestEmailChange(db, mail(), actor, input.password, input.new_email);
        setFlash(reply, { kind: 'info', message: request.t('settings.email_link_sent', { email: input.new_email }) });
        return reply.redirect('/settings', 303);
      },
    });
  });
  app.get('/settings/email/confirm', { schema: { querystring: Type.Object({ token: Type.Optional(Type.String({ maxLength: 200 })) }) } }, async (request, reply) => {
    const ok = request.query.token ? await confirmEmailChange(db, request.query.token) : false;
    setFlash(reply, ok ? { kind: 'success', message: request.t('settings.email_changed') } : { kind: 'error', message: request.t('accounts.verify_link_invalid') });
    return reply.redirect(request.actor.kind === 'user' ? '/settings' : '/login', 303);
  });
  app.post('/settings/tokens', async (request, reply) => {
    const actor = requireUser(request);
    return submitForm({
      schema: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }) }),
      request,
      reply,
      render: (form, status) => settingsPage(request, reply, { tokenForm: form }, status),
      run: async ({ name }) => {
        const { token } = await createApiToken(db, actor.id, name.trim());
        // Shown once, on this response only: never stored or put in a redirect.
        return settingsPage(request, reply, { newToken: token }, 201);
      },
    });
  });
  app.post('/settings/tokens/:id/revoke', { schema: { params: Type.Object({ id: Type.Integer({ minimum: 1 }) }) } }, async (request, reply) => {
    const actor = requireUser(request);
    if (!(await revokeApiToken(db, actor.id, request.params.id))) throw new AppError('not_found');
    setFlash(reply, { kind: 'success', message: request.t('settings.token_revoked') });
    return reply.redirect('/settings#tokens', 303);
  });

  // The language switch is a link on every page (it must work for visitors
  // without a session or a form token); it only sets a display preference.
  app.get('/language/:locale', { schema: { params: Type.Object({ locale: Type.String({ maxLength: 5 }) }), querystring: Type.Object({ next: Type.Optional(Type.String({ maxLength: 2000 })) }) } }, async (request, reply) => {
    const { locale } = request.params;
    if (!isLocale(locale)) throw new AppError('not_found');
    reply.setCookie(LANG_COOKIE, locale, { path: '/', sameSite: 'lax', maxAge: 365 * 86400 });
    await setLocale(db, request.actor, locale);
    return reply.redirect(safeNext(request.query.next), 303);
  });

  // ---- JSON API ------------------------------------------------------------------------------
  const TokenCreated = Type.Object({ token: Type.String(), id: Type.Integer() });
  const TokenInfo = Type.Object({
    id: Type.Integer(),
    name: Type.String(),
    prefix: Type.String(),
    created_at: Type.String({ format: 'date-time' }),
    last_used_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  });

  app.post(
    '/api/v1/tokens',
    {
      config: { csrf: false },
      schema: {
        tags: ['accounts'],
        summary: 'Create a personal API token from an email and password',
        description: 'Accounts with two-factor sign-in also send `code`: a current code from their authenticator app or an unused recovery code.',
        body: Type.Object({
          email: Type.String({ maxLength: 254 }),
          password: Type.String({ maxLength: 256 }),
          code: Type.Optional(Type.String({ maxLength: 20 })),
          name: Type.Optional(Type.String({ maxLength: 100 })),
        }),
        response: { 201: TokenCreated, ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request, reply) => {
      const { email, password, code, name } = request.body;
      const userId = await authenticate(db, config.sessionSecret, email, password, request.ip);
      const user = await db.selectFrom('users').select(['totp_enabled_at', 'role']).where('id', '=', userId).executeTakeFirstOrThrow();
      if (user.totp_enabled_at) {
        if (!code || !(await verifySecondFactor(db, config.sessionSecret, userId, code))) {
          throw new AppError('unauthenticated', { fields: { code: request.t(code ? 'two_factor.code_wrong' : 'two_factor.code_needed') } });
        }
      } else if (config.twoFactorRoles.includes(user.role)) {
        throw new AppError('forbidden', { fields: { code: request.t('two_factor.set_up_first') } });
      }
      const created = await createApiToken(db, userId, name?.trim() || 'API');
      return reply.code(201).send({ token: created.token, id: created.id });
    },
  );
  app.get(
    '/api/v1/tokens',
    { config: { list: { items: 'tokens', perPage: 1000 } }, schema: { tags: ['accounts'], summary: 'List your live API tokens', security: [{ bearer: [] }], response: { 200: listOf({ tokens: Type.Array(TokenInfo) }), ...errorResponses(401) } } },
    async (request) => ({
      tokens: (await listApiTokens(db, requireUser(request).id)).map((tk) => ({ ...tk, created_at: tk.created_at.toISOString(), last_used_at: tk.last_used_at?.toISOString() ?? null })),
    }),
  );
  app.delete(
    '/api/v1/tokens/:id',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Revoke one of your API tokens',
        security: [{ bearer: [] }],
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        response: { 204: Type.Null(), ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      if (!(await revokeApiToken(db, requireUser(request).id, request.params.id))) throw new AppError('not_found');
      return reply.code(204).send(null);
    },
  );

  const Me = Type.Composite([
    PersonSchema,
    Type.Object({
      email: Type.String(),
      email_verified: Type.Boolean(),
      is_youth: Type.Boolean(),
      locale: Type.String(),
      groups: Type.Array(Type.Object({ slug: Type.String(), name: Type.String(), role: Type.String() })),
    }),
  ]);
  app.get(
    '/api/v1/me',
    { schema: { tags: ['accounts'], summary: 'The signed-in person', security: [{ bearer: [] }], response: { 200: Me, ...errorResponses(401) } } },
    async (request) => {
      const actor = requireUser(request);
      const person = (await getPerson(db, actor.id))!;
      const orgs = (await organizationsOf(db, [actor.id])).get(actor.id) ?? [];
      const groups = await groupsOfPerson(db, actor, actor.id);
      return {
        ...presentPerson(actor, person, orgs),
        email: actor.email,
        email_verified: actor.emailVerified,
        is_youth: actor.isYouth,
        locale: actor.locale,
        groups: groups.map((g) => ({ slug: g.slug, name: g.name, role: g.role })),
      };
    },
  );
  app.patch(
    '/api/v1/me',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Update your profile',
        security: [{ bearer: [] }],
        body: ProfileInput,
        response: { 204: Type.Null(), ...errorResponses(400, 401) },
      },
    },
    async (request, reply) => {
      const actor = requireUser(request);
      await updateProfile(db, actor, actor.id, request.body as never);
      return reply.code(204).send(null);
    },
  );
};
