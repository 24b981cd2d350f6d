import { BilingualField, bilingualLabels } from '../platform/views/bilingual.js';
import type { PageContext } from '../platform/views/context.js';
import { StackedTable } from '../platform/views/table.js';
import { ButtonForm, ChoiceGroup, ErrorSummary, Form, Select, Submit, TextArea, TextField, type FormState } from '../platform/views/forms.js';
import { LEVELS, ORG_KINDS, SITE_ROLES, STATE_STATUSES, STATES } from '../community/vocab.js';
import { stateOptions } from '../accounts/views.js';

export function AdminHome({ ctx, audit, can }: { ctx: PageContext; can: { identityProviders: boolean; retention: boolean }; audit: { id: number; actor: string | null; action: string; subject_type: string; subject_id: string | null; created_at: Date }[] }) {
  const { t, fmt } = ctx;
  const links = [
    ['/admin/community', t('admin.community')],
    ['/admin/organizations', t('admin.organizations')],
    ['/admin/states', t('admin.states')],
    ['/admin/groups', t('admin.groups')],
    ['/admin/people', t('admin.people')],
    ['/admin/members/import', t('member_import.title')],
    ['/admin/webhooks', t('webhooks.title')],
    ['/admin/contact', t('contact.admin_title')],
    ['/admin/audit', t('audit.title')],
    ...(can.identityProviders ? [['/admin/identity-providers', t('oidc.admin_title')] as const] : []),
    ...(can.retention ? [['/admin/retention', t('retention.title')] as const] : []),
  ] as const;
  return (
    <>
      <ul class="usa-list">
        {links.map(([href, label]) => (
          <li>
            <a class="usa-link" href={href}>
              {label}
            </a>
          </li>
        ))}
      </ul>
      <h2>{t('admin.recent_actions')}</h2>
      {audit.length === 0 ? (
        <p class="usa-hint">{t('admin.no_actions')}</p>
      ) : (
        <StackedTable
          caption={t('admin.recent_actions')}
          rows={audit}
          rowHeader={false}
          columns={[
            { label: t('admin.when'), cell: (a) => fmt.dateTime(a.created_at) },
            { label: t('admin.who'), cell: (a) => a.actor ?? '—' },
            { label: t('admin.action'), cell: (a) => <code>{a.action}</code> },
            { label: t('admin.subject'), cell: (a) => `${a.subject_type} ${a.subject_id ?? ''}`.trimEnd() },
          ]}
        />
      )}
    </>
  );
}

export function CommunityForm({ ctx, form }: { ctx: PageContext; form: FormState }) {
  const { t } = ctx;
  const labels = {
    name: t('admin.community_name'),
    short_name: t('admin.community_short_name'),
    tagline: t('admin.community_tagline'),
    mission: t('admin.community_mission'),
    shared_agenda: t('admin.community_agenda'),
    reach_goal: t('admin.community_goal'),
    website: t('orgs.website'),
    followup_delay_days: t('followups.delay_label'),
  };
  return (
    <>
      <ErrorSummary ctx={ctx} form={form} labels={bilingualLabels(ctx, labels, ['name', 'short_name', 'tagline', 'mission', 'shared_agenda'])} />
      <Form ctx={ctx} action="/admin/community" label={t('admin.community')}>
        <BilingualField ctx={ctx} form={form} name="name" label={labels.name} required maxLength={200} />
        <BilingualField ctx={ctx} form={form} name="short_name" label={labels.short_name} maxLength={60} />
        <BilingualField ctx={ctx} form={form} name="tagline" label={labels.tagline} maxLength={200} />
        <BilingualField ctx={ctx} form={form} name="mission" label={labels.mission} textarea rows={6} />
        <BilingualField ctx={ctx} form={form} name="shared_agenda" label={labels.shared_agenda} textarea rows={8} />
        <TextField ctx={ctx} form={form} name="reach_goal" label={labels.reach_goal} inputMode="numeric" width="md" required />
        <TextField ctx={ctx} form={form} name="website" type="url" label={labels.website} />
        <TextField ctx={ctx} form={form} name="followup_delay_days" label={labels.followup_delay_days} hint={t('followups.delay_hint')} inputMode="numeric" width="sm" />
        <Submit label={t('common.save')} />
      </Form>
    </>
  );
}

export function OrgAdminList({ ctx, orgs }: { ctx: PageContext; orgs: { id: number; slug: string; name: string; kind: string; level: string }[] }) {
  const { t } = ctx;
  return (
    <>
      <p>
        <a class="usa-button" href="/admin/organizations/new">
          {t('admin.new_organization')}
        </a>
      </p>
      <StackedTable
        caption={t('admin.organizations')}
        rows={orgs}
        columns={[
          { label: t('orgs.name'), cell: (o) => <a class="usa-link" href={`/admin/organizations/${o.id}`}>{o.name}</a> },
          { label: t('orgs.kind'), cell: (o) => t(`org_kind.${o.kind}`) },
          { label: t('orgs.level'), cell: (o) => t(`level.${o.level}`) },
        ]}
      />
    </>
  );
}

