import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Static, TSchema } from '@sinclair/typebox';
import { AppError, ERRORS, translateFields } from './errors.js';
import { validate } from './validation.js';
import { formValues } from './request-context.js';
import type { FormState } from '../views/forms.js';
import { bilingualErrors, fromBilingualForm, toBilingualForm } from '../i18n/content.js';

/**
 * The HTML form flow: validate the body against the same schema the API uses;
 * on bad input, or when the command refuses with field errors, re-render the
 * form with what was typed and the errors (4xx); otherwise run the command
 * (which redirects). Passwords are never echoed back (see TextField).
 */
export async function submitForm<S extends TSchema>(opts: {
  schema: S;
  request: FastifyRequest;
  reply: FastifyReply;
  render: (form: FormState, status: number) => Promise<FastifyReply> | FastifyReply;
  run: (value: Static<S>) => Promise<FastifyReply> | FastifyReply;
  /** Adjusts raw form values before validation (e.g. splitting a textarea into a list). */
  prepare?: (values: Record<string, unknown>) => Record<string, unknown>;
  /**
   * Fields written side by side in English (`name`) and Spanish (`name_es`):
   * the command receives the row's language in the plain fields and the other
   * in `translations`; a re-rendered form shows them side by side again.
   * `language` reads the row's language from the form when it has one;
   * `lists` are one entry per line.
   */
  bilingual?: { fields: readonly string[]; language?: (values: Record<string, unknown>) => unknown; required?: readonly string[]; lists?: readonly string[] };
}): Promise<FastifyReply> {
  const { request, reply, bilingual } = opts;
  let values = formValues(request.body);
  if (bilingual) values = fromBilingualForm(values, bilingual.fields, { language: bilingual.language?.(values), required: bilingual.required, lists: bilingual.lists });
  if (opts.prepare) values = opts.prepare(values);
  const language = values.language;
  const shown = (form: FormState): FormState =>
    bilingual ? { values: toBilingualForm({ ...form.values, language }, bilingual.fields), errors: bilingualErrors(form.errors, bilingual.fields, language) } : form;
  const r = validate(opts.schema, values, request.t);
  if (!r.ok) return opts.render(shown({ values, errors: r.errors }), 400);
  try {
    return await opts.run(r.value);
  } catch (err) {
    if (!(err instanceof AppError) || err.status >= 500 || err.code === 'not_found' || err.code === 'forbidden' || err.code === 'csrf_failed') throw err;
    if (err.retryAfter) reply.header('retry-after', String(err.retryAfter));
    const errors = err.fields ? translateFields(err.fields, request.t) : { _: request.t(ERRORS[err.code].key, err.params) };
    return opts.render(shown({ values, errors }), err.status);
  }
}
