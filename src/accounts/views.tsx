import { ProviderButtons } from './oidc-views.js';
import { describeAgent, type SessionInfo } from '../platform/auth/sessions.js';
import type { PageContext } from '../platform/views/context.js';
import { ButtonForm, ChoiceGroup, ErrorSummary, Form, Select, Submit, TextArea, TextField, type FormState } from '../platform/views/forms.js';
import { FIELD_VISIBILITIES, PERSPECTIVES, PROFILE_FIELDS, STATES } from '../community/vocab.js';

export const perspectiveOptions = (ctx: PageContext) => PERSPECTIVES.map((p) => ({ value: p, label: ctx.t(`perspective.${p}`) }));
export const stateOptions = () => Object.entries(STATES).map(([code, name]) => ({ value: code, label: name }));

export function SignupView({ ctx, form }: { ctx: PageContext; form: FormState }) {
  const { t } = ctx;
  const labels = {
    name: t('accounts.name'),
    email: t('accounts.email'),
    password: t('accounts.password'),
    birth_year: t('accounts.birth_year'),
    perspectives: t('accounts.perspectives'),
    state_code: t('accounts.state'),
  };
  return (
    <div class="convene-narrow">
      <ErrorSummary ctx={ctx} form={form} labels={labels} />
      <p>
        {t('accounts.have_account')}{' '}
        <a class="usa-link" href="/login">
          {t('nav.sign_in')}
        </a>
      </p>
      <Form ctx={ctx} action="/signup" label={t('accounts.signup_title')}>
        <TextField ctx={ctx} form={form} name="name" label={labels.name} autocomplete="name" required maxLength={120} />
        <TextField ctx={ctx} form={form} name="email" type="email" label={labels.email} autocomplete="email" required />
        <TextField ctx={ctx} form={form} name="password" type="password" label={labels.password} hint={t('accounts.password_hint')} autocomplete="new-password" required />
        <TextField ctx={ctx} form={form} name="birth_year" label={labels.birth_year} hint={t('accounts.birth_year_hint')} inputMode="numeric" width="sm" required maxLength={4} />
        <ChoiceGroup ctx={ctx} form={form} name="perspectives" label={labels.perspectives} hint={t('accounts.perspectives_hint')} options={perspectiveOptions(ctx)} multiple columns />
        <Select ctx={ctx} form={form} name="state_code" label={labels.state_code} options={stateOptions()} emptyLabel={t('forms.choose_optional')} />
        <Submit label={t('accounts.signup_submit')} />
      </Form>
    </div>
  );
}

export function UnderAgeView({ ctx }: { ctx: PageContext }) {
  return (
    <div class="convene-narrow">
      <p>{ctx.t('accounts.under_age_body')}</p>
      <p>
        <a class="usa-link" href="/">
          {ctx.t('common.back_home')}
        </a>
      </p>
    </div>
  );
}

export function LoginView({ ctx, form, next, providers }: { ctx: PageContext; form: FormState; next: string; providers: { slug: string; name: string }[] }) {
  const { t } = ctx;
  const labels = { email: t('accounts.email'), password: t('accounts.password') };
  return (
    <div class="convene-narrow">
      <ErrorSummary ctx={ctx} form={form} labels={labels} />
      <Form ctx={ctx} action="/login" label={t('accounts.login_title')}>
        <input type="hidden" name="next" value={next} />
        <TextField ctx={ctx} form={form} name="email" type="email" label={labels.email} autocomplete="username" required />
        <TextField ctx={ctx} form={form} name="password" type="password" label={labels.password} autocomplete="current-password" required />
        <Submit label={t('accounts.login_submit')} />
      </Form>
      <ProviderButtons ctx={ctx} providers={providers} next={next} />
      <p class="margin-top-3">
        <a class="usa-link" href="/password/forgot">
          {t('accounts.forgot_link')}
        </a>
      </p>
      <p>
        {t('accounts.no_account')}{' '}
        <a class="usa-link" href="/signup">
          {t('nav.sign_up')}
        </a>
      </p>
    </div>
  );
}

