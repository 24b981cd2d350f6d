import type { PageContext } from '../platform/views/context.js';
import { ErrorSummary, Form, Select, Submit, TextField, type FormState } from '../platform/views/forms.js';
import type { ProviderRow } from './oidc.js';

/** "Sign in with …" buttons on the sign-in page. */
export function ProviderButtons({ ctx, providers, next }: { ctx: PageContext; providers: { slug: string; name: string }[]; next: string }) {
  if (providers.length === 0) return null;
  const q = next && next !== '/' ? `?next=${encodeURIComponent(next)}` : '';
  return (
    <section aria-labelledby="sso-heading" class="margin-top-4 border-top-1px border-base-lighter padding-top-2">
      <h2 id="sso-heading" class="font-heading-md">
        {ctx.t('oidc.or_with')}
      </h2>
      <ul class="usa-button-group">
        {providers.map((p) => (
          <li class="usa-button-group__item">
            <a class="usa-button usa-button--outline" href={`/auth/oidc/${p.slug}${q}`}>
              {ctx.t('oidc.sign_in_with', { name: p.name })}
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function ProvidersAdminView({ ctx, providers, baseUrl }: { ctx: PageContext; providers: ProviderRow[]; baseUrl: string }) {
  const { t } = ctx;
  return (
    <>
      <p>{t('oidc.admin_intro')}</p>
      <p>
        <a class="usa-button" href="/admin/identity-providers/new">
          {t('oidc.add')}
        </a>
      </p>
      {providers.length === 0 ? (
        <p>{t('oidc.none')}</p>
      ) : (
        <div class="convene-table-scroll">
          <table class="usa-table usa-table--borderless convene-full">
            <caption class="usa-sr-only">{t('oidc.admin_title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('oidc.name')}</th>
                <th scope="col">{t('oidc.issuer')}</th>
                <th scope="col">{t('oidc.redirect_uri')}</th>
                <th scope="col">{t('oidc.status')}</th>
              </tr>
            </thead>
            <tbody>
              {providers.map((p) => (
                <tr>
                  <th scope="row">
                    <a class="usa-link" href={`/admin/identity-providers/${p.id}`}>
                      {p.name}
                    </a>
                  </th>
                  <td class="convene-break">{p.issuer}</td>
                  <td class="convene-break">
                    <code>{`${baseUrl}/auth/oidc/${p.slug}/callback`}</code>
                  </td>
                  <td>{p.enabled ? t('oidc.enabled') : t('oidc.disabled')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

export function ProviderForm({ ctx, form, action, organizations, editing }: { ctx: PageContext; form: FormState; action: string; organizations: { id: number; name: string }[]; editing: boolean }) {
  const { t } = ctx;
  const labels = {
    name: t('oidc.name'),
    slug: t('groups.field_slug'),
    issuer: t('oidc.issuer'),
    client_id: t('oidc.client_id'),
    client_secret: t('oidc.client_secret'),
    scopes: t('oidc.scopes'),
    allow_signup: t('oidc.allow_signup'),
    enabled: t('oidc.status'),
    organization_id: t('oidc.organization'),
  };
  const yesNo = [
    { value: 'true', label: t('oidc.yes') },
    { value: 'false', label: t('oidc.no') },
  ];
  return (
    <>
      <ErrorSummary ctx={ctx} form={form} labels={labels} />
      <Form ctx={ctx} action={action} label={t('oidc.admin_title')}>
        <TextField ctx={ctx} form={form} name="name" label={labels.name} hint={t('oidc.name_hint')} required maxLength={120} />
        <TextField ctx={ctx} form={form} name="slug" label={labels.slug} hint={t('groups.slug_hint')} required maxLength={60} width="md" />
        <TextField ctx={ctx} form={form} name="issuer" type="url" label={labels.issuer} hint={t('oidc.issuer_hint')} required maxLength={500} />
        <TextField ctx={ctx} form={form} name="client_id" label={labels.client_id} required maxLength={300} autocomplete="off" />
        <TextField ctx={ctx} form={form} name="client_secret" type="password" label={labels.client_secret} hint={editing ? t('oidc.secret_keep') : undefined} required={!editing} maxLength={500} autocomplete="new-password" />
        <TextField ctx={ctx} form={form} name="scopes" label={labels.scopes} hint={t('oidc.scopes_hint')} maxLength={300} />
        <Select ctx={ctx} form={form} name="allow_signup" label={labels.allow_signup} hint={t('oidc.allow_signup_hint')} options={yesNo} />
        <Select ctx={ctx} form={form} name="organization_id" label={labels.organization_id} hint={t('oidc.organization_hint')} options={organizations.map((o) => ({ value: String(o.id), label: o.name }))} emptyLabel={t('forms.choose_optional')} />
        <Select
          ctx={ctx}
          form={form}
          name="enabled"
          label={labels.enabled}
          options={[
            { value: 'true', label: t('oidc.enabled') },
            { value: 'false', label: t('oidc.disabled') },
          ]}
        />
        <Submit label={t('common.save')} />
      </Form>
    </>
  );
}
