import type { ComponentChildren } from 'preact';
import type { PageContext } from './context.js';

/** Values a form re-renders with (what the person typed) and the errors to show. */
export interface FormState {
  values: Record<string, unknown>;
  /** Field name → message in the viewer's language. */
  errors: Record<string, string>;
}

export const emptyForm = (values: Record<string, unknown> = {}): FormState => ({ values, errors: {} });

export const fieldId = (name: string) => `field-${name.replace(/[^a-zA-Z0-9_-]/g, '-')}`;

const str = (v: unknown): string => (v === undefined || v === null ? '' : Array.isArray(v) ? String(v[0] ?? '') : String(v));
const list = (v: unknown): string[] => (v === undefined || v === null || v === '' ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

/**
 * The error summary at the top of a form: announced on load (role=alert),
 * with a link to each field in error.
 */
export function ErrorSummary({ ctx, form, labels }: { ctx: PageContext; form: FormState; labels: Record<string, string> }) {
  // Keys starting with "_" (other than "_" itself) carry data for a form's own display, not messages.
  const entries = Object.entries(form.errors).filter(([k]) => k === '_' || !k.startsWith('_'));
  if (entries.length === 0) return null;
  return (
    <div class="usa-alert usa-alert--error margin-bottom-3" role="alert" aria-labelledby="error-summary-heading" id="error-summary" tabIndex={-1}>
      <div class="usa-alert__body">
        <h2 class="usa-alert__heading" id="error-summary-heading">
          {ctx.t('forms.error_summary', { count: entries.length })}
        </h2>
        <ul class="usa-list">
          {entries.map(([name, message]) => (
            <li>
              <a class="usa-link" href={name === '_' ? '#main-content' : `#${fieldId(name)}`}>
                {labels[name] ? `${labels[name]}: ${message}` : message}
              </a>
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}

interface FieldProps {
  ctx: PageContext;
  form: FormState;
  name: string;
  label: string;
  hint?: string;
  required?: boolean;
}

function describedBy(name: string, hint?: string, error?: string) {
  const ids = [hint ? `${fieldId(name)}-hint` : '', error ? `${fieldId(name)}-error` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

function FieldShell(props: FieldProps & { children: ComponentChildren }) {
  const error = props.form.errors[props.name];
  return (
    <div class={`usa-form-group${error ? ' usa-form-group--error' : ''}`}>
      <label class={`usa-label${error ? ' usa-label--error' : ''}`} for={fieldId(props.name)}>
        {props.label}
        {props.required ? (
          <span class="convene-required">
            {' '}
            ({props.ctx.t('forms.required')})
          </span>
        ) : null}
      </label>
      {props.hint && (
        <div class="usa-hint" id={`${fieldId(props.name)}-hint`}>
          {props.hint}
        </div>
      )}
      {error && (
        <span class="usa-error-message" id={`${fieldId(props.name)}-error`}>
          {error}
        </span>
      )}
      {props.children}
    </div>
  );
}

export function TextField(
  props: FieldProps & { type?: string; autocomplete?: string; inputMode?: string; maxLength?: number; width?: 'sm' | 'md' | 'lg'; /** The language the value is written in, when not the page's. */ lang?: string },
) {
  const error = props.form.errors[props.name];
  // Passwords are never echoed back.
  const value = props.type === 'password' ? '' : str(props.form.values[props.name]);
  return (
    <FieldShell {...props}>
      <input
        class={`usa-input${error ? ' usa-input--error' : ''}${props.width ? ` usa-input--${props.width}` : ''}`}
        id={fieldId(props.name)}
        name={props.name}
        type={props.type ?? 'text'}
        value={value}
        autocomplete={props.autocomplete}
        inputMode={props.inputMode as never}
        lang={props.lang}
        maxLength={props.maxLength}
        required={props.required}
        aria-required={props.required ? 'true' : undefined}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(props.name, props.hint, error)}
      />
    </FieldShell>
  );
}

export function TextArea(
  props: FieldProps & {
    rows?: number;
    maxLength?: number;
    /** Markdown: convene.js adds a formatting toolbar. */ markdown?: boolean;
    /** Kept in this browser while writing (convene.js), under this key, with the messages it shows. */
    draft?: { key: string; restored: string; discard: string };
    /** @mention suggestions (convene.js): where to ask for people; the messages come from the page's language. */
    mentions?: string;
    /** The language the value is written in, when not the page's. */
    lang?: string;
  },
) {
  const t = props.ctx.t;
  const error = props.form.errors[props.name];
  return (
    <FieldShell {...props}>
      <textarea
        class={`usa-textarea${error ? ' usa-input--error' : ''}`}
        id={fieldId(props.name)}
        name={props.name}
        data-markdown={props.markdown ? '' : undefined}
        data-draft={props.draft?.key}
        data-draft-restored={props.draft?.restored}
        data-draft-discard={props.draft?.discard}
        data-mentions={props.mentions}
        data-mentions-label={props.mentions ? t('forms.mentions.label') : undefined}
        data-mentions-one={props.mentions ? t('forms.mentions.one') : undefined}
        data-mentions-many={props.mentions ? t('forms.mentions.many') : undefined}
        data-mentions-none={props.mentions ? t('forms.mentions.none') : undefined}
        data-mentions-picked={props.mentions ? t('forms.mentions.picked') : undefined}
        rows={props.rows ?? 5}
        lang={props.lang}
        maxLength={props.maxLength}
        required={props.required}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(props.name, props.hint, error)}
      >
        {str(props.form.values[props.name])}
      </textarea>
    </FieldShell>
  );
}

export function Select(props: FieldProps & { options: { value: string; label: string }[]; emptyLabel?: string }) {
  const error = props.form.errors[props.name];
  const current = str(props.form.values[props.name]);
  return (
    <FieldShell {...props}>
      <select
        class={`usa-select${error ? ' usa-input--error' : ''}`}
        id={fieldId(props.name)}
        name={props.name}
        required={props.required}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(props.name, props.hint, error)}
      >
        {props.emptyLabel !== undefined && <option value="">{props.emptyLabel}</option>}
        {props.options.map((o) => (
          <option value={o.value} selected={o.value === current}>
            {o.label}
          </option>
        ))}
      </select>
    </FieldShell>
  );
}

/** A group of checkboxes (several values) or radios (one), in a fieldset with a legend. */
export function ChoiceGroup(props: FieldProps & { options: { value: string; label: string }[]; multiple?: boolean; columns?: boolean }) {
  const error = props.form.errors[props.name];
  const chosen = new Set(list(props.form.values[props.name]));
  const type = props.multiple ? 'checkbox' : 'radio';
  return (
    <div class={`usa-form-group${error ? ' usa-form-group--error' : ''}`}>
      <fieldset class="usa-fieldset" id={fieldId(props.name)} aria-describedby={describedBy(props.name, props.hint, error)} tabIndex={-1}>
        <legend class={`usa-legend${error ? ' usa-label--error' : ''}`}>
          {props.label}
          {props.required ? <span class="convene-required"> ({props.ctx.t('forms.required')})</span> : null}
        </legend>
        {props.hint && (
          <div class="usa-hint" id={`${fieldId(props.name)}-hint`}>
            {props.hint}
          </div>
        )}
        {error && (
          <span class="usa-error-message" id={`${fieldId(props.name)}-error`}>
            {error}
          </span>
        )}
        <div class={props.columns ? 'convene-choices convene-choices--columns' : 'convene-choices'}>
          {props.options.map((o) => {
            const id = `${fieldId(props.name)}-${o.value}`;
            return (
              <div class={`usa-${type}`}>
                <input class={`usa-${type}__input`} id={id} type={type} name={props.name} value={o.value} checked={chosen.has(o.value)} />
                <label class={`usa-${type}__label`} for={id}>
                  {o.label}
                </label>
              </div>
            );
          })}
        </div>
      </fieldset>
    </div>
  );
}

/** A file picker with its label, hint and error (the file itself is never echoed back). */
export function FileField(props: FieldProps & { accept?: string }) {
  const error = props.form.errors[props.name];
  return (
    <FieldShell {...props}>
      <input
        class={`usa-input convene-file${error ? ' usa-input--error' : ''}`}
        id={fieldId(props.name)}
        name={props.name}
        type="file"
        accept={props.accept}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(props.name, props.hint, error)}
      />
    </FieldShell>
  );
}

/** A POST form with its CSRF token and, when given, an idempotency key against double submits. */
export function Form(props: {
  ctx: PageContext;
  action: string;
  children: ComponentChildren;
  idempotencyKey?: string;
  class?: string;
  label?: string;
  novalidate?: boolean;
  /** 'multipart/form-data' for a form that carries a file. */
  enctype?: string;
}) {
  return (
    <form method="post" action={props.action} class={props.class ?? 'usa-form usa-form--large'} aria-label={props.label} noValidate={props.novalidate ?? true} enctype={props.enctype}>
      <input type="hidden" name="_csrf" value={props.ctx.csrf()} />
      {props.idempotencyKey && <input type="hidden" name="_idem" value={props.idempotencyKey} />}
      {props.children}
    </form>
  );
}

/** A one-button POST form (join, leave, revoke...). */
export function ButtonForm(props: { ctx: PageContext; action: string; label: string; variant?: 'secondary' | 'outline' | 'unstyled'; hidden?: Record<string, string> }) {
  return (
    <form method="post" action={props.action} class="convene-inline-form">
      <input type="hidden" name="_csrf" value={props.ctx.csrf()} />
      {Object.entries(props.hidden ?? {}).map(([k, v]) => (
        <input type="hidden" name={k} value={v} />
      ))}
      <button type="submit" class={`usa-button${props.variant ? ` usa-button--${props.variant}` : ''}`}>
        {props.label}
      </button>
    </form>
  );
}

export function Submit({ label }: { label: string }) {
  return (
    <button type="submit" class="usa-button margin-top-3">
      {label}
    </button>
  );
}

/**
 * A warning the author answers before publishing (privacy guard, jargon
 * check): the field's error is the warning, with advice, optional extra
 * content, and a box to publish anyway. Nothing is blocked silently.
 */
export function AcknowledgeBox(props: { ctx: PageContext; form: FormState; name: string; heading: string; advice: string; confirm: string; children?: ComponentChildren }) {
  const message = props.form.errors[props.name];
  if (!message) return null;
  const id = fieldId(props.name);
  return (
    <div class="usa-alert usa-alert--warning margin-y-2" role="alert">
      <div class="usa-alert__body">
        <h2 class="usa-alert__heading">{props.heading}</h2>
        <p class="usa-alert__text" id={`${id}-error`}>
          {message}
        </p>
        <p class="usa-alert__text">{props.advice}</p>
        {props.children}
        <div class="usa-checkbox margin-top-1">
          <input class="usa-checkbox__input" id={id} type="checkbox" name={props.name} value="true" aria-describedby={`${id}-error`} />
          <label class="usa-checkbox__label" for={id}>
            {props.confirm}
          </label>
        </div>
      </div>
    </div>
  );
}

/** Shown after the privacy guard warned: the author edits the text or confirms no student can be identified. */
export function PrivacyAcknowledge({ ctx, form }: { ctx: PageContext; form: FormState }) {
  return (
    <AcknowledgeBox ctx={ctx} form={form} name="acknowledge_privacy" heading={ctx.t('privacy.heading')} advice={ctx.t('privacy.advice')} confirm={ctx.t('privacy.confirm')}>
      <p class="usa-alert__text">
        <a class="usa-link" href="/guidelines#records">
          {ctx.t('privacy.guidelines_link')}
        </a>
      </p>
    </AcknowledgeBox>
  );
}

/** The jargon check's warning, with a link to suggest each unknown acronym for the glossary. */
export function JargonAcknowledge({ ctx, form }: { ctx: PageContext; form: FormState }) {
  const unknown = (form.errors._jargon_unknown ?? '').split(',').filter(Boolean);
  return (
    <AcknowledgeBox ctx={ctx} form={form} name="acknowledge_jargon" heading={ctx.t('jargon.heading')} advice={ctx.t('jargon.advice')} confirm={ctx.t('jargon.confirm')}>
      {unknown.length > 0 && (
        <ul class="usa-list">
          {unknown.map((a) => (
            <li>
              <a class="usa-link" href={`/glossary/suggest?term=${encodeURIComponent(a)}`} target="_blank" rel="noopener">
                {ctx.t('jargon.suggest', { term: a })}
              </a>
            </li>
          ))}
        </ul>
      )}
    </AcknowledgeBox>
  );
}
