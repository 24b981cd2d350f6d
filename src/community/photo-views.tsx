import type { PageContext } from '../platform/views/context.js';
import { ButtonForm, ErrorSummary, type FormState } from '../platform/views/forms.js';
import { fieldId } from '../platform/views/forms.js';
import { Avatar } from '../platform/views/avatar.js';
import { MAX_PHOTO_BYTES } from './photos.js';

/** Setting one's profile photo: what others see now, a file picker, and removing it. */
export function PhotoSettingsView({ ctx, form, me }: { ctx: PageContext; form: FormState; me: { id: number; name: string; photo: number | null; isYouth: boolean } }) {
  const { t } = ctx;
  const error = form.errors.photo;
  const id = fieldId('photo');
  return (
    <>
      <ErrorSummary ctx={ctx} form={form} labels={{ photo: t('photos.field') }} />
      <div class="convene-photo-now">
        <Avatar person={{ id: me.id, name: me.name, photo: me.photo }} size="lg" />
        <p>{me.photo ? t('photos.current') : t('photos.initials_now')}</p>
      </div>
      <p>{t('photos.who_sees')}</p>
      {me.isYouth && <p class="usa-hint">{t('photos.youth')}</p>}
      <form method="post" action="/settings/photo" enctype="multipart/form-data" class="usa-form usa-form--large" aria-label={t('photos.title')} noValidate>
        <input type="hidden" name="_csrf" value={ctx.csrf()} />
        <div class={`usa-form-group${error ? ' usa-form-group--error' : ''}`}>
          <label class={`usa-label${error ? ' usa-label--error' : ''}`} for={id}>
            {t('photos.field')}
          </label>
          <div class="usa-hint" id={`${id}-hint`}>
            {t('photos.hint', { mb: MAX_PHOTO_BYTES / 1024 / 1024 })}
          </div>
          {error && (
            <span class="usa-error-message" id={`${id}-error`}>
              {error}
            </span>
          )}
          <input class={`usa-input convene-file${error ? ' usa-input--error' : ''}`} id={id} name="photo" type="file" accept="image/jpeg,image/png,image/webp,image/gif" aria-describedby={error ? `${id}-hint ${id}-error` : `${id}-hint`} aria-invalid={error ? 'true' : undefined} />
        </div>
        <button type="submit" class="usa-button margin-top-3">
          {t('photos.upload')}
        </button>
      </form>
      {me.photo && <ButtonForm ctx={ctx} action="/settings/photo/delete" label={t('photos.remove')} variant="outline" />}
    </>
  );
}
