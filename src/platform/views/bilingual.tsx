import type { ComponentChildren } from 'preact';
import type { PageContext } from './context.js';
import { Select, TextArea, TextField, type FormState } from './forms.js';
import { formName, localized, type BilingualRow, type Lang } from '../i18n/content.js';

/**
 * Text shown in a language other than the page's carries its `lang` (screen
 * readers switch voice; WCAG 3.1.2). Renders the children alone otherwise.
 */
export function InLang({ ctx, lang, children, block }: { ctx: PageContext; lang: string | undefined; children: ComponentChildren; block?: boolean }) {
  if (!lang || lang === ctx.locale) return <>{children}</>;
  return block ? <div lang={lang}>{children}</div> : <span lang={lang}>{children}</span>;
}

/** "Only in English" / "Solo en inglés", beside text the reader's language lacks. */
export function OnlyIn({ ctx, lang }: { ctx: PageContext; lang: string | undefined }) {
  if (!lang || lang === ctx.locale) return null;
  return <span class="convene-only-in">{ctx.t(`translate.only_in_${lang}`)}</span>;
}

/** A localized field of a row from `localizeRow`: the text, with its `lang` and, when asked, the note. */
export function Loc({ ctx, row, field, note }: { ctx: PageContext; row: object & { lang_of?: Record<string, string> }; field: string; note?: boolean }) {
  const lang = row.lang_of?.[field];
  const text = String((row as Record<string, unknown>)[field] ?? '');
  return (
    <>
      <InLang ctx={ctx} lang={lang}>
        {text}
      </InLang>
      {note && text && lang && lang !== ctx.locale && (
        <>
          {' '}
          <OnlyIn ctx={ctx} lang={lang} />
        </>
      )}
    </>
  );
}

/**
 * One field written in both languages, side by side (stacked on a phone):
 * `name` in English and `name_es` in Spanish, each with its `lang`.
 */
export function BilingualField(props: {
  ctx: PageContext;
  form: FormState;
  name: string;
  label: string;
  hint?: string;
  /** Required in the row's language (the hint says so; the server checks). */
  required?: boolean;
  textarea?: boolean;
  rows?: number;
  maxLength?: number;
  markdown?: boolean;
}) {
  const { ctx, form, name, label } = props;
  const hintId = `${name}-bilingual-hint`;
  return (
    <fieldset class="usa-fieldset convene-bilingual margin-top-3" aria-describedby={hintId}>
      <legend class="usa-legend">{label}</legend>
      <p class="usa-hint margin-y-05" id={hintId}>
        {props.hint ? `${props.hint} ` : ''}
        {props.required ? ctx.t('translate.form.required_hint') : ctx.t('translate.form.optional_hint')}
      </p>
      <div class="grid-row grid-gap">
        {(['en', 'es'] as const).map((lang) => {
          const fieldLabel = ctx.t('translate.form.in', { label, language: ctx.t(`translate.language.${lang}`) });
          return (
            <div class="tablet:grid-col-6">
              {props.textarea ? (
                <TextArea ctx={ctx} form={form} name={formName(name, lang)} label={fieldLabel} rows={props.rows} maxLength={props.maxLength} markdown={props.markdown} lang={lang} />
              ) : (
                <TextField ctx={ctx} form={form} name={formName(name, lang)} label={fieldLabel} maxLength={props.maxLength} lang={lang} />
              )}
            </div>
          );
        })}
      </div>
    </fieldset>
  );
}

/** An error summary's labels for side-by-side fields: "Name in English", "Name in Spanish". */
export function bilingualLabels(ctx: PageContext, labels: Record<string, string>, fields: readonly string[]): Record<string, string> {
  const out = { ...labels };
  for (const f of fields) {
    const label = labels[f] ?? f;
    out[formName(f, 'en')] = ctx.t('translate.form.in', { label, language: ctx.t('translate.language.en') });
    out[formName(f, 'es')] = ctx.t('translate.form.in', { label, language: ctx.t('translate.language.es') });
  }
  return out;
}

/**
 * A field of a stored row (with `language` and `translations`) in the
 * reader's language, localized as it renders: for lists whose rows come from
 * shared caches. `base` is the row's language when it carries none.
 */
export function Tx({ ctx, row, field, note, base }: { ctx: PageContext; row: BilingualRow; field: string; note?: boolean; base?: string }) {
  const l = localized(row, field, ctx.locale, base);
  return (
    <>
      <InLang ctx={ctx} lang={l.lang}>
        {l.text}
      </InLang>
      {note && l.fallback && (
        <>
          {' '}
          <OnlyIn ctx={ctx} lang={l.lang} />
        </>
      )}
    </>
  );
}

/** A practice group's name as a query returned it, in the reader's language when the group has it translated. */
export function GroupName({ ctx, name }: { ctx: PageContext; name: string }) {
  const l = ctx.groupName?.(name);
  if (!l) return <>{name}</>;
  return (
    <InLang ctx={ctx} lang={l.lang}>
      {l.text}
    </InLang>
  );
}

/** The same as text (for breadcrumbs, titles and attributes). */
export const groupNameText = (ctx: PageContext, name: string) => ctx.groupName?.(name).text ?? name;

/** A breadcrumb to a group's page, its name in the reader's language. */
export function groupCrumb(ctx: PageContext, name: string, slug: string): { label: string; href: string; lang?: string } {
  const l = ctx.groupName?.(name);
  return { label: l?.text ?? name, lang: l?.lang, href: `/groups/${slug}` };
}

/** The language something is written in (a post, a resource) or a convening is held in: for bilingual content, the side of its fields that is required. Each language named in itself. */
export function LanguageSelect({ ctx, form, label, hint }: { ctx: PageContext; form: FormState; label: string; hint?: string }) {
  return (
    <Select
      ctx={ctx}
      form={form}
      name="language"
      label={label}
      hint={hint}
      options={[
        { value: 'en', label: 'English' },
        { value: 'es', label: 'Español' },
      ]}
    />
  );
}
