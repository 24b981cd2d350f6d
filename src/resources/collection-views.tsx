import { BilingualField, Loc, Tx, bilingualLabels, GroupName } from '../platform/views/bilingual.js';
import type { PageContext } from '../platform/views/context.js';
import { ButtonForm, ErrorSummary, Form, Select, Submit, TextArea, TextField, type FormState } from '../platform/views/forms.js';

type Options = { value: string; label: string }[];

/** How a facet's stored value is shown. */

// ---- collections ------------------------------------------------------------------------------------

export function CollectionsView({ ctx, collections, canCreate }: { ctx: PageContext; collections: { slug: string; title: string; description: string; language: string; translations: unknown; group_name: string | null; items: number | null }[]; canCreate: boolean }) {
  const { t } = ctx;
  return (
    <>
      {canCreate && (
        <p>
          <a class="usa-button" href="/collections/new">
            {t('collections.new')}
          </a>
        </p>
      )}
      {collections.length === 0 ? (
        <p>{t('collections.none')}</p>
      ) : (
        <ul class="usa-list usa-list--unstyled">
          {collections.map((c) => (
            <li class="margin-bottom-3">
              <h2 class="margin-bottom-05 font-heading-md">
                <a class="usa-link" href={`/collections/${c.slug}`}>
                  <Tx ctx={ctx} row={c} field="title" />
                </a>
              </h2>
              <p class="margin-y-05">
                <Tx ctx={ctx} row={c} field="description" />
              </p>
              <p class="margin-y-05 font-sans-3xs text-base-dark">
                {t('collections.items', { count: c.items ?? 0 })} · {c.group_name ? <GroupName ctx={ctx} name={c.group_name} /> : t('collections.by_facilitators')}
              </p>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

export function CollectionFormView({ ctx, form, groups, facilitator, idempotencyKey }: { ctx: PageContext; form: FormState; groups: Options; facilitator: boolean; idempotencyKey: string }) {
  const { t } = ctx;
  const labels = { title: t('collections.field.title'), description: t('collections.field.description'), group: t('collections.field.group') };
  return (
    <>
      <ErrorSummary ctx={ctx} form={form} labels={bilingualLabels(ctx, labels, ['title', 'description'])} />
      <Form ctx={ctx} action="/collections" idempotencyKey={idempotencyKey} label={t('collections.new')}>
        <BilingualField ctx={ctx} form={form} name="title" label={labels.title} required maxLength={200} />
        <BilingualField ctx={ctx} form={form} name="description" label={labels.description} textarea rows={4} maxLength={5000} />
        <Select ctx={ctx} form={form} name="group" label={labels.group} options={groups} emptyLabel={facilitator ? t('collections.whole_community') : t('forms.choose')} required={!facilitator} />
        <Submit label={t('collections.create')} />
      </Form>
    </>
  );
}

export function CollectionView({
  ctx,
  collection,
  items,
  manage,
  candidates,
}: {
  ctx: PageContext;
  collection: { slug: string; description: string; group_name: string | null; group_slug: string | null; lang_of?: Record<string, string> };
  items: { id: number; slug: string; title: string; summary: string; kind: string; language: string; translations: unknown }[];
  manage: boolean;
  candidates: Options;
}) {
  const { t } = ctx;
  const action = `/collections/${collection.slug}/items`;
  return (
    <>
      {collection.description && (
        <p class="usa-intro">
          <Loc ctx={ctx} row={collection} field="description" note />
        </p>
      )}
      <p class="usa-hint">
        {collection.group_slug ? (
          <a class="usa-link" href={`/groups/${collection.group_slug}`}>
            <GroupName ctx={ctx} name={collection.group_name ?? ''} />
          </a>
        ) : (
          t('collections.by_facilitators')
        )}
      </p>
      <section aria-labelledby="items">
        <h2 id="items">{t('collections.items', { count: items.length })}</h2>
        {items.length === 0 ? (
          <p>{t('collections.empty')}</p>
        ) : (
          <ol class="usa-list">
            {items.map((r, i) => (
              <li class="margin-bottom-2">
                <a class="usa-link text-bold" href={`/resources/${r.slug}`}>
                  <Tx ctx={ctx} row={r} field="title" />
                </a>{' '}
                <span class="usa-tag">{t(`resources.kind.${r.kind}`)}</span>
                <p class="margin-y-05">
                  <Tx ctx={ctx} row={r} field="summary" />
                </p>
                {manage && (
                  <div class="convene-actions">
                    {i > 0 && <ButtonForm ctx={ctx} action={action} hidden={{ action: 'up', resource: String(r.id) }} label={t('collections.up', { title: r.title })} variant="unstyled" />}
                    {i < items.length - 1 && <ButtonForm ctx={ctx} action={action} hidden={{ action: 'down', resource: String(r.id) }} label={t('collections.down', { title: r.title })} variant="unstyled" />}
                    <ButtonForm ctx={ctx} action={action} hidden={{ action: 'remove', resource: String(r.id) }} label={t('collections.remove', { title: r.title })} variant="unstyled" />
                  </div>
                )}
              </li>
            ))}
          </ol>
        )}
      </section>
      {manage && candidates.length > 0 && (
        <Form ctx={ctx} action={action} label={t('collections.add')} class="usa-form">
          <input type="hidden" name="action" value="add" />
          <Select ctx={ctx} form={{ values: {}, errors: {} }} name="resource" label={t('collections.add_label')} options={candidates} required />
          <Submit label={t('collections.add')} />
        </Form>
      )}
    </>
  );
}

