import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ping } from '../db/db.js';

const Health = Type.Object({ status: Type.String(), database: Type.String() });

/** Liveness (/healthz) and readiness (/readyz: 503 while the database does not answer). */
export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/healthz', { schema: { response: { 200: Health } } }, async () => ({
    status: 'ok',
    database: app.deps.engine,
  }));
  app.get('/readyz', { schema: { response: { 200: Health, 503: Health } } }, async (_request, reply) => {
    const up = await ping(app.deps.db);
    return reply.code(up ? 200 : 503).send({ status: up ? 'ready' : 'unavailable', database: app.deps.engine });
  });
};
