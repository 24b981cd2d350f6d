import type { PageContext } from '../platform/views/context.js';
import { ButtonForm, ChoiceGroup, ErrorSummary, Form, Submit, TextField, type FormState } from '../platform/views/forms.js';
import { StackedTable } from '../platform/views/table.js';
import { WEBHOOK_EVENTS } from './deliver.js';

export function EndpointsView({ ctx, endpoints }: { ctx: PageContext; endpoints: { id: number; url: string; description: string; events: string[]; disabled_at: Date | null; failure_count: number; owner: string }[] }) {
  const { t } = ctx;
  return (
    <>
      <p>
        <a class="usa-button" href="/admin/webhooks/new">
          {t('webhooks.new_title')}
        </a>
      </p>
      {endpoints.length === 0 ? (
        <p>{t('webhooks.none')}</p>
      ) : (
        <ul class="usa-list usa-list--unstyled">
          {endpoints.map((e) => (
            <li class="margin-bottom-2">
              <a class="usa-link" href={`/admin/webhooks/${e.id}`}>
                {e.url}
              </a>
              <span class="usa-hint display-block">
                {e.description ? `${e.description} · ` : ''}
                {e.events.join(', ')} · {t('webhooks.owner', { name: e.owner })} · {e.disabled_at ? t('webhooks.state_disabled') : t('webhooks.state_on')}
              </span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

export function EndpointForm({ ctx, form, canAllowPrivate, idempotencyKey }: { ctx: PageContext; form: FormState; canAllowPrivate: boolean; idempotencyKey: string }) {
  const { t } = ctx;
  const labels = { url: t('webhooks.url'), description: t('webhooks.description'), events: t('webhooks.events'), include_private: t('webhooks.include_private') };
  return (
    <>
      <ErrorSummary ctx={ctx} form={form} labels={labels} />
      <Form ctx={ctx} action="/admin/webhooks" idempotencyKey={idempotencyKey} label={t('webhooks.new_title')}>
        <TextField ctx={ctx} form={form} name="url" label={labels.url} hint={t('webhooks.url_hint')} type="url" maxLength={2000} required />
        <TextField ctx={ctx} form={form} name="description" label={labels.description} maxLength={200} />
        <ChoiceGroup ctx={ctx} form={form} name="events" multiple label={labels.events} hint={t('webhooks.events_hint')} options={WEBHOOK_EVENTS.map((e) => ({ value: e, label: `${t(`webhooks.event.${e.replace('.', '_')}`)} (${e})` }))} required />
        {canAllowPrivate && (
          <fieldset class="usa-fieldset">
            <legend class="usa-legend">{t('webhooks.admin_options')}</legend>
            <div class="usa-checkbox">
              <input class="usa-checkbox__input" id="field-include_private" type="checkbox" name="include_private" value="true" checked={form.values.include_private === true} />
              <label class="usa-checkbox__label" for="field-include_private">
                {t('webhooks.include_private')}
              </label>
            </div>
            <div class="usa-checkbox">
              <input class="usa-checkbox__input" id="field-allow_private_network" type="checkbox" name="allow_private_network" value="true" checked={form.values.allow_private_network === true} />
              <label class="usa-checkbox__label" for="field-allow_private_network">
                {t('webhooks.allow_private_network')}
              </label>
            </div>
          </fieldset>
        )}
        <Submit label={t('webhooks.create')} />
      </Form>
    </>
  );
}

export function EndpointView({
  ctx,
  endpoint,
  deliveries,
  secret,
}: {
  ctx: PageContext;
  endpoint: { id: number; url: string; description: string; events: string[]; include_private: boolean; allow_private_network: boolean; failure_count: number; disabled_at: Date | null };
  deliveries: { id: number; event: string; message_id: string; status: string; attempts: number; response_code: number | null; last_error: string | null; created_at: Date; last_attempt_at: Date | null }[];
  secret?: string;
}) {
  const { t } = ctx;
  return (
    <>
      {secret && (
        <div class="usa-alert usa-alert--success" role="status">
          <div class="usa-alert__body">
            <h2 class="usa-alert__heading">{t('webhooks.secret_heading')}</h2>
            <p class="usa-alert__text">{t('webhooks.secret_once')}</p>
            <p class="usa-alert__text">
              <code class="convene-code">{secret}</code>
            </p>
          </div>
        </div>
      )}
      {endpoint.disabled_at && (
        <div class="usa-alert usa-alert--warning">
          <div class="usa-alert__body">
            <p class="usa-alert__text">{t('webhooks.disabled_note', { date: ctx.fmt.dateTime(endpoint.disabled_at) })}</p>
            <ButtonForm ctx={ctx} action={`/admin/webhooks/${endpoint.id}/enable`} label={t('webhooks.enable')} />
          </div>
        </div>
      )}
      <dl class="convene-facts">
        <dt>{t('webhooks.events')}</dt>
        <dd>{endpoint.events.join(', ')}</dd>
        {endpoint.description && (
          <>
            <dt>{t('webhooks.description')}</dt>
            <dd>{endpoint.description}</dd>
          </>
        )}
        <dt>{t('webhooks.private_content')}</dt>
        <dd>{endpoint.include_private ? t('webhooks.yes') : t('webhooks.no')}</dd>
        <dt>{t('webhooks.signing')}</dt>
        <dd>{t('webhooks.signing_text')}</dd>
      </dl>
      <h2>{t('webhooks.deliveries')}</h2>
      {deliveries.length === 0 ? (
        <p>{t('webhooks.no_deliveries')}</p>
      ) : (
        <StackedTable
          caption={t('webhooks.deliveries')}
          rows={deliveries}
          columns={[
            { label: t('webhooks.when'), cell: (d) => ctx.fmt.dateTime(d.last_attempt_at ?? d.created_at) },
            { label: t('webhooks.event_col'), cell: (d) => d.event },
            { label: t('webhooks.status'), cell: (d) => t(`webhooks.status_${d.status}`) },
            { label: t('webhooks.response'), cell: (d) => d.response_code ?? d.last_error ?? '—' },
            { label: t('webhooks.attempts'), cell: (d) => ctx.fmt.number(d.attempts) },
          ]}
        />
      )}
      <ButtonForm ctx={ctx} action={`/admin/webhooks/${endpoint.id}/delete`} label={t('webhooks.delete')} variant="secondary" />
    </>
  );
}