export function ForgotView({ ctx, form, sent }: { ctx: PageContext; form: FormState; sent: boolean }) {
  const { t } = ctx;
  if (sent) {
    return (
      <div class="convene-narrow">
        <div class="usa-alert usa-alert--info" role="status">
          <div class="usa-alert__body">
            <p class="usa-alert__text">{t('accounts.forgot_sent')}</p>
          </div>
        </div>
      </div>
    );
  }
  return (
    <div class="convene-narrow">
      <ErrorSummary ctx={ctx} form={form} labels={{ email: t('accounts.email') }} />
      <p>{t('accounts.forgot_intro')}</p>
      <Form ctx={ctx} action="/password/forgot" label={t('accounts.forgot_title')}>
        <TextField ctx={ctx} form={form} name="email" type="email" label={t('accounts.email')} autocomplete="email" required />
        <Submit label={t('accounts.forgot_submit')} />
      </Form>
    </div>
  );
}

export function ResetView({ ctx, form, token }: { ctx: PageContext; form: FormState; token: string }) {
  const { t } = ctx;
  return (
    <div class="convene-narrow">
      <ErrorSummary ctx={ctx} form={form} labels={{ password: t('accounts.new_password'), token: t('accounts.reset_link') }} />
      <Form ctx={ctx} action="/password/reset" label={t('accounts.reset_title')}>
        <input type="hidden" name="token" value={token} />
        <TextField ctx={ctx} form={form} name="password" type="password" label={t('accounts.new_password')} hint={t('accounts.password_hint')} autocomplete="new-password" required />
        <Submit label={t('accounts.reset_submit')} />
      </Form>
    </div>
  );
}

export interface SettingsData {
  email: string;
  emailVerified: boolean;
  isYouth: boolean;
  organizations: { id: number; name: string }[];
  tokens: { id: number; name: string; prefix: string; created_at: Date; last_used_at: Date | null }[];
  newToken?: string;
}

