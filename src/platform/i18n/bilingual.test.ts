import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { Agent, apiToken, bearer, buildTestApp, buildUser, textOf, type TestContext } from '../../../test/helpers.js';
import { seedDemo } from '../../seed/seed.js';
import { CONTENT, fromBilingualForm, localized, missingTranslationSql, toBilingualForm } from './content.js';
import { formatters, translator } from './i18n.js';
import { describeRule } from '../../events/time.js';
import { needsTranslation } from '../../translations/translations.js';

let t: TestContext;
before(async () => {
  t = await buildTestApp();
  await seedDemo(t.db);
});

const es = { cookie: 'convene_lang=es' };

describe('the demo community in both languages', () => {
  test('no content field in the demo lacks its other language', async () => {
    for (const [key, kind] of Object.entries(CONTENT)) {
      const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(kind.table)} AS r WHERE ${missingTranslationSql(kind)}`.execute(t.db);
      assert.equal(r.rows[0]!.n, 0, `${key}: rows missing a translation`);
      // And there is something there to check.
      const all = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(kind.table)}`.execute(t.db);
      assert.ok(all.rows[0]!.n > 0, `${key}: the demo has some`);
    }
    assert.deepEqual(await needsTranslation(t.db), []);
  });

  test('a Spanish reader reads the community, its groups, agenda, convenings and library in Spanish, with Spanish figures', async () => {
    const home = textOf((await t.app.inject({ url: '/', headers: es })).body);
    assert.match(home, /Comunidad Nacional de Práctica sobre Salud Conductual Escolar Colaborativa/);
    assert.match(home, /Escuelas, familias y comunidades que aprenden juntas/);
    assert.match(home, /codo a codo/);
    assert.match(home, /Educación, salud mental y familias fijan juntas una sola agenda/);
    assert.match(home, /Familias en alianza con las escuelas y las comunidades/);
    assert.match(home, /4\.500\.000/);
    assert.doesNotMatch(home, /solo en inglés/);

    const groups = textOf((await t.app.inject({ url: '/groups', headers: es })).body);
    assert.match(groups, /Psiquiatría y escuelas/);
    // In Spanish alphabetical order.
    assert.ok(groups.indexOf('Aprender el idioma del otro') < groups.indexOf('Calidad y práctica basada en la evidencia'));
    assert.ok(groups.indexOf('Calidad y práctica basada en la evidencia') < groups.indexOf('Unir la salud mental escolar'));
    const group = await t.app.inject({ url: '/groups/families-in-partnership', headers: es });
    assert.match(group.body, /<h1 class="convene-title">Familias en alianza con las escuelas y las comunidades<\/h1>/);
    assert.match(textOf(group.body), /Defender la participación de las familias en cada grupo de práctica/);

    const agenda = textOf((await t.app.inject({ url: '/agenda', headers: es })).body);
    assert.match(agenda, /Las familias como socias en el diseño de la salud mental escolar/);
    const slug = (await t.db.selectFrom('agenda_items').select('slug').orderBy('id').executeTakeFirstOrThrow()).slug;
    const item = textOf((await t.app.inject({ url: `/agenda/${slug}`, headers: es })).body);
    assert.match(item, /Conocemos a nuestros hijos y a nuestras comunidades/);
    assert.match(item, /Familiares en los equipos de planificación de 10 iniciativas estatales/);

    const events = textOf((await t.app.inject({ url: '/events', headers: es })).body);
    assert.match(events, /Detección sin etiquetas/);
    const library = textOf((await t.app.inject({ url: '/resources', headers: es })).body);
    assert.match(library, /Rutinas de saludo en el salón que apoyan el bienestar/);
    // The library finds a resource by its title in the other language (Spanish stemming: "saludos" finds "saludo").
    const found = textOf((await t.app.inject({ url: '/resources?q=saludos%20sal%C3%B3n', headers: es })).body);
    assert.match(found, /Rutinas de saludo en el salón que apoyan el bienestar/);
    const collections = textOf((await t.app.inject({ url: '/collections', headers: es })).body);
    assert.match(collections, /Cómo empezar con la detección/);

    // The directory: organizations' and state initiatives' descriptions.
    assert.match(textOf((await t.app.inject({ url: '/organizations/csmh', headers: es })).body), /Cofacilita la CoP Nacional\. Un centro de investigación/);
    assert.match(textOf((await t.app.inject({ url: '/states/md', headers: es })).body), /Une a las agencias estatales de educación/);

    // An English reader of a Spanish convening reads its English version.
    const spanishEvent = await t.db.selectFrom('events').select('id').where('language', '=', 'es').executeTakeFirstOrThrow();
    const en = await t.app.inject(`/events/${spanishEvent.id}`);
    assert.match(en.body, /<h1 class="convene-title">Conversation in Spanish: families and mental health at school<\/h1>/);
  });

  test('wherever a group is named (a thread’s breadcrumb, search, convenings, collections), a Spanish reader reads its Spanish name', async () => {
    const th = await t.db.selectFrom('threads as t').innerJoin('practice_groups as g', 'g.id', 't.group_id').select('t.id').where('g.slug', '=', 'families-in-partnership').orderBy('t.id').executeTakeFirstOrThrow();
    const page = await t.app.inject({ url: `/threads/${th.id}`, headers: es });
    assert.match(page.body, /<a href="\/groups\/families-in-partnership" class="usa-breadcrumb__link"><span>Familias en alianza con las escuelas y las comunidades<\/span>/);
    const events = textOf((await t.app.inject({ url: '/events', headers: es })).body);
    assert.match(events, /Familias en alianza con las escuelas y las comunidades/);
    const collections = textOf((await t.app.inject({ url: '/collections', headers: es })).body);
    assert.doesNotMatch(collections, /Families in Partnership with Schools and Communities/);
    const threads = textOf((await t.app.inject({ url: '/groups/families-in-partnership/threads', headers: es })).body);
    assert.match(threads, /Familias en alianza con las escuelas y las comunidades/);
  });

  test('text that exists in one language only says so, with its lang', async () => {
    await t.db.updateTable('practice_groups').set({ translations: '{}' }).where('slug', '=', 'psychiatry-and-schools').execute();
    t.app.pageCache?.clear();
    t.app.community.invalidate();
    const res = await t.app.inject({ url: '/groups/psychiatry-and-schools', headers: es });
    assert.match(res.body, /<h1 class="convene-title"><span lang="en">Psychiatry and Schools<\/span> <span class="convene-only-in">\(solo en inglés\)<\/span><\/h1>/);
    assert.match(res.body, /<div lang="en"><p>/);
    const list = await t.app.inject({ url: '/groups', headers: es });
    assert.match(list.body, /href="\/groups\/psychiatry-and-schools" lang="en">Psychiatry and Schools/);
    // And the facilitators' list now names it.
    const rows = await needsTranslation(t.db, { kind: 'group' });
    assert.deepEqual(rows.map((r) => r.href), ['/groups/psychiatry-and-schools/edit']);
    assert.deepEqual(rows[0]!.missing, ['name', 'mission']);
  });
});

