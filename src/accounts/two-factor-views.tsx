import type { PageContext } from '../platform/views/context.js';
import { ErrorSummary, Form, Submit, TextField, type FormState } from '../platform/views/forms.js';
import type { Enrollment, TwoFactorStatus } from './two-factor.js';

const codeField = (ctx: PageContext, form: FormState, hint?: string) => (
  <TextField ctx={ctx} form={form} name="code" label={ctx.t('two_factor.code')} hint={hint ?? ctx.t('two_factor.code_hint')} autocomplete="one-time-code" inputMode="numeric" width="md" maxLength={20} required />
);

/** The second step of signing in. */
export function TwoFactorLoginView({ ctx, form }: { ctx: PageContext; form: FormState }) {
  const { t } = ctx;
  return (
    <div class="convene-narrow">
      <ErrorSummary ctx={ctx} form={form} labels={{ code: t('two_factor.code') }} />
      <p>{t('two_factor.login_intro')}</p>
      <Form ctx={ctx} action="/login/two-factor" label={t('two_factor.login_title')}>
        {codeField(ctx, form, t('two_factor.login_hint'))}
        <Submit label={t('two_factor.verify')} />
      </Form>
      <p class="margin-top-3">
        <a class="usa-link" href="/login">
          {t('two_factor.start_over')}
        </a>
      </p>
    </div>
  );
}

/** Recovery codes, shown once after they are made. */
export function RecoveryCodes({ ctx, codes }: { ctx: PageContext; codes: string[] }) {
  const { t } = ctx;
  return (
    <section class="usa-alert usa-alert--success" aria-labelledby="recovery-heading" role="status">
      <div class="usa-alert__body">
        <h2 class="usa-alert__heading" id="recovery-heading">
          {t('two_factor.recovery_heading')}
        </h2>
        <p class="usa-alert__text">{t('two_factor.recovery_intro')}</p>
        <ul class="convene-codes" aria-label={t('two_factor.recovery_heading')}>
          {codes.map((c) => (
            <li>
              <code>{c}</code>
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}

/** The settings page: set-up (scan, type a code), or the status with recovery codes and turning it off. */
export function TwoFactorSettingsView(props: {
  ctx: PageContext;
  status: TwoFactorStatus;
  required: boolean;
  enrollment?: Enrollment;
  codes?: string[];
  form: FormState;
  disableForm: FormState;
}) {
  const { ctx, status, required, enrollment, codes, form, disableForm } = props;
  const { t, fmt } = ctx;
  if (!status.enabled && enrollment) {
    return (
      <div class="convene-narrow">
        <ErrorSummary ctx={ctx} form={form} labels={{ code: t('two_factor.code') }} />
        {required && (
          <div class="usa-alert usa-alert--warning usa-alert--slim">
            <div class="usa-alert__body">
              <p class="usa-alert__text">{t('two_factor.required_notice')}</p>
            </div>
          </div>
        )}
        <ol class="usa-process-list">
          <li class="usa-process-list__item">
            <h2 class="usa-process-list__heading">{t('two_factor.step_app')}</h2>
            <p>{t('two_factor.step_app_body')}</p>
          </li>
          <li class="usa-process-list__item">
            <h2 class="usa-process-list__heading">{t('two_factor.step_scan')}</h2>
            <div class="convene-qr" role="img" aria-label={t('two_factor.qr_label')} dangerouslySetInnerHTML={{ __html: enrollment.qrSvg }} />
            <p>{t('two_factor.manual')}</p>
            <p>
              <code class="convene-secret">{enrollment.secret.replace(/(.{4})/g, '$1 ').trim()}</code>
            </p>
          </li>
          <li class="usa-process-list__item">
            <h2 class="usa-process-list__heading">{t('two_factor.step_confirm')}</h2>
            <Form ctx={ctx} action="/settings/two-factor/enable" label={t('two_factor.step_confirm')} class="usa-form">
              {codeField(ctx, form)}
              <Submit label={t('two_factor.turn_on')} />
            </Form>
          </li>
        </ol>
      </div>
    );
  }
  if (!status.enabled) {
    return (
      <div class="convene-narrow">
        <p>{t('two_factor.off_body')}</p>
        <Form ctx={ctx} action="/settings/two-factor/begin" label={t('two_factor.set_up')} class="usa-form">
          <Submit label={t('two_factor.set_up')} />
        </Form>
      </div>
    );
  }
  return (
    <div class="convene-narrow">
      <ErrorSummary ctx={ctx} form={form.errors.code ? form : disableForm} labels={{ code: t('two_factor.code'), disable_code: t('two_factor.code'), password: t('accounts.password') }} />
      {codes && <RecoveryCodes ctx={ctx} codes={codes} />}
      <p>
        <span class="usa-tag bg-green">{t('two_factor.on')}</span> {t('two_factor.on_since', { date: fmt.date(status.enabledAt!) })}
      </p>
      <p>{t('two_factor.recovery_left', { count: status.recoveryLeft })}</p>
      <h2>{t('two_factor.new_codes')}</h2>
      <Form ctx={ctx} action="/settings/two-factor/recovery-codes" label={t('two_factor.new_codes')} class="usa-form">
        {codeField(ctx, form)}
        <Submit label={t('two_factor.make_codes')} />
      </Form>
      <h2>{t('two_factor.turn_off')}</h2>
      {required ? (
        <p>{t('two_factor.required_for_role')}</p>
      ) : (
        <Form ctx={ctx} action="/settings/two-factor/disable" label={t('two_factor.turn_off')} class="usa-form">
          <TextField ctx={ctx} form={disableForm} name="password" type="password" label={t('accounts.password')} autocomplete="current-password" />
          <TextField ctx={ctx} form={disableForm} name="disable_code" label={t('two_factor.code')} hint={t('two_factor.code_hint')} autocomplete="one-time-code" inputMode="numeric" width="md" maxLength={20} required />
          <button type="submit" class="usa-button usa-button--secondary margin-top-3">
            {t('two_factor.turn_off')}
          </button>
        </Form>
      )}
    </div>
  );
}
