import { Jobs } from '../jobs/jobs.js';
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryMailer, buildTestApp, testConfig, type TestContext } from '../../../test/helpers.js';
import { buildApp } from '../../app.js';
import { helmetHeaders, securityHeaderOptions } from './security-headers.js';
import { connect } from '../db/db.js';
import { en } from '../i18n/en.js';
import { es } from '../i18n/es.js';

let t: TestContext;
before(async () => {
  t = await buildTestApp();
});

describe('health', () => {
  test('GET /healthz names the engine', async () => {
    const res = await t.app.inject('/healthz');
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: 'ok', database: process.env.CONVENE_TEST_ENGINE || 'embedded' });
  });

  test('GET /readyz answers 200 while the database answers', async () => {
    const res = await t.app.inject('/readyz');
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().status, 'ready');
  });

  test('GET /readyz answers 503 when the database is unreachable', async () => {
    const handle = connect('postgres://nobody@127.0.0.1:1/none', 'postgres', { max: 1 });
    const app = await buildApp({ config: testConfig(), db: handle.db, jobs: new Jobs(handle.db), engine: 'postgres', mailer: new MemoryMailer(), logger: false });
    try {
      const res = await app.inject('/readyz');
      assert.equal(res.statusCode, 503);
      assert.deepEqual(res.json(), { status: 'unavailable', database: 'postgres' });
      assert.equal((await app.inject('/healthz')).statusCode, 200, 'liveness does not depend on the database');
    } finally {
      await app.close();
      await handle.close();
    }
  });
});

describe('bad input never reaches a 500', () => {
  test('invalid UTF-8 in a JSON body is a 400', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: { 'content-type': 'application/json' }, payload: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]) });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'invalid_encoding');
  });

  test('a NUL character in a JSON body is a 400', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: { 'content-type': 'application/json' }, payload: '{"email":"a\\u0000b@example.org","password":"x"}' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'invalid_encoding');
  });

  test('a raw NUL byte in a form body is a 400', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/login', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: Buffer.from('email=a%00b&password=x') });
    assert.equal(res.statusCode, 400);
    assert.match(res.headers['content-type'] as string, /text\/html/);
  });

  test('malformed percent-encoding in a query is a 400', async () => {
    const res = await t.app.inject('/organizations?q=%E0%A4%A');
    assert.equal(res.statusCode, 400);
  });

  test('invalid JSON is a 400 with the error shape', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: { 'content-type': 'application/json' }, payload: '{"email":' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'bad_request');
  });

  test('an oversized body is a 413', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ email: 'x'.repeat(300_000), password: 'y' }) });
    assert.equal(res.statusCode, 413);
    assert.equal(res.json().error.code, 'payload_too_large');
  });

  test('an unsupported content type is a 415', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: { 'content-type': 'application/xml' }, payload: '<a/>' });
    assert.equal(res.statusCode, 415);
  });

  test('schema violations answer field messages', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/tokens', payload: { email: 'a@example.org' } });
    assert.equal(res.statusCode, 400);
    const body = res.json();
    assert.equal(body.error.code, 'validation_failed');
    assert.ok(body.error.fields.password, 'names the missing field');
  });
});

describe('not found', () => {
  test('API 404s are JSON', async () => {
    const res = await t.app.inject('/api/v1/nothing-here');
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error.code, 'not_found');
  });

  test('page 404s are an accessible HTML page', async () => {
    const res = await t.app.inject('/nothing-here');
    assert.equal(res.statusCode, 404);
    assert.match(res.body, /<html lang="en">/);
    assert.equal(res.body.match(/<h1/g)?.length, 1);
  });
});