export function SettingsView({
  ctx,
  data,
  profile,
  password,
  email,
  tokenForm,
}: {
  ctx: PageContext;
  data: SettingsData;
  profile: FormState;
  password: FormState;
  email: FormState;
  tokenForm: FormState;
}) {
  const { t, fmt } = ctx;
  const visOptions = FIELD_VISIBILITIES.filter((v) => !(data.isYouth && v === 'public')).map((v) => ({ value: v, label: t(`visibility.${v}`) }));
  const profileLabels: Record<string, string> = {
    name: t('accounts.name'),
    handle: t('accounts.handle'),
    pronouns: t('accounts.pronouns'),
    bio: t('accounts.bio'),
    state_code: t('accounts.state'),
    perspectives: t('accounts.perspectives'),
    expertise: t('accounts.expertise'),
    organizations: t('accounts.organizations'),
    locale: t('accounts.language'),
  };
  return (
    <div>
      <nav aria-label={t('settings.sections')} class="margin-bottom-4">
        <ul class="usa-list usa-list--unstyled convene-inline-list">
          <li>
            <a class="usa-link" href="#profile">
              {t('settings.profile')}
            </a>
          </li>
          <li>
            <a class="usa-link" href="/settings/photo">
              {t('photos.link')}
            </a>
          </li>
          <li>
            <a class="usa-link" href="#password">
              {t('settings.password')}
            </a>
          </li>
          <li>
            <a class="usa-link" href="#email">
              {t('settings.email')}
            </a>
          </li>
          <li>
            <a class="usa-link" href="#tokens">
              {t('settings.tokens')}
            </a>
          </li>
          <li>
            <a class="usa-link" href="/settings/two-factor">
              {t('two_factor.settings_link')}
            </a>
          </li>
          <li>
            <a class="usa-link" href="/settings/sessions">
              {t('sessions.title')}
            </a>
          </li>
          <li>
            <a class="usa-link" href="/settings/data">
              {t('your_data.settings_link')}
            </a>
          </li>
          <li>
            <a class="usa-link" href="/settings/calendar">
              {t('events.settings.title')}
            </a>
          </li>
          <li>
            <a class="usa-link" href="/settings/notifications">
              {t('notifications.settings_title')}
            </a>
          </li>
          <li>
            <a class="usa-link" href="/settings/by-email">
              {t('mail_in.settings.title')}
            </a>
          </li>
          <li>
            <a class="usa-link" href="/held">
              {t('mail_in.held_page.list_title')}
            </a>
          </li>
        </ul>
      </nav>

      {!data.emailVerified && (
        <div class="usa-alert usa-alert--warning margin-bottom-3">
          <div class="usa-alert__body">
            <h2 class="usa-alert__heading">{t('accounts.unverified_title')}</h2>
            <p class="usa-alert__text">{t('accounts.unverified_body', { email: data.email })}</p>
            <ButtonForm ctx={ctx} action="/verify/resend" label={t('accounts.resend_verification')} variant="outline" />
          </div>
        </div>
      )}

      <section aria-labelledby="profile">
        <h2 id="profile">{t('settings.profile')}</h2>
        {data.isYouth && <p class="usa-hint">{t('settings.youth_note')}</p>}
        <ErrorSummary ctx={ctx} form={profile} labels={profileLabels} />
        <Form ctx={ctx} action="/settings/profile" label={t('settings.profile')}>
          <TextField ctx={ctx} form={profile} name="name" label={profileLabels.name!} autocomplete="name" required maxLength={120} />
          <TextField ctx={ctx} form={profile} name="handle" label={profileLabels.handle!} hint={t('accounts.handle_hint')} maxLength={30} width="md" autocomplete="username" />
          <TextField ctx={ctx} form={profile} name="pronouns" label={profileLabels.pronouns!} maxLength={40} width="md" />
          <TextArea ctx={ctx} form={profile} name="bio" label={profileLabels.bio!} maxLength={2000} />
          <Select ctx={ctx} form={profile} name="state_code" label={profileLabels.state_code!} options={stateOptions()} emptyLabel={t('forms.choose_optional')} />
          <ChoiceGroup ctx={ctx} form={profile} name="perspectives" label={profileLabels.perspectives!} options={perspectiveOptions(ctx)} multiple columns />
          <TextField ctx={ctx} form={profile} name="expertise" label={profileLabels.expertise!} hint={t('accounts.expertise_hint')} maxLength={500} />
          <ChoiceGroup
            ctx={ctx}
            form={profile}
            name="organizations"
            label={profileLabels.organizations!}
            options={data.organizations.map((o) => ({ value: String(o.id), label: o.name }))}
            multiple
            columns
          />
          <Select
            ctx={ctx}
            form={profile}
            name="locale"
            label={profileLabels.locale!}
            options={[
              { value: 'en', label: 'English' },
              { value: 'es', label: 'Español' },
            ]}
          />
          <fieldset class="usa-fieldset margin-top-3">
            <legend class="usa-legend usa-legend--large">{t('settings.visibility')}</legend>
            <p class="usa-hint">{t('settings.visibility_hint')}</p>
            {PROFILE_FIELDS.map((f) => (
              <Select ctx={ctx} form={profile} name={`visibility_${f}`} label={t(`profile_field.${f}`)} options={visOptions} />
            ))}
          </fieldset>
          <Submit label={t('settings.save_profile')} />
        </Form>
      </section>

      <section aria-labelledby="password" class="margin-top-6">
        <h2 id="password">{t('settings.password')}</h2>
        <ErrorSummary ctx={ctx} form={password} labels={{ current_password: t('accounts.current_password'), new_password: t('accounts.new_password') }} />
        <Form ctx={ctx} action="/settings/password" label={t('settings.password')}>
          <TextField ctx={ctx} form={password} name="current_password" type="password" label={t('accounts.current_password')} autocomplete="current-password" required />
          <TextField ctx={ctx} form={password} name="new_password" type="password" label={t('accounts.new_password')} hint={t('accounts.password_hint')} autocomplete="new-password" required />
          <Submit label={t('settings.change_password')} />
        </Form>
      </section>

      <section aria-labelledby="email" class="margin-top-6">
        <h2 id="email">{t('settings.email')}</h2>
        <p>{t('settings.email_current', { email: data.email })}</p>
        <ErrorSummary ctx={ctx} form={email} labels={{ new_email: t('accounts.new_email'), password: t('accounts.password') }} />
        <Form ctx={ctx} action="/settings/email" label={t('settings.email')}>
          <TextField ctx={ctx} form={email} name="new_email" type="email" label={t('accounts.new_email')} autocomplete="email" required />
          <TextField ctx={ctx} form={email} name="password" type="password" label={t('accounts.password')} autocomplete="current-password" required />
          <Submit label={t('settings.change_email')} />
        </Form>
      </section>

      <section aria-labelledby="tokens" class="margin-top-6">
        <h2 id="tokens">{t('settings.tokens')}</h2>
        <p>{t('settings.tokens_intro')}</p>
        {data.newToken && (
          <div class="usa-alert usa-alert--success" role="status">
            <div class="usa-alert__body">
              <h3 class="usa-alert__heading">{t('settings.token_created')}</h3>
              <p class="usa-alert__text">{t('settings.token_copy')}</p>
              <p>
                <code class="convene-token">{data.newToken}</code>
              </p>
            </div>
          </div>
        )}
        {data.tokens.length > 0 ? (
          <table class="usa-table usa-table--borderless usa-table--stacked">
            <caption class="usa-sr-only">{t('settings.tokens')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('settings.token_name')}</th>
                <th scope="col">{t('settings.token_prefix')}</th>
                <th scope="col">{t('settings.token_created_at')}</th>
                <th scope="col">{t('settings.token_last_used')}</th>
                <th scope="col">
                  <span class="usa-sr-only">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.tokens.map((tk) => (
                <tr>
                  <th scope="row" data-label={t('settings.token_name')}>
                    {tk.name || t('settings.token_unnamed')}
                  </th>
                  <td data-label={t('settings.token_prefix')}>
                    <code>{tk.prefix}…</code>
                  </td>
                  <td data-label={t('settings.token_created_at')}>{fmt.date(tk.created_at)}</td>
                  <td data-label={t('settings.token_last_used')}>{tk.last_used_at ? fmt.dateTime(tk.last_used_at) : t('settings.never')}</td>
                  <td>
                    <ButtonForm ctx={ctx} action={`/settings/tokens/${tk.id}/revoke`} label={t('settings.revoke')} variant="secondary" />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p class="usa-hint">{t('settings.no_tokens')}</p>
        )}
        <ErrorSummary ctx={ctx} form={tokenForm} labels={{ name: t('settings.token_name') }} />
        <Form ctx={ctx} action="/settings/tokens" label={t('settings.new_token')} class="usa-form">
          <TextField ctx={ctx} form={tokenForm} name="name" label={t('settings.token_name')} hint={t('settings.token_name_hint')} required maxLength={100} />
          <Submit label={t('settings.new_token')} />
        </Form>
      </section>
    </div>
  );
}

/** Where the person is signed in, with a way to end any session but this one, or all the others. */
export function SessionsView({ ctx, sessions }: { ctx: PageContext; sessions: SessionInfo[] }) {
  const { t, fmt } = ctx;
  const others = sessions.filter((x) => !x.current);
  return (
    <>
      <div class="convene-table-scroll">
        <table class="usa-table usa-table--borderless convene-full">
          <caption class="usa-sr-only">{t('sessions.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('sessions.device')}</th>
              <th scope="col">{t('sessions.signed_in')}</th>
              <th scope="col">{t('sessions.last_active')}</th>
              <th scope="col">{t('common.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((x) => {
              const a = describeAgent(x.user_agent);
              const device = a.browser && a.os ? t('sessions.browser_on', { browser: a.browser, os: a.os }) : a.browser || a.os || t('sessions.unknown_device');
              return (
                <tr>
                  <th scope="row">
                    {device} {x.current && <span class="usa-tag">{t('sessions.this_device')}</span>}
                  </th>
                  <td>{fmt.dateTime(x.created_at)}</td>
                  <td>{fmt.dateTime(x.last_seen_at)}</td>
                  <td>{x.current ? '—' : <ButtonForm ctx={ctx} action={`/settings/sessions/${x.ref}/revoke`} label={t('sessions.revoke', { device })} variant="outline" />}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {others.length > 0 && <ButtonForm ctx={ctx} action="/settings/sessions/revoke-others" label={t('sessions.revoke_others')} variant="secondary" />}
    </>
  );
}