export function OrgForm({ ctx, form, action, deleteAction, idempotencyKey }: { ctx: PageContext; form: FormState; action: string; deleteAction?: string; idempotencyKey?: string }) {
  const { t } = ctx;
  const labels = {
    name: t('orgs.name'),
    slug: t('groups.field_slug'),
    short_name: t('groups.field_short_name'),
    kind: t('orgs.kind'),
    level: t('orgs.level'),
    website: t('orgs.website'),
    states: t('orgs.states'),
    description: t('orgs.description'),
  };
  return (
    <>
      <ErrorSummary ctx={ctx} form={form} labels={bilingualLabels(ctx, labels, ['description'])} />
      <Form ctx={ctx} action={action} idempotencyKey={idempotencyKey} label={t('admin.organizations')}>
        <TextField ctx={ctx} form={form} name="name" label={labels.name} required maxLength={200} />
        <TextField ctx={ctx} form={form} name="slug" label={labels.slug} hint={t('groups.slug_hint')} required maxLength={80} />
        <TextField ctx={ctx} form={form} name="short_name" label={labels.short_name} maxLength={40} width="md" />
        <Select ctx={ctx} form={form} name="kind" label={labels.kind} options={ORG_KINDS.map((k) => ({ value: k, label: t(`org_kind.${k}`) }))} required />
        <Select ctx={ctx} form={form} name="level" label={labels.level} options={LEVELS.map((k) => ({ value: k, label: t(`level.${k}`) }))} required />
        <TextField ctx={ctx} form={form} name="website" type="url" label={labels.website} hint={t('orgs.website_hint')} />
        <ChoiceGroup ctx={ctx} form={form} name="states" label={labels.states} options={stateOptions()} multiple columns />
        <BilingualField ctx={ctx} form={form} name="description" label={labels.description} textarea rows={6} maxLength={5000} />
        <Submit label={t('common.save')} />
      </Form>
      {deleteAction && (
        <div class="margin-top-4">
          <ButtonForm ctx={ctx} action={deleteAction} label={t('admin.delete_organization')} variant="secondary" />
        </div>
      )}
    </>
  );
}

export function StateAdminList({ ctx, states }: { ctx: PageContext; states: { id: number; state_code: string; name: string; status: string }[] }) {
  const { t } = ctx;
  return (
    <>
      <p>
        <a class="usa-button" href="/admin/states/new">
          {t('admin.new_state')}
        </a>
      </p>
      <StackedTable
        caption={t('admin.states')}
        rows={states}
        columns={[
          { label: t('states.state'), cell: (s) => STATES[s.state_code] ?? s.state_code },
          { label: t('states.initiative'), cell: (s) => <a class="usa-link" href={`/admin/states/${s.id}`}>{s.name}</a> },
          { label: t('states.status'), cell: (s) => t(`state_status.${s.status}`) },
        ]}
      />
    </>
  );
}

export function StateForm({ ctx, form, action, agencies }: { ctx: PageContext; form: FormState; action: string; agencies: { id: number; name: string }[] }) {
  const { t } = ctx;
  const labels = {
    state_code: t('states.state'),
    name: t('states.initiative'),
    status: t('states.status'),
    description: t('orgs.description'),
    education_agency_id: t('states.education_agency'),
    mental_health_agency_id: t('states.mental_health_agency'),
  };
  const agencyOptions = agencies.map((a) => ({ value: String(a.id), label: a.name }));
  return (
    <>
      <ErrorSummary ctx={ctx} form={form} labels={bilingualLabels(ctx, labels, ['description'])} />
      <Form ctx={ctx} action={action} label={t('admin.states')}>
        <Select ctx={ctx} form={form} name="state_code" label={labels.state_code} options={stateOptions()} emptyLabel={t('forms.choose')} required />
        <TextField ctx={ctx} form={form} name="name" label={labels.name} required maxLength={200} />
        <Select ctx={ctx} form={form} name="status" label={labels.status} options={STATE_STATUSES.map((s) => ({ value: s, label: t(`state_status.${s}`) }))} required />
        <Select ctx={ctx} form={form} name="education_agency_id" label={labels.education_agency_id} options={agencyOptions} emptyLabel={t('forms.choose_optional')} />
        <Select ctx={ctx} form={form} name="mental_health_agency_id" label={labels.mental_health_agency_id} options={agencyOptions} emptyLabel={t('forms.choose_optional')} />
        <BilingualField ctx={ctx} form={form} name="description" label={labels.description} textarea rows={6} maxLength={5000} />
        <Submit label={t('common.save')} />
      </Form>
    </>
  );
}

