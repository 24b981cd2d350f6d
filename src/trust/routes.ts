import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { createReadStream, existsSync } from 'node:fs';
import { h } from 'preact';
import { AppError } from '../platform/http/errors.js';
import { renderFor, setFlash, clearSessionCookie } from '../platform/http/request-context.js';
import { submitForm } from '../platform/http/forms.js';
import { emptyForm, type FormState } from '../platform/views/forms.js';
import type { UserActor } from '../platform/auth/actor.js';
import { authorize } from '../platform/auth/policy.js';
import { hit } from '../platform/auth/rate-limit.js';
import { audit } from '../platform/db/tx.js';
import { mailTo } from '../platform/mail/templates.js';
import { policiesEn } from '../platform/i18n/en-trust.js';
import { policiesEs } from '../platform/i18n/es-trust.js';
import { exportPath, latestExport, requestDeletion, requestExport } from './data.js';
import { AuditView, CONTACT_TOPICS, ContactInboxView, ContactView, PolicyView, RetentionView, YourDataView, type PolicyPage } from './views.js';

const ContactInput = Type.Object({
  topic: Type.Union(CONTACT_TOPICS.map((k) => Type.Literal(k))),
  body: Type.String({ minLength: 1, maxLength: 4000, pattern: '\\S' }),
});
const DeleteInput = Type.Object({
  posts: Type.Union([Type.Literal('anonymize'), Type.Literal('erase')]),
  email: Type.String({ minLength: 1, maxLength: 254 }),
  password: Type.Optional(Type.String({ maxLength: 256 })),
});
const RetentionInput = Type.Object({
  retention_inactive_days: Type.Union([Type.Integer({ minimum: 90, maximum: 36500 }), Type.Null()]),
  retention_notification_days: Type.Union([Type.Integer({ minimum: 30, maximum: 36500 }), Type.Null()]),
});
/** Messages to facilitators per person per hour. */
const CONTACT_LIMIT = { max: 5, windowSeconds: 3600 };
/** Data downloads asked for per person per day. */
const EXPORT_LIMIT = { max: 3, windowSeconds: 86400 };

