import type { PageContext } from '../platform/views/context.js';
import { translateFields } from '../platform/http/errors.js';
import { Form } from '../platform/views/forms.js';
import { StackedTable } from '../platform/views/table.js';
import type { ImportPlan, ImportReport } from './member-import.js';

/** The import page: the form, then either the problems row by row, the rows ready to import, or what the import did. */
export function ImportView({ ctx, csv, plan, report, error, maxRows }: { ctx: PageContext; csv?: string; plan?: ImportPlan; report?: ImportReport; error?: string; maxRows: number }) {
  const { t } = ctx;
  const ready = plan && plan.problems.length === 0 && plan.rows.length > 0;
  return (
    <>
      {error && (
        <div class="usa-alert usa-alert--error" role="alert">
          <div class="usa-alert__body">
            <p class="usa-alert__text">{error}</p>
          </div>
        </div>
      )}
      {plan && plan.problems.length > 0 && (
        <section aria-labelledby="import-problems" role="alert">
          <h2 id="import-problems">{t('member_import.problems_heading', { count: plan.problems.length })}</h2>
          <p>{t('member_import.problems_lead')}</p>
          <StackedTable
            caption={t('member_import.problems_heading', { count: plan.problems.length })}
            rows={plan.problems.slice(0, 500)}
            columns={[
              { label: t('member_import.line'), cell: (p) => (p.line === 0 ? t('member_import.file_level') : ctx.fmt.number(p.line)) },
              { label: t('member_import.column'), cell: (p) => p.field },
              { label: t('member_import.problem'), cell: (p) => translateFields({ m: p.message }, t).m },
            ]}
          />
        </section>
      )}
      {ready && (
        <section aria-labelledby="import-ready">
          <h2 id="import-ready">{t('member_import.ready_heading')}</h2>
          <p role="status">{t('member_import.ready', { new: plan.rows.filter((r) => r.existingId === null).length, existing: plan.rows.filter((r) => r.existingId !== null).length })}</p>
          <StackedTable
            caption={t('member_import.ready_heading')}
            rows={plan.rows.slice(0, 500)}
            columns={[
              { label: t('member_import.line'), cell: (r) => ctx.fmt.number(r.line) },
              { label: t('member_import.email'), cell: (r) => r.email },
              { label: t('member_import.status'), cell: (r) => t(r.existingId === null ? 'member_import.status_new' : 'member_import.status_existing') },
            ]}
          />
          <Form ctx={ctx} action="/admin/members/import" enctype="multipart/form-data" label={t('member_import.import')}>
            <input type="hidden" name="csv" value={csv} />
            <input type="hidden" name="action" value="import" />
            <button type="submit" class="usa-button">
              {t('member_import.import')}
            </button>
          </Form>
        </section>
      )}
      {report && (
        <section aria-labelledby="import-done">
          <h2 id="import-done">{t('member_import.done_heading')}</h2>
          <p role="status">{t('member_import.done', { created: report.created, existing: report.existing, groups: report.groupsAdded })}</p>
          <StackedTable
            caption={t('member_import.done_heading')}
            rows={report.rows.slice(0, 500)}
            columns={[
              { label: t('member_import.line'), cell: (r) => ctx.fmt.number(r.line) },
              { label: t('member_import.email'), cell: (r) => r.email },
              { label: t('member_import.outcome'), cell: (r) => t(`member_import.outcome_${r.outcome}`) },
            ]}
          />
        </section>
      )}
      <section aria-labelledby="import-how">
        <h2 id="import-how">{t('member_import.check')}</h2>
        <p>{t('member_import.columns')}</p>
        <p>{t('member_import.youth_note')}</p>
        <p>{t('member_import.invite_note')}</p>
        <pre class="convene-code">name,email,perspectives,state,organization,groups{'\n'}Ana Ruiz,ana@example.org,family;educator,MD,csmh,families-in-partnership</pre>
        <Form ctx={ctx} action="/admin/members/import" enctype="multipart/form-data" label={t('member_import.check')}>
          <div class="usa-form-group">
            <label class="usa-label" for="import-file">
              {t('member_import.file')}
            </label>
            <div class="usa-hint" id="import-file-hint">
              {t('member_import.file_hint', { max: ctx.fmt.number(maxRows) })}
            </div>
            <input class="usa-input convene-file" id="import-file" name="file" type="file" accept=".csv,text/csv" aria-describedby="import-file-hint" />
          </div>
          <div class="usa-form-group">
            <label class="usa-label" for="import-csv">
              {t('member_import.paste')}
            </label>
            <textarea class="usa-textarea" id="import-csv" name="csv" rows={6}>
              {plan && !ready ? csv : ''}
            </textarea>
          </div>
          <input type="hidden" name="action" value="check" />
          <button type="submit" class="usa-button margin-top-3">
            {t('member_import.check')}
          </button>
        </Form>
      </section>
    </>
  );
}