export function GroupAdminList({ ctx, groups }: { ctx: PageContext; groups: { slug: string; name: string; visibility: string; join_policy: string; member_count: number; archived_at: Date | null }[] }) {
  const { t, fmt } = ctx;
  return (
    <>
      <p>
        <a class="usa-button" href="/groups/new">
          {t('groups.new')}
        </a>
      </p>
      <table class="usa-table usa-table--borderless usa-table--stacked convene-full">
        <caption class="usa-sr-only">{t('admin.groups')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('groups.field_name')}</th>
            <th scope="col">{t('groups.field_visibility')}</th>
            <th scope="col">{t('groups.field_join_policy')}</th>
            <th scope="col">{t('groups.members')}</th>
            <th scope="col">{t('common.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {groups.map((g) => (
            <tr>
              <th scope="row" data-label={t('groups.field_name')}>
                <a class="usa-link" href={`/groups/${g.slug}`}>
                  {g.name}
                </a>
                {g.archived_at && <span class="usa-tag margin-left-1">{t('groups.archived')}</span>}
              </th>
              <td data-label={t('groups.field_visibility')}>{t(`visibility_group.${g.visibility}`)}</td>
              <td data-label={t('groups.field_join_policy')}>{t(`join_policy.${g.join_policy}`)}</td>
              <td data-label={t('groups.members')}>{fmt.number(g.member_count)}</td>
              <td data-label={t('common.actions')}>
                <a class="usa-link margin-right-1" href={`/groups/${g.slug}/edit`}>
                  {t('groups.edit')}
                  <span class="usa-sr-only">: {g.name}</span>
                </a>
                <ButtonForm ctx={ctx} action={`/admin/groups/${g.slug}/archive`} hidden={{ archived: g.archived_at ? 'false' : 'true' }} label={g.archived_at ? t('admin.unarchive', { name: g.name }) : t('admin.archive', { name: g.name })} variant="outline" />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export function PeopleAdmin({ ctx, people, q, canSetRole }: { ctx: PageContext; people: { id: number; name: string; email: string; role: string; is_youth: boolean; hidden: boolean; deactivated_at: Date | null; email_verified_at: Date | null }[]; q: string; canSetRole: boolean }) {
  const { t } = ctx;
  return (
    <>
      <p>
        <a class="usa-button usa-button--outline" href="/admin/members/import">
          {t('member_import.title')}
        </a>
      </p>
      <form method="get" action="/admin/people" class="usa-search usa-search--small margin-bottom-3" role="search" aria-label={t('admin.search_people')}>
        <label class="usa-label" for="people-q">
          {t('admin.search_people')}
        </label>
        <div class="display-flex">
          <input class="usa-input" id="people-q" name="q" type="search" value={q} />
          <button class="usa-button" type="submit">
            {t('common.search')}
          </button>
        </div>
      </form>
      <table class="usa-table usa-table--borderless usa-table--stacked convene-full">
        <caption class="usa-sr-only">{t('admin.people')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('accounts.name')}</th>
            <th scope="col">{t('accounts.email')}</th>
            <th scope="col">{t('admin.role')}</th>
            <th scope="col">{t('admin.status')}</th>
            <th scope="col">{t('common.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {people.map((p) => (
            <tr>
              <th scope="row" data-label={t('accounts.name')}>
                <a class="usa-link" href={`/people/${p.id}`}>
                  <bdi>{p.name}</bdi>
                </a>
              </th>
              <td data-label={t('accounts.email')}>{p.email}</td>
              <td data-label={t('admin.role')}>
                {canSetRole ? (
                  <form method="post" action={`/admin/people/${p.id}`} class="convene-inline-form">
                    <input type="hidden" name="_csrf" value={ctx.csrf()} />
                    <label class="usa-sr-only" for={`role-${p.id}`}>
                      {t('admin.role_for', { name: p.name })}
                    </label>
                    <select class="usa-select convene-select-sm" id={`role-${p.id}`} name="role">
                      {SITE_ROLES.map((r) => (
                        <option value={r} selected={r === p.role}>
                          {t(`site_role.${r}`)}
                        </option>
                      ))}
                    </select>
                    <button class="usa-button usa-button--outline" type="submit">
                      {t('common.save')}
                      <span class="usa-sr-only">: {p.name}</span>
                    </button>
                  </form>
                ) : (
                  t(`site_role.${p.role}`)
                )}
              </td>
              <td data-label={t('admin.status')}>
                {[p.is_youth && t('admin.youth'), p.hidden && t('admin.hidden'), p.deactivated_at && t('admin.deactivated'), !p.email_verified_at && t('admin.unverified')].filter(Boolean).join(', ') || t('admin.active')}
              </td>
              <td data-label={t('common.actions')}>
                <ButtonForm ctx={ctx} action={`/admin/people/${p.id}`} hidden={{ hidden: p.hidden ? 'false' : 'true' }} label={p.hidden ? t('admin.unhide', { name: p.name }) : t('admin.hide', { name: p.name })} variant="outline" />
                <ButtonForm
                  ctx={ctx}
                  action={`/admin/people/${p.id}`}
                  hidden={{ deactivated: p.deactivated_at ? 'false' : 'true' }}
                  label={p.deactivated_at ? t('admin.reactivate', { name: p.name }) : t('admin.deactivate', { name: p.name })}
                  variant="secondary"
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