/** Guidelines, terms and privacy; reaching a facilitator; your data; retention and the audit log for admins. */
export const trustRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db, config, jobs, mailer } = app.deps;

  const requireUser = (request: FastifyRequest): UserActor => {
    if (request.actor.kind !== 'user') throw new AppError('unauthenticated');
    return request.actor;
  };
  const requireFacilitator = (request: FastifyRequest) => {
    authorize(request.actor, 'contact.review', undefined);
    return requireUser(request);
  };
  const requireAdmin = (request: FastifyRequest) => {
    authorize(request.actor, 'retention.manage', undefined);
    return requireUser(request);
  };
  const adminCrumbs = (request: FastifyRequest) => [{ label: request.t('nav.admin'), href: '/admin' }];

  // ---- guidelines, terms, privacy ------------------------------------------------------------
  const policy = (page: PolicyPage) => async (request: FastifyRequest, reply: FastifyReply) =>
    renderFor(app, request, reply, (ctx) => ({ title: ctx.t(`policies.${page}_title`), lead: (ctx.locale === 'es' ? POLICY_LEADS.es : POLICY_LEADS.en)[page], children: h(PolicyView, { ctx, page }) }));
  app.get('/guidelines', policy('guidelines'));
  app.get('/terms', policy('terms'));
  app.get('/privacy', policy('privacy'));

  // ---- reach a facilitator --------------------------------------------------------------------------
  const contactPage = (request: FastifyRequest, reply: FastifyReply, form: FormState, status = 200) =>
    renderFor(app, request, reply, (ctx) => ({ title: ctx.t('contact.title'), lead: ctx.t('contact.lead'), hasErrors: status >= 400, children: h(ContactView, { ctx, form, signedIn: request.actor.kind === 'user' }) }), status);
  app.get('/contact', async (request, reply) => contactPage(request, reply, emptyForm()));
  app.post('/contact', async (request, reply) => {
    const actor = requireUser(request);
    return submitForm({
      schema: ContactInput,
      request,
      reply,
      render: (form, status) => contactPage(request, reply, form, status),
      run: async (input) => {
        await hit(db, `contact:acct:${actor.id}`, CONTACT_LIMIT);
        await db.insertInto('contact_requests').values({ user_id: actor.id, topic: input.topic, body: input.body.trim() }).execute();
        // Each facilitator is told in their own language; the message itself stays on the site.
        const facilitators = await db.selectFrom('users').select(['email', 'name', 'locale']).where('role', 'in', ['facilitator', 'admin']).where('deactivated_at', 'is', null).execute();
        for (const f of facilitators) {
          await mailer
            .send(
              mailTo(f, (t) => ({
                subject: t('contact.mail_subject', { topic: t(`contact.topics.${input.topic}`) }),
                paragraphs: [t('contact.mail_body', { name: actor.name, topic: t(`contact.topics.${input.topic}`) })],
                action: { label: t('contact.mail_action'), url: `${config.baseUrl}/admin/contact` },
              })),
            )
            .catch((err: Error) => request.log.warn({ err: err.message }, 'contact mail not sent'));
        }
        setFlash(reply, { kind: 'success', message: request.t('contact.sent') });
        return reply.redirect('/contact', 303);
      },
    });
  });
  app.get('/admin/contact', { schema: { querystring: Type.Object({ closed: Type.Optional(Type.String({ maxLength: 2 })) }) } }, async (request, reply) => {
    const actor = requireFacilitator(request);
    const closed = request.query.closed === '1';
    const rows = await db
      .selectFrom('contact_requests as c')
      .leftJoin('users as u', 'u.id', 'c.user_id')
      .select(['c.id', 'c.topic', 'c.body', 'c.status', 'c.created_at', 'u.name', 'u.email', 'u.is_youth'])
      .where('c.status', '=', closed ? 'closed' : 'open')
      .orderBy('c.id', 'desc')
      .limit(200)
      .execute();
    await audit(db, actor.id, 'contact.read', { type: 'contact_requests' }, { count: rows.length, closed });
    return renderFor(app, request, reply, (ctx) => ({ title: ctx.t('contact.admin_title'), breadcrumbs: adminCrumbs(request), children: h(ContactInboxView, { ctx, rows, closed }) }));
  });
  app.post('/admin/contact/:id/close', { schema: { params: Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 53 }) }) } }, async (request, reply) => {
    const actor = requireFacilitator(request);
    const r = await db.transaction().execute(async (tx) => {
      const res = await tx.updateTable('contact_requests').set({ status: 'closed', closed_at: new Date(), closed_by: actor.id }).where('id', '=', request.params.id).where('status', '=', 'open').executeTakeFirst();
      if (Number(res.numUpdatedRows)) await audit(tx, actor.id, 'contact.close', { type: 'contact_request', id: request.params.id });
      return Number(res.numUpdatedRows);
    });
    if (!r) throw new AppError('not_found');
    setFlash(reply, { kind: 'success', message: request.t('contact.closed') });
    return reply.redirect('/admin/contact', 303);
  });

  // ---- your data: download and deletion -----------------------------------------------------------
  const dataPage = async (request: FastifyRequest, reply: FastifyReply, form: FormState, status = 200) => {
    const actor = requireUser(request);
    const latest = await latestExport(db, actor.id);
    return renderFor(
      app,
      request,
      reply,
      (ctx) => ({ title: ctx.t('your_data.title'), lead: ctx.t('your_data.lead'), hasErrors: status >= 400, breadcrumbs: [{ label: ctx.t('settings.title'), href: '/settings' }], children: h(YourDataView, { ctx, latest, form }) }),
      status,
    );
  };
  app.get('/settings/data', async (request, reply) => {
    if (request.actor.kind !== 'user') return reply.redirect('/login?next=%2Fsettings%2Fdata');
    return dataPage(request, reply, emptyForm());
  });
  app.post('/settings/data/export', async (request, reply) => {
    const actor = requireUser(request);
    await hit(db, `export:acct:${actor.id}`, EXPORT_LIMIT);
    await requestExport(db, jobs, actor);
    setFlash(reply, { kind: 'success', message: request.t('your_data.download_requested') });
    return reply.redirect('/settings/data', 303);
  });
  app.get('/settings/data/download', async (request, reply) => {
    const actor = requireUser(request);
    const latest = await latestExport(db, actor.id);
    if (!latest || latest.status !== 'done' || !latest.file_name || !latest.expires_at || latest.expires_at < new Date()) throw new AppError('not_found');
    const file = exportPath(config.dataDir, latest.file_name);
    if (!existsSync(file)) throw new AppError('not_found');
    await audit(db, actor.id, 'account.export_downloaded', { type: 'user', id: actor.id });
    return reply
      .header('content-type', 'application/zip')
      .header('content-disposition', 'attachment; filename="convene-my-data.zip"')
      .header('cache-control', 'private, no-store')
      .send(createReadStream(file));
  });
  app.post('/settings/data/delete', async (request, reply) => {
    const actor = requireUser(request);
    return submitForm({
      schema: DeleteInput,
      request,
      reply,
      render: (form, status) => dataPage(request, reply, form, status),
      run: async (input) => {
        await requestDeletion(db, jobs, actor, input);
        clearSessionCookie(reply, config.secure);
        setFlash(reply, { kind: 'info', message: request.t('your_data.delete_requested') });
        return reply.redirect('/', 303);
      },
    });
  });

  // ---- admins: retention -------------------------------------------------------------------------------
  const retentionPage = async (request: FastifyRequest, reply: FastifyReply, form: FormState, status = 200) => {
    const last = await db.selectFrom('audit_log').select('created_at').where('action', '=', 'retention.run').orderBy('id', 'desc').limit(1).executeTakeFirst();
    return renderFor(
      app,
      request,
      reply,
      (ctx) => ({ title: ctx.t('retention.title'), lead: ctx.t('retention.lead'), hasErrors: status >= 400, breadcrumbs: adminCrumbs(request), children: h(RetentionView, { ctx, form, lastRun: last?.created_at }) }),
      status,
    );
  };
  app.get('/admin/retention', async (request, reply) => {
    requireAdmin(request);
    const c = await db.selectFrom('community').select(['retention_inactive_days', 'retention_notification_days']).executeTakeFirst();
    return retentionPage(request, reply, emptyForm({ retention_inactive_days: c?.retention_inactive_days ?? '', retention_notification_days: c?.retention_notification_days ?? '' }));
  });
  app.post('/admin/retention', async (request, reply) => {
    const actor = requireAdmin(request);
    return submitForm({
      schema: RetentionInput,
      request,
      reply,
      prepare: (v) => ({ retention_inactive_days: v.retention_inactive_days === '' ? null : v.retention_inactive_days, retention_notification_days: v.retention_notification_days === '' ? null : v.retention_notification_days }),
      render: (form, status) => retentionPage(request, reply, form, status),
      run: async (input) => {
        await db.transaction().execute(async (tx) => {
          await tx
            .insertInto('community')
            .values({ id: 1, name: app.community.nameOrDefault(), ...input })
            .onConflict((oc) => oc.column('id').doUpdateSet({ ...input, updated_at: new Date() }))
            .execute();
          await audit(tx, actor.id, 'retention.update', { type: 'community' }, input);
        });
        setFlash(reply, { kind: 'success', message: request.t('retention.saved') });
        return reply.redirect('/admin/retention', 303);
      },
    });
  });

  // ---- facilitators: the audit log --------------------------------------------------------------------
  app.get(
    '/admin/audit',
    { schema: { querystring: Type.Object({ action: Type.Optional(Type.String({ maxLength: 100 })), before: Type.Optional(Type.Integer({ minimum: 1, maximum: 2 ** 53 })) }) } },
    async (request, reply) => {
      requireFacilitator(request);
      const action = request.query.action ?? '';
      const PAGE = 100;
      let q = db
        .selectFrom('audit_log as a')
        .leftJoin('users as u', 'u.id', 'a.actor_id')
        .select(['a.id', 'u.name as actor', 'a.action', 'a.subject_type', 'a.subject_id', 'a.data', 'a.created_at'])
        .orderBy('a.id', 'desc')
        .limit(PAGE + 1);
      if (action) q = q.where('a.action', '=', action);
      if (request.query.before) q = q.where('a.id', '<', request.query.before);
      const [rows, actions] = await Promise.all([q.execute(), db.selectFrom('audit_log').select('action').distinct().orderBy('action').execute()]);
      const more = rows.length > PAGE;
      const shown = rows.slice(0, PAGE);
      return renderFor(app, request, reply, (ctx) => ({
        title: ctx.t('audit.title'),
        lead: ctx.t('audit.lead'),
        breadcrumbs: adminCrumbs(request),
        children: h(AuditView, { ctx, rows: shown, action, actions: actions.map((a) => a.action), more, before: shown.at(-1)?.id }),
      }));
    },
  );
};

const POLICY_LEADS = {
  en: { guidelines: policiesEn.guidelines_lead, terms: policiesEn.terms_lead, privacy: policiesEn.privacy_lead },
  es: { guidelines: policiesEs.guidelines_lead, terms: policiesEs.terms_lead, privacy: policiesEs.privacy_lead },
};
