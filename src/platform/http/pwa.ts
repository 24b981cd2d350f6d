import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Type } from '@sinclair/typebox';
import { h } from 'preact';
import { AppError } from './errors.js';
import { renderFor } from './request-context.js';
import { translator } from '../i18n/i18n.js';
import { pngIcon } from '../images.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), fileURLToPath(import.meta.url).includes('/dist/') ? '../../../..' : '../../..');
const PUBLIC = path.join(ROOT, 'public');
/** USWDS primary-darker: the colour of the header and of the installed app's title bar. */
export const THEME_COLOR = '#162e51';
const ICON_SIZES = [192, 512] as const;

/**
 * The installable app: the web app manifest, its icons (drawn from the
 * favicon once per process), the service worker (served from the root so it
 * may control every page) and the page shown offline.
 */
export const pwaRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const svg = readFileSync(path.join(PUBLIC, 'favicon.svg'));
  const icons = new Map<number, Promise<Buffer>>();
  const worker = readFileSync(path.join(PUBLIC, 'sw.js'), 'utf8');
  const offline = { en: translator('en')('push.offline_copy'), es: translator('es')('push.offline_copy') };
  const script = `const OFFLINE = ${JSON.stringify(offline)};\n${worker}`;

  app.get('/manifest.webmanifest', async (request, reply) => {
    await app.community.get();
    const name = app.community.nameOrDefault();
    return reply
      .type('application/manifest+json; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .send(
        JSON.stringify({
          name,
          short_name: name.length > 12 ? 'Convene' : name,
          description: request.t('push.lead'),
          lang: request.locale,
          start_url: '/',
          scope: '/',
          display: 'standalone',
          background_color: '#ffffff',
          theme_color: THEME_COLOR,
          icons: [
            ...ICON_SIZES.map((s) => ({ src: `/icons/${s}.png`, sizes: `${s}x${s}`, type: 'image/png', purpose: 'any' })),
            { src: '/icons/512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
            { src: '/assets/favicon.svg', sizes: 'any', type: 'image/svg+xml' },
          ],
        }),
      );
  });

  app.get('/icons/:file', { schema: { params: Type.Object({ file: Type.String({ maxLength: 20 }) }) } }, async (request, reply) => {
    const size = Number(/^(\d+)\.png$/.exec(request.params.file)?.[1]);
    if (!(ICON_SIZES as readonly number[]).includes(size)) throw new AppError('not_found');
    let icon = icons.get(size);
    if (!icon) icons.set(size, (icon = pngIcon(svg, size, THEME_COLOR)));
    return reply.type('image/png').header('cache-control', 'public, max-age=86400').send(await icon);
  });

  app.get('/sw.js', async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').header('service-worker-allowed', '/').send(script),
  );

  app.get('/offline', async (request, reply) =>
    renderFor(app, request, reply, (ctx) => ({ title: ctx.t('push.offline_title'), lead: ctx.t('push.offline_lead'), children: h('p', null, h('a', { class: 'usa-link', href: '/' }, ctx.t('push.offline_home'))) })),
  );
};
