import { documentMultipart } from '../platform/http/openapi.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { registerUploads, uploadOf } from '../platform/http/uploads.js';
import { Type } from '@sinclair/typebox';
import { h } from 'preact';
import { ANONYMOUS } from '../platform/auth/actor.js';
import { can } from '../platform/auth/policy.js';
import { AppError, msg, translateFields } from '../platform/http/errors.js';
import { renderFor, setFlash, requireUser } from '../platform/http/request-context.js';
import { errorResponses } from '../platform/http/schema-helpers.js';
import { emptyForm, type FormState } from '../platform/views/forms.js';
import { MAX_PHOTO_BYTES, getPhoto, removePhoto, setPhoto } from './photos.js';
import { PhotoSettingsView } from './photo-views.js';
import { getPerson, personSubject } from './queries.js';

/** Profile photos: set and remove one's own (page and API), and the photos themselves, for those who may see the person. */
export const photoRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.deps;

  // One picture per request, in memory up to the limit (a little over, so "too large" can be said plainly).
  await registerUploads(app, { maxBytes: MAX_PHOTO_BYTES + 1, fields: 5, fieldSize: 1024 });
  const photoOf = (request: FastifyRequest): Buffer | undefined => uploadOf(request, 'photo')?.data;
  const noPhoto = () => new AppError('validation_failed', { fields: { photo: msg('photos.missing') } });

  const page = async (request: FastifyRequest, reply: FastifyReply, form: FormState, status = 200) => {
    const actor = requireUser(request);
    const me = await db.selectFrom('users').select(['id', 'name', 'photo_version', 'is_youth']).where('id', '=', actor.id).executeTakeFirstOrThrow();
    return renderFor(
      app,
      request,
      reply,
      (ctx) => ({
        title: ctx.t('photos.title'),
        hasErrors: status >= 400,
        breadcrumbs: [{ label: ctx.t('settings.title'), href: '/settings' }],
        children: h(PhotoSettingsView, { ctx, form, me: { id: me.id, name: me.name, photo: me.photo_version, isYouth: me.is_youth } }),
      }),
      status,
    );
  };

  app.get('/settings/photo', async (request, reply) => {
    if (request.actor.kind !== 'user') return reply.redirect('/login?next=%2Fsettings%2Fphoto', 303);
    return page(request, reply, emptyForm());
  });
  app.post('/settings/photo', async (request, reply) => {
    const actor = requireUser(request);
    try {
      const data = photoOf(request);
      if (!data) throw noPhoto();
      await setPhoto(db, actor, actor.id, data);
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'validation_failed') throw err;
      return page(request, reply, { values: {}, errors: translateFields(err.fields ?? {}, request.t) }, 400);
    }
    setFlash(reply, { kind: 'success', message: request.t('photos.saved') });
    return reply.redirect('/settings/photo', 303);
  });
  app.post('/settings/photo/delete', async (request, reply) => {
    const actor = requireUser(request);
    await removePhoto(db, actor, actor.id);
    setFlash(reply, { kind: 'success', message: request.t('photos.removed') });
    return reply.redirect('/settings/photo', 303);
  });

  // A facilitator takes down someone's photo (one that breaks the guidelines): audited, initials instead.
  app.post('/people/:id/photo/delete', { schema: { params: Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 53 }) }) } }, async (request, reply) => {
    const actor = requireUser(request);
    const person = await getPerson(db, request.params.id);
    if (!person || !can(actor, 'person.view', personSubject(person))) throw new AppError('not_found');
    await removePhoto(db, actor, person.id);
    setFlash(reply, { kind: 'success', message: request.t('photos.removed_other') });
    return reply.redirect(`/people/${person.id}`, 303);
  });

  /**
   * A person's photo, to whoever may see the person (so never a youth member's
   * to the public, nor a hidden or deactivated person's). The address names
   * the version, so a copy may be kept; only privately when the person is not
   * public, so a shared cache never hands it to someone else.
   */
  app.get('/people/:id/photo/:version', { schema: { params: Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 53 }), version: Type.Integer({ minimum: 1, maximum: 2 ** 31 - 1 }) }) } }, async (request, reply) => {
    const person = await getPerson(db, request.params.id);
    if (!person || !can(request.actor, 'person.view', personSubject(person))) throw new AppError('not_found');
    if (!person.photo_version) throw new AppError('not_found');
    if (person.photo_version !== request.params.version) return reply.redirect(`/people/${person.id}/photo/${person.photo_version}`, 302);
    const image = await getPhoto(db, person.id);
    if (!image) throw new AppError('not_found');
    const everyone = can(ANONYMOUS, 'person.view', personSubject(person));
    reply.header('cache-control', everyone && request.actor.kind === 'anonymous' ? 'public, max-age=86400' : 'private, max-age=86400');
    reply.header('x-content-type-options', 'nosniff');
    return reply.type('image/webp').send(image);
  });

  // ---- API ---------------------------------------------------------------------------------------------------
  const PhotoResult = Type.Object({ photo_url: Type.Union([Type.String(), Type.Null()]) });
  documentMultipart('PUT', '/api/v1/me/photo', {}, { name: 'photo', description: 'JPEG, PNG, WebP or GIF up to 8 MB' });
  app.put(
    '/api/v1/me/photo',
    {
      schema: {
        tags: ['people'],
        summary: 'Set your profile photo (multipart/form-data with a "photo": JPEG, PNG, WebP or GIF up to 8 MB; stored square, re-encoded, without metadata)',
        security: [{ bearer: [] }],
        response: { 200: PhotoResult, ...errorResponses(400, 401, 413, 415) },
      },
    },
    async (request) => {
      const actor = requireUser(request);
      const data = photoOf(request);
      if (!data) throw noPhoto();
      const version = await setPhoto(db, actor, actor.id, data);
      return { photo_url: `/people/${actor.id}/photo/${version}` };
    },
  );
  app.delete(
    '/api/v1/me/photo',
    { schema: { tags: ['people'], summary: 'Remove your profile photo (initials are shown instead)', security: [{ bearer: [] }], response: { 200: PhotoResult, ...errorResponses(401) } } },
    async (request) => {
      const actor = requireUser(request);
      await removePhoto(db, actor, actor.id);
      return { photo_url: null };
    },
  );
};