describe('writing in both languages side by side', () => {
  test('a facilitator edits a group in English and Spanish; bad input keeps both and names the field; the API takes translations too', async () => {
    const fac = await buildUser(t.db, { role: 'facilitator' });
    const agent = await new Agent(t.app).signIn(fac.email);
    const form = await agent.get('/groups/quality-and-ebp/edit');
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /name="name_es"[^>]*lang="es"|lang="es"[^>]*name="name_es"/);
    assert.match(form.body, /Calidad y práctica basada en la evidencia/);
    const fields = { name: 'Quality Practice', name_es: 'Práctica de calidad', short_name: '', short_name_es: '', mission: 'Better programs.', mission_es: 'Mejores programas.', priorities: 'Share\nMeasure', priorities_es: 'Compartir\nMedir', led_by: 'none', visibility: 'public', join_policy: 'open' };
    const bad = await agent.post('/groups/quality-and-ebp/edit', { ...fields, name: '', name_es: '' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /href="#field-name"/);
    assert.match(bad.body, /Mejores programas\./);
    // Both lists of priorities come back as typed.
    assert.match(bad.body, /Share\nMeasure<\/textarea>/);
    assert.match(bad.body, /Compartir\nMedir<\/textarea>/);
    const ok = await agent.post('/groups/quality-and-ebp/edit', fields);
    assert.equal(ok.statusCode, 303);
    const row = await t.db.selectFrom('practice_groups').select(['id', 'name', 'language', 'translations']).where('slug', '=', 'quality-and-ebp').executeTakeFirstOrThrow();
    assert.equal(row.language, 'en');
    assert.equal(row.name, 'Quality Practice');
    assert.deepEqual(row.translations, { es: { name: 'Práctica de calidad', mission: 'Mejores programas.' } });
    const pr = await t.db.selectFrom('group_priorities').select(['text', 'translations']).where('group_id', '=', row.id).orderBy('position').execute();
    assert.deepEqual(pr, [
      { text: 'Share', translations: { es: { text: 'Compartir' } } },
      { text: 'Measure', translations: { es: { text: 'Medir' } } },
    ]);
    // Written only in Spanish: the group's language becomes Spanish, and English readers are told.
    const spanishOnly = await agent.post('/groups/quality-and-ebp/edit', { ...fields, name: '', mission: '', priorities: '' });
    assert.equal(spanishOnly.statusCode, 303);
    const after = await t.db.selectFrom('practice_groups').select(['name', 'language', 'translations']).where('id', '=', row.id).executeTakeFirstOrThrow();
    assert.deepEqual([after.name, after.language, after.translations], ['Práctica de calidad', 'es', {}]);
    t.app.pageCache?.clear();
    assert.match((await t.app.inject('/groups/quality-and-ebp')).body, /<span lang="es">Práctica de calidad<\/span> <span class="convene-only-in">\(only in Spanish\)<\/span>/);

    // The API: the original in `language`, the other in `translations`.
    const token = await apiToken(t.app, fac.email);
    const patch = await t.app.inject({ method: 'PATCH', url: '/api/v1/groups/quality-and-ebp', headers: bearer(token), payload: { language: 'en', name: 'Quality', translations: { es: { name: 'Calidad' } } } });
    assert.equal(patch.statusCode, 204, patch.body);
    const api = (await t.app.inject('/api/v1/groups/quality-and-ebp')).json();
    assert.equal(api.language, 'en');
    assert.deepEqual(api.translations, { es: { name: 'Calidad' } });
    const tooLong = await t.app.inject({ method: 'PATCH', url: '/api/v1/groups/quality-and-ebp', headers: bearer(token), payload: { translations: { es: { name: 'x'.repeat(201) } } } });
    assert.equal(tooLong.statusCode, 400);
    assert.ok(JSON.stringify(tooLong.json()).includes('translations'));
  });

  test('a convening’s and a resource’s own language decides which side is required', async () => {
    const fac = await buildUser(t.db, { role: 'facilitator' });
    const agent = await new Agent(t.app).signIn(fac.email);
    const form = await agent.get('/resources/new');
    assert.match(form.body, /name="title_es"/);
    assert.match(form.body, /name="summary_es"/);
    // A Spanish resource with only an English title: the Spanish title is the one asked for.
    const res = await agent.post('/resources', { title: 'Only English', title_es: '', kind: 'guide', language: 'es', external_url: 'https://example.org/guide', visibility: 'public', level: 'national', evidence_level: 'not_applicable' });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /href="#field-title_es"/);
    const created = await agent.post('/resources', { title: 'Talking with families', title_es: 'Hablar con las familias', summary: 'Short.', summary_es: 'Breve.', kind: 'guide', language: 'es', external_url: 'https://example.org/guide', visibility: 'public', level: 'national', evidence_level: 'not_applicable' });
    assert.equal(created.statusCode, 303, created.body.slice(0, 500));
    const r = await t.db.selectFrom('resources').select(['title', 'summary', 'language', 'translations']).where('title', '=', 'Hablar con las familias').executeTakeFirstOrThrow();
    assert.deepEqual(r, { title: 'Hablar con las familias', summary: 'Breve.', language: 'es', translations: { en: { title: 'Talking with families', summary: 'Short.' } } });
  });
});