describe('security headers', () => {
  test('pages carry a nonce-based CSP without unsafe-inline scripts, and frame-ancestors none', async () => {
    const res = await t.app.inject('/login');
    const csp = res.headers['content-security-policy'] as string;
    assert.match(csp, /script-src 'self' 'nonce-[^']+'/);
    assert.doesNotMatch(csp, /script-src[^;]*unsafe-inline/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.ok(res.headers['referrer-policy']);
    assert.equal(res.headers['strict-transport-security'], undefined, 'no HSTS over http');
    const nonce = /'nonce-([^']+)'/.exec(csp)![1];
    assert.ok(res.body.includes(`nonce="${nonce}"`), 'the page script carries the nonce');
  });

  test("every response sends exactly helmet's headers for its options, with nonces of its own", async () => {
    for (const secure of [false, true]) {
      const app = secure ? (await buildTestApp({ baseUrl: 'https://convene.example', secure: true })).app : t.app;
      const [a, b, health] = [await app.inject('/login'), await app.inject('/login'), await app.inject('/healthz')];
      for (const res of [a, b, health]) {
        const csp = String(res.headers['content-security-policy']);
        const [script, style] = [/script-src 'self' 'nonce-([0-9a-f]{32})'/.exec(csp)?.[1], /style-src 'self' 'nonce-([0-9a-f]{32})'/.exec(csp)?.[1]];
        assert.ok(script && style && script !== style, csp);
        // What helmet itself sends when asked with these nonces (as @fastify/helmet did per request).
        const options = securityHeaderOptions({ secure }) as { contentSecurityPolicy: { directives: Record<string, string[]> } };
        const d = options.contentSecurityPolicy.directives;
        const expected = helmetHeaders({
          ...options,
          contentSecurityPolicy: { useDefaults: false, directives: { ...d, scriptSrc: ["'self'", `'nonce-${script}'`], styleSrc: ["'self'", `'nonce-${style}'`] } },
        });
        assert.ok(expected.size >= 10);
        for (const [name, value] of expected) assert.equal(res.headers[name.toLowerCase()], value, name);
        assert.equal(res.headers['x-powered-by'], undefined);
      }
      assert.notEqual(a.headers['content-security-policy'], b.headers['content-security-policy'], 'a fresh nonce per response');
      assert.equal(secure, a.headers['strict-transport-security'] !== undefined);
      assert.equal(secure, /upgrade-insecure-requests/.test(String(a.headers['content-security-policy'])));
    }
  });

  test('HSTS and __Host- cookies when BASE_URL is https', async () => {
    const secure = await buildTestApp({ baseUrl: 'https://convene.example', secure: true });
    const res = await secure.app.inject('/login');
    assert.match(res.headers['strict-transport-security'] as string, /max-age=/);
    const cookies = [res.headers['set-cookie']].flat().join('\n');
    assert.match(cookies, /__Host-convene_csrf=/);
    assert.match(cookies, /Secure/);
  });

  test('static assets are served locally', async () => {
    const css = await t.app.inject('/assets/uswds/css/uswds.min.css');
    assert.equal(css.statusCode, 200);
    const js = await t.app.inject('/assets/convene.js');
    assert.equal(js.statusCode, 200);
  });
});

describe('OpenAPI', () => {
  test('the document lists the foundation API with request and response schemas', async () => {
    const res = await t.app.inject('/api/openapi.json');
    assert.equal(res.statusCode, 200);
    const doc = res.json();
    assert.match(doc.openapi, /^3\./);
    for (const [p, method] of [
      ['/api/v1/community', 'get'],
      ['/api/v1/groups', 'get'],
      ['/api/v1/groups', 'post'],
      ['/api/v1/groups/{slug}', 'get'],
      ['/api/v1/groups/{slug}/join', 'post'],
      ['/api/v1/organizations', 'get'],
      ['/api/v1/states', 'get'],
      ['/api/v1/me', 'get'],
      ['/api/v1/tokens', 'post'],
    ] as const) {
      const op = doc.paths[p]?.[method];
      assert.ok(op, `${method.toUpperCase()} ${p} is documented`);
      assert.ok(op.responses['200'] || op.responses['201'], `${p} has a success response schema`);
    }
    assert.ok(doc.paths['/api/v1/groups'].post.requestBody, 'POST /api/v1/groups documents its body');
  });

  test('the API docs page is browsable', async () => {
    const res = await t.app.inject('/api/docs/');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /swagger/i);
  });
});

describe('languages', () => {
  function keys(o: Record<string, unknown>, prefix = ''): string[] {
    return Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' && v !== null ? keys(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`]));
  }

  test('Spanish has every English string, and none is left empty', () => {
    assert.deepEqual(keys(es).sort(), keys(en).sort());
    for (const k of keys(es)) {
      const v = k.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], es);
      assert.ok(typeof v === 'string' && v.length > 0, `es.${k}`);
    }
  });

  test('Accept-Language picks Spanish and sets lang', async () => {
    const res = await t.app.inject({ url: '/login', headers: { 'accept-language': 'es-MX,es;q=0.9,en;q=0.5' } });
    assert.match(res.body, /<html lang="es">/);
    assert.match(res.body, /Iniciar sesión/);
    assert.equal(res.headers['content-language'], 'es');
  });

  test('the language switch sets a cookie and returns to the page, and refuses open redirects', async () => {
    const res = await t.app.inject('/language/es?next=%2Fgroups');
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/groups');
    assert.match([res.headers['set-cookie']].flat().join(';'), /convene_lang=es/);
    const evil = await t.app.inject('/language/es?next=%2F%2Fevil.example');
    assert.equal(evil.headers.location, '/');
    const bad = await t.app.inject('/language/fr');
    assert.equal(bad.statusCode, 404);
    const page = await t.app.inject({ url: '/login', headers: { cookie: 'convene_lang=es' } });
    assert.match(page.body, /<html lang="es">/);
  });
});
