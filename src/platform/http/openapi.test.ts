import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import * as addFormatsModule from 'ajv-formats';
import { apiToken, bearer, buildGroup, buildTestApp, buildUser, type TestContext } from '../../../test/helpers.js';

/** The OpenAPI document against the routes: nothing missing, every request described, lists alike, examples valid. */
let t: TestContext;
type Op = { requestBody?: { content: Record<string, { schema: Record<string, unknown>; example?: unknown; examples?: Record<string, { value: unknown }> }> }; responses?: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>; 'x-no-body'?: boolean };
let paths: Record<string, Record<string, Op>>;
before(async () => {
  t = await buildTestApp();
  paths = (t.app.swagger() as unknown as { paths: Record<string, Record<string, Op>> }).paths;
});

const addFormats = (addFormatsModule as unknown as { default: { default: (a: Ajv) => Ajv } }).default.default;

/** Objects that hold arrays but are one thing, not a list of things. */
const NOT_LISTS = new Set(['GET /api/v1/me', 'GET /api/v1/community', 'GET /api/v1/reach/summary', 'GET /api/v1/analytics/engagement', 'GET /api/v1/me/mailing-list']);

describe('the OpenAPI document', () => {
  test('documents every API route, describes every request body, and gives every list the same pagination object', () => {
    const documented = new Set(Object.entries(paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`)));
    const routes = [...new Set(t.app.routeList.filter((r) => r.url.startsWith('/api/v1/') && r.method !== 'HEAD').map((r) => `${r.method} ${r.url}`))];
    assert.ok(routes.length > 60);
    assert.deepEqual(routes.filter((r) => !documented.has(r)), [], 'every route is in the document');

    const missingBody: string[] = [];
    const missingPagination: string[] = [];
    for (const [p, ops] of Object.entries(paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const key = `${method.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`;
        if (['post', 'put', 'patch'].includes(method) && !op.requestBody && !op['x-no-body']) missingBody.push(key);
        if (method !== 'get' || NOT_LISTS.has(key) || /\}$/.test(p)) continue;
        const schema = op.responses?.['200']?.content?.['application/json']?.schema as { properties?: Record<string, { type?: string }>; required?: string[] } | undefined;
        const arrays = Object.values(schema?.properties ?? {}).filter((v) => v.type === 'array');
        if (arrays.length && !(schema?.required ?? []).includes('pagination')) missingPagination.push(key);
      }
    }
    assert.deepEqual(missingBody, [], 'every write describes its body or says it has none');
    assert.deepEqual(missingPagination, [], 'every list answers with pagination');
    const upload = paths['/api/v1/resources']!.post!.requestBody!.content;
    assert.ok(upload['multipart/form-data'] && upload['application/json'], 'the resource upload is described both ways');
  });

  test('every documented example is valid against its own schema', () => {
    const ajv = new Ajv({ strict: false, allErrors: true, coerceTypes: false });
    addFormats(ajv);
    let checked = 0;
    for (const [p, ops] of Object.entries(paths)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) {
          const examples = [...(media.example !== undefined ? [media.example] : []), ...Object.values(media.examples ?? {}).map((e) => e.value), ...(((media.schema as { examples?: unknown[] }).examples ?? []) as unknown[])];
          for (const example of examples) {
            const ok = ajv.validate(media.schema, example);
            assert.ok(ok, `${method.toUpperCase()} ${p} (${type}): ${ajv.errorsText()}`);
            checked++;
          }
        }
      }
    }
    assert.ok(checked >= 6, `examples were checked (${checked})`);
  });

  test('lists page alike at run time: page, per_page, total, has_more and the next page\'s address', async () => {
    const lead = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: lead.id });
    const token = await apiToken(t.app, lead.email);
    // 27 threads, written directly (posting limits would slow a person down long before).
    const now = Date.now();
    await t.db
      .insertInto('threads')
      .values(Array.from({ length: 27 }, (_, i) => ({ group_id: g.id, author_id: lead.id, title: `Topic number ${i}`, language: 'en', created_at: new Date(now - i * 60_000), last_activity_at: new Date(now - i * 60_000) })))
      .execute();
    const first = (await t.app.inject({ url: `/api/v1/groups/${g.slug}/threads`, headers: bearer(token) })).json();
    assert.equal(first.threads.length, 25);
    assert.deepEqual(first.pagination, { page: 1, per_page: 25, total: null, has_more: true, next: `${t.config.baseUrl}/api/v1/groups/${g.slug}/threads?page=2` });
    const second = (await t.app.inject({ url: `/api/v1/groups/${g.slug}/threads?page=2`, headers: bearer(token) })).json();
    assert.equal(second.threads.length, 2);
    assert.deepEqual(second.pagination, { page: 2, per_page: 25, total: 27, has_more: false, next: null });
    const orgs = (await t.app.inject({ url: '/api/v1/organizations' })).json();
    assert.deepEqual(Object.keys(orgs.pagination).sort(), ['has_more', 'next', 'page', 'per_page', 'total']);
    assert.equal(orgs.pagination.total, orgs.organizations.length);
    const events = (await t.app.inject({ url: '/api/v1/events' })).json();
    assert.equal(events.pagination.total, events.total);
  });
});