describe('content helpers', () => {
  test('the reader’s language, else the original with its language; forms round-trip', () => {
    const row = { language: 'en', translations: { es: { title: 'Hola' } }, title: 'Hello', summary: 'Only English' };
    assert.deepEqual(localized(row, 'title', 'es'), { text: 'Hola', lang: 'es', fallback: false });
    assert.deepEqual(localized(row, 'summary', 'es'), { text: 'Only English', lang: 'en', fallback: true });
    assert.deepEqual(localized(row, 'title', 'en'), { text: 'Hello', lang: 'en', fallback: false });
    // Blank translations do not count; unknown shapes are ignored.
    assert.equal(localized({ language: 'en', translations: { es: { title: '  ' } }, title: 'Hello' } as object, 'title', 'es').text, 'Hello');
    assert.equal(localized({ language: 'en', translations: 'not json', title: 'Hello' } as object, 'title', 'es').text, 'Hello');
    const input = fromBilingualForm({ title: 'Hello', title_es: 'Hola', summary: '', summary_es: 'Resumen' }, ['title', 'summary']);
    assert.deepEqual(input, { title: 'Hello', summary: '', language: 'en', translations: { es: { title: 'Hola', summary: 'Resumen' } } });
    assert.deepEqual(toBilingualForm(input, ['title', 'summary']), { title: 'Hello', title_es: 'Hola', summary: '', summary_es: 'Resumen', language: 'en' });
    const spanishOnly = fromBilingualForm({ title: '', title_es: 'Hola' }, ['title'], { required: ['title'] });
    assert.equal(spanishOnly.language, 'es');
    assert.equal(spanishOnly.title, 'Hola');
  });
});

