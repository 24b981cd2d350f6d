import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { h } from 'preact';
import { authorize } from '../platform/auth/policy.js';
import { AppError, translateFields } from '../platform/http/errors.js';
import { renderFor } from '../platform/http/request-context.js';
import { errorResponses } from '../platform/http/schema-helpers.js';
import { registerUploads, uploadOf } from '../platform/http/uploads.js';
import { IMPORT_MAX_BYTES, IMPORT_MAX_ROWS, planImport, runImport, type ImportPlan, type ImportReport } from './member-import.js';
import { ImportView } from './import-views.js';

const ProblemSchema = Type.Object({ line: Type.Integer({ description: 'Line of the file (the header is line 1; 0 is the file itself)' }), field: Type.String(), message: Type.String() });

/** Members in bulk from a CSV: check (a dry run), then import; the page and the API. */
export const importRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db, jobs } = app.deps;
  await registerUploads(app, { maxBytes: IMPORT_MAX_BYTES, fields: 10, fieldSize: IMPORT_MAX_BYTES + 1024 });

  const page = (request: FastifyRequest, reply: FastifyReply, state: { csv?: string; plan?: ImportPlan; report?: ImportReport; error?: string }, status = 200) =>
    renderFor(
      app,
      request,
      reply,
      (ctx) => ({
        title: ctx.t('member_import.title'),
        lead: ctx.t('member_import.lead'),
        hasErrors: status >= 400,
        breadcrumbs: [
          { label: ctx.t('nav.admin'), href: '/admin' },
          { label: ctx.t('admin.people'), href: '/admin/people' },
        ],
        children: h(ImportView, { ctx, ...state, maxRows: IMPORT_MAX_ROWS }),
      }),
      status,
    );

  app.get('/admin/members/import', async (request, reply) => {
    authorize(request.actor, 'members.import', undefined);
    return page(request, reply, {});
  });
  app.post('/admin/members/import', async (request, reply) => {
    authorize(request.actor, 'members.import', undefined);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const file = uploadOf(request, 'file');
    const csv = file ? file.data.toString('utf8') : typeof body.csv === 'string' ? body.csv : '';
    if (!csv.trim()) return page(request, reply, { error: request.t('member_import.nothing') }, 400);
    if (body.action === 'import') {
      try {
        const report = await runImport(db, jobs, request.actor, csv);
        return page(request, reply, { report });
      } catch (err) {
        if (!(err instanceof AppError) || err.code !== 'validation_failed') throw err;
        // The community changed since the check (a group archived, say): show the problems again.
      }
    }
    const plan = await planImport(db, csv);
    return page(request, reply, { csv, plan }, plan.problems.length ? 400 : 200);
  });

  app.post(
    '/api/v1/members/import',
    {
      schema: {
        tags: ['community'],
        summary: 'Import members from CSV text (facilitators): dry_run lists every problem; otherwise the accounts and invitations are made, once',
        security: [{ bearer: [] }],
        body: Type.Object({ csv: Type.String({ minLength: 1, maxLength: IMPORT_MAX_BYTES }), dry_run: Type.Optional(Type.Boolean()) }),
        response: {
          200: Type.Object({
            dry_run: Type.Boolean(),
            problems: Type.Array(ProblemSchema),
            new_accounts: Type.Integer(),
            existing_accounts: Type.Integer(),
            created: Type.Integer(),
            groups_added: Type.Integer(),
          }),
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      authorize(request.actor, 'members.import', undefined);
      const plan = await planImport(db, request.body.csv);
      const problems = plan.problems.map((p) => ({ line: p.line, field: p.field, message: translateFields({ x: p.message }, request.t).x! }));
      const counts = { new_accounts: plan.rows.filter((r) => r.existingId === null).length, existing_accounts: plan.rows.filter((r) => r.existingId !== null).length };
      if (request.body.dry_run) return { dry_run: true, problems, ...counts, created: 0, groups_added: 0 };
      // A real run of a file with problems creates nothing; each problem is a field message named by its line.
      if (problems.length) throw new AppError('validation_failed', { fields: Object.fromEntries(problems.map((p) => [`line ${p.line}: ${p.field}`, p.message])) });
      const report = await runImport(db, jobs, request.actor, request.body.csv);
      return { dry_run: false, problems: [], ...counts, created: report.created, groups_added: report.groupsAdded };
    },
  );
};