describe('figures, dates and percentages in the reader’s language', () => {
  test('formatters', () => {
    const en = formatters('en');
    const sp = formatters('es');
    assert.equal(en.number(4_500_000), '4,500,000');
    assert.equal(sp.number(4_500_000), '4.500.000');
    assert.equal(sp.number(58_129), '58.129');
    assert.equal(en.percent(0.4), '40%');
    assert.match(sp.percent(0.4), /^40\s%$/);
    assert.match(sp.percent(0.055), /^5,5\s%$/);
    assert.equal(en.decimal(4.25), '4.25');
    assert.equal(sp.decimal(4.25), '4,25');
    assert.equal(en.fileSize(1_572_864), '1.5 MB');
    assert.equal(sp.fileSize(1_572_864), '1,5 MB');
    assert.match(sp.date(new Date('2026-12-05T12:00:00Z')), /5 de diciembre de 2026/);
    // Ordinals come in words where people read them: a series' rule.
    assert.equal(describeRule('FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU;COUNT=6', translator('es'), 'es'), 'Cada 2 meses el segundo martes, 6 veces');
    assert.equal(describeRule('FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU;COUNT=6', translator('en'), 'en'), 'Every 2 months on the second Tuesday, 6 times');
    assert.match(en.date(new Date('2026-12-05T12:00:00Z')), /December 5, 2026/);
  });

  test('the reach dashboard and its CSV follow the reader’s language', async () => {
    const fac = await buildUser(t.db, { role: 'facilitator' });
    await t.db.updateTable('users').set({ locale: 'es' }).where('id', '=', fac.id).execute();
    const agent = await new Agent(t.app).signIn(fac.email);
    const page = await agent.get('/reach');
    assert.equal(page.statusCode, 200);
    assert.match(textOf(page.body), /4\.500\.000/);
    assert.doesNotMatch(textOf(page.body), /4,500,000/);
    // CSV headings in the reader's language; the cells stay data.
    const csv = await agent.get('/reach/ledger.csv');
    assert.equal(csv.statusCode, 200);
    assert.equal(csv.body.replace(/^\uFEFF/, '').split('\n')[0], 'Registro,Fuente,Día,Recurso,Organización aliada,Canal,Personas,Estado,Cómo se cuenta');
    const report = await agent.get('/reach/report.csv');
    assert.match(report.body, /^\uFEFF?Medida,Valor,Cómo se cuenta\ntotal_reach,\d+,/);
  });
});
