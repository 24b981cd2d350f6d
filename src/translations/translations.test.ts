import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Agent, apiToken, bearer, buildGroup, buildTestApp, buildUser, textOf, type TestContext } from '../../test/helpers.js';

let t: TestContext;
before(async () => {
  t = await buildTestApp();
});

async function drain() {
  const r = await t.jobs.drain();
  assert.equal(r.failed, 0, r.errors.map((e) => e.message).join('; '));
}

/** A thread (by the API) and its opening post's id. */
async function thread(token: string, slug: string | null, title: string, body: string, language = 'en') {
  const url = slug ? `/api/v1/groups/${slug}/threads` : '/api/v1/discussions';
  const res = await t.app.inject({ method: 'POST', url, headers: bearer(token), payload: { title, body, language } });
  assert.equal(res.statusCode, 201, res.body);
  const id = res.json().id as number;
  const post = await t.db.selectFrom('posts').select('id').where('thread_id', '=', id).where('is_opening', '=', true).executeTakeFirstOrThrow();
  return { threadId: id, postId: post.id };
}

/** Readers who chose Spanish (a signed-in person's own choice wins over the language cookie). */
const spanish = (id: number) => t.db.updateTable('users').set({ locale: 'es' }).where('id', '=', id).execute();

const translator = async (name: string) => {
  const u = await buildUser(t.db, { name });
  await t.db.updateTable('users').set({ translator: true }).where('id', '=', u.id).execute();
  return u;
};

describe('members translating posts for each other', () => {
  test('a reader asks; translators who may read it are told; one translates; the asker is told; the translation shows beside the original and can be corrected', async () => {
    const lead = await buildUser(t.db, { name: 'Lena Lead' });
    const asker = await buildUser(t.db, { name: 'Ana Asker' });
    const bilingual = await translator('Beto Bilingual');
    const corrector = await buildUser(t.db, { name: 'Cora Corrector' });
    const g = await buildGroup(t.db, { leadId: lead.id, memberIds: [asker.id, bilingual.id, corrector.id] });
    // Writing one takes part in the group: a translator who is not a member is not asked.
    const outsider = await translator('Omar Outsider');
    const { threadId, postId } = await thread(await apiToken(t.app, lead.email), g.slug, 'Screening schedules', 'We screen every student twice a year, in October and March.');

    await spanish(asker.id);
    const agent = await new Agent(t.app).signIn(asker.email);
    // Read in Spanish, the post offers to ask for a translation.
    const page = await agent.get(`/threads/${threadId}`);
    assert.match(page.body, new RegExp(`/posts/${postId}/translation-request`));
    const asked = await agent.post(`/posts/${postId}/translation-request`);
    assert.equal(asked.statusCode, 303);
    // A double click asks once.
    await agent.post(`/posts/${postId}/translation-request`);
    assert.equal((await t.db.selectFrom('translation_requests').select('id').where('post_id', '=', postId).execute()).length, 1);
    await drain();
    const told = await t.db.selectFrom('notifications').select(['user_id', 'kind']).where('post_id', '=', postId).where('kind', '=', 'translation_request').execute();
    assert.deepEqual(told.map((n) => n.user_id), [bilingual.id]);
    void outsider;
    // The email opens the translation form.
    const mail = t.mailer.lastTo(bilingual.email);
    assert.ok(mail && mail.text.includes(`/posts/${postId}/translate`), mail?.text);

    // The translator's page lists it.
    const tAgent = await new Agent(t.app).signIn(bilingual.email);
    assert.match((await tAgent.get('/translations')).body, new RegExp(`/posts/${postId}/translate`));
    const listed = await t.app.inject({ url: '/api/v1/translation-requests', headers: bearer(await apiToken(t.app, bilingual.email)) });
    assert.equal(listed.statusCode, 200);
    assert.deepEqual(listed.json().requests.map((r: { id: number; language: string; asked: number }) => [r.id, r.language, r.asked]), [[postId, 'es', 1]]);
    assert.equal(listed.json().pagination.total, 1);
    assert.equal((await t.app.inject('/api/v1/translation-requests')).statusCode, 401);
    // Bad input: an empty translation is a 400 with the field named, nothing written.
    const bad = await tAgent.post(`/posts/${postId}/translate`, { body: '   ' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /field-body/);
    assert.equal((await t.db.selectFrom('member_translations').select('id').where('post_id', '=', postId).execute()).length, 0);
    const saved = await tAgent.post(`/posts/${postId}/translate`, { body: 'Hacemos la evaluación a cada estudiante dos veces al año, en octubre y en marzo.' });
    assert.equal(saved.statusCode, 303);
    // A double submit writes one version.
    await tAgent.post(`/posts/${postId}/translate`, { body: 'Hacemos la evaluación a cada estudiante dos veces al año, en octubre y en marzo.' });
    const row = await t.db.selectFrom('member_translations').selectAll().where('post_id', '=', postId).executeTakeFirstOrThrow();
    assert.equal(row.language, 'es');
    assert.equal(row.version, 1);
    assert.equal(row.translated_by, bilingual.id);
    assert.equal((await t.db.selectFrom('threads').select('translation_count').where('id', '=', threadId).executeTakeFirstOrThrow()).translation_count, 1);
    await drain();
    const done = await t.db.selectFrom('notifications').select('user_id').where('post_id', '=', postId).where('kind', '=', 'translation_done').execute();
    assert.deepEqual(done.map((n) => n.user_id), [asker.id]);
    assert.ok((await t.db.selectFrom('translation_requests').select('fulfilled_at').where('post_id', '=', postId).executeTakeFirstOrThrow()).fulfilled_at);

    // Beside the original, open for Spanish readers, with its lang and its translator.
    const es = await agent.get(`/threads/${threadId}`);
    assert.match(es.body, /<details class="convene-translation" open>/);
    assert.match(es.body, /Hacemos la evaluación/);
    assert.match(textOf(es.body), /Traducido por Beto Bilingual/);
    const leadAgent = await new Agent(t.app).signIn(lead.email);
    const en = await leadAgent.get(`/threads/${threadId}`);
    assert.match(en.body, /<details class="convene-translation"><summary>/);
    assert.match(en.body, /<div class="convene-post__body" lang="es">/);

    // Someone else corrects it: a new version, the old one kept, both named.
    const cAgent = await new Agent(t.app).signIn(corrector.email);
    assert.equal((await cAgent.post(`/posts/${postId}/translate`, { body: 'Evaluamos a cada estudiante dos veces al año: en octubre y en marzo.' })).statusCode, 303);
    const after = await t.db.selectFrom('member_translations').selectAll().where('post_id', '=', postId).executeTakeFirstOrThrow();
    assert.equal(after.version, 2);
    assert.equal(after.corrected_by, corrector.id);
    const history = await t.db.selectFrom('member_translation_revisions').selectAll().where('translation_id', '=', after.id).execute();
    assert.equal(history.length, 1);
    assert.match(history[0]!.body, /Hacemos la evaluación/);
    assert.match(textOf((await cAgent.get(`/posts/${postId}/translate`)).body), /Hacemos la evaluación/);
    assert.match(textOf((await agent.get(`/threads/${threadId}`)).body), /corregido por Cora Corrector/);

    // An edit of the post marks the translation as possibly out of date.
    await t.db.updateTable('posts').set({ version: 2 }).where('id', '=', postId).execute();
    await t.db.updateTable('threads').set({ last_activity_at: new Date() }).where('id', '=', threadId).execute();
    t.app.pageCache?.clear();
    assert.match(textOf((await leadAgent.get(`/threads/${threadId}`)).body), /may be out of date/);
  });

  test('search finds a post through its translation, in the translation’s language', async () => {
    const lead = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: lead.id });
    const word = `zorzal${randomUUID().slice(0, 6)}`;
    const { postId } = await thread(await apiToken(t.app, lead.email), g.slug, 'Family nights', 'Our family nights bring parents and counselors together.');
    await t.db.insertInto('member_translations').values({ post_id: postId, language: 'es', body: `Las noches familiares reúnen a madres, padres y consejeros ${word}.`, translated_by: lead.id, created_at: new Date(), updated_at: new Date() }).execute();
    t.app.pageCache?.clear();
    // A Spanish word (stemmed by the Spanish dictionary: "reunir" finds "reúnen" only through the translation).
    const res = await t.app.inject(`/search?q=${word}`);
    assert.equal(res.statusCode, 200);
    assert.match(res.body, new RegExp(`#post-${postId}"`));
    assert.match(textOf(res.body), /Family nights/);
    const api = await t.app.inject(`/api/v1/search?q=${word}`);
    assert.equal(api.statusCode, 200);
    assert.ok(JSON.stringify(api.json()).includes(`"post_id":${postId}`), api.body.slice(0, 300));
  });

  test('a private group’s post: outsiders cannot ask, translate, read the translation or find it; its members can', async () => {
    const lead = await buildUser(t.db);
    const member = await buildUser(t.db);
    const outsider = await buildUser(t.db);
    const outsideTranslator = await translator('Tina Translator');
    const g = await buildGroup(t.db, { leadId: lead.id, memberIds: [member.id], visibility: 'private', join_policy: 'invite' });
    const word = `quetzal${randomUUID().slice(0, 6)}`;
    const { threadId, postId } = await thread(await apiToken(t.app, lead.email), g.slug, 'Budget notes', `Confidential budget ${word}.`);
    const out = await new Agent(t.app).signIn(outsider.email);
    assert.equal((await out.post(`/posts/${postId}/translation-request`)).statusCode, 404);
    assert.equal((await out.get(`/posts/${postId}/translate`)).statusCode, 404);
    assert.equal((await out.post(`/posts/${postId}/translate`, { body: 'Notas' })).statusCode, 404);
    const outToken = await apiToken(t.app, outsider.email);
    assert.equal((await t.app.inject({ method: 'PUT', url: `/api/v1/posts/${postId}/translation`, headers: bearer(outToken), payload: { body: 'Notas' } })).statusCode, 404);
    assert.equal((await t.app.inject({ method: 'GET', url: `/api/v1/posts/${postId}/translation`, headers: bearer(outToken) })).statusCode, 404);
    // Anonymous: sign in first (401) or not found, never the translation.
    assert.notEqual((await t.app.inject({ method: 'POST', url: `/posts/${postId}/translation-request` })).statusCode, 303);

    // A member asks; the translator outside the group is not told.
    const mem = await new Agent(t.app).signIn(member.email);
    assert.equal((await mem.post(`/posts/${postId}/translation-request`)).statusCode, 303);
    await drain();
    assert.equal((await t.db.selectFrom('notifications').select('id').where('user_id', '=', outsideTranslator.id).where('post_id', '=', postId).execute()).length, 0);
    // A member translates through the API (201, then 200 when corrected).
    const memberToken = await apiToken(t.app, member.email);
    const put = await t.app.inject({ method: 'PUT', url: `/api/v1/posts/${postId}/translation`, headers: bearer(memberToken), payload: { body: `Presupuesto confidencial ${word}.` } });
    assert.equal(put.statusCode, 201, put.body);
    assert.equal(put.json().language, 'es');
    const again = await t.app.inject({ method: 'PUT', url: `/api/v1/posts/${postId}/translation`, headers: bearer(memberToken), payload: { body: `Notas de presupuesto confidenciales ${word}.` } });
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().version, 2);
    // Bad input over the API.
    assert.equal((await t.app.inject({ method: 'PUT', url: `/api/v1/posts/${postId}/translation`, headers: bearer(memberToken), payload: { body: '' } })).statusCode, 400);
    // The translation does not leak through search or the thread page.
    t.app.pageCache?.clear();
    assert.doesNotMatch((await out.get(`/search?q=${word}`)).body, /Budget notes/);
    assert.doesNotMatch((await t.app.inject(`/search?q=${word}`)).body, /Budget notes/);
    assert.equal((await out.get(`/threads/${threadId}`)).statusCode, 404);
    assert.match((await mem.get(`/search?q=${word}`)).body, /Budget notes/);
  });
});

describe('members translating resources', () => {
  test('a Spanish reader asks for an English resource; a translator is emailed, writes the title and summary; the page shows it; the asker is emailed', async () => {
    const author = await buildUser(t.db);
    const asker = await buildUser(t.db, { name: 'Rosa Reader' });
    const tr = await translator('Tomás Traductor');
    const slug = `guide-${randomUUID().slice(0, 8)}`;
    await t.db.insertInto('resources').values({ slug, title: 'Talking with teachers', summary: 'Short questions families can bring to a meeting.', kind: 'guide', visibility: 'public', created_by: author.id }).execute();
    await spanish(asker.id);
    const agent = await new Agent(t.app).signIn(asker.email);
    const page = await agent.get(`/resources/${slug}`);
    assert.match(page.body, new RegExp(`/resources/${slug}/translation-request`));
    t.mailer.sent.length = 0;
    assert.equal((await agent.post(`/resources/${slug}/translation-request`)).statusCode, 303);
    await drain();
    const mail = t.mailer.lastTo(tr.email);
    assert.ok(mail, 'the translator is emailed');
    assert.ok(mail.text.includes(`/resources/${slug}/translate`));
    const tAgent = await new Agent(t.app).signIn(tr.email);
    // Resources need a title too.
    assert.equal((await tAgent.post(`/resources/${slug}/translate`, { body: 'Preguntas cortas.' })).statusCode, 400);
    assert.equal((await tAgent.post(`/resources/${slug}/translate`, { title: 'Hablar con el personal docente', body: 'Preguntas cortas que las familias pueden llevar a una reunión.' })).statusCode, 303);
    await drain();
    assert.ok(t.mailer.lastTo(asker.email)?.subject.includes('Talking with teachers'));
    const shown = await agent.get(`/resources/${slug}`);
    assert.match(shown.body, /id="translation"/);
    assert.match(textOf(shown.body), /Hablar con el personal docente/);
    assert.match(textOf(shown.body), /Traducido por Tomás Traductor/);
    // The API answers it; outsiders to a members-only resource get 404.
    assert.equal((await t.app.inject(`/api/v1/resources/${slug}/translation`)).json().title, 'Hablar con el personal docente');
    const hidden = `hidden-${randomUUID().slice(0, 8)}`;
    await t.db.insertInto('resources').values({ slug: hidden, title: 'Members only', kind: 'guide', visibility: 'members', created_by: author.id }).execute();
    assert.equal((await t.app.inject({ method: 'POST', url: `/api/v1/resources/${hidden}/translation-requests` })).statusCode, 401);
    assert.equal((await t.app.inject(`/api/v1/resources/${hidden}/translation`)).statusCode, 404);
  });
});

describe('the translators’ setting and the facilitators’ list', () => {
  test('a member turns translation requests on and off; only facilitators see what needs translating, most-reached first', async () => {
    const member = await buildUser(t.db);
    const agent = await new Agent(t.app).signIn(member.email);
    assert.equal((await agent.post('/translations/translator', { translator: 'on' })).statusCode, 303);
    assert.equal((await t.db.selectFrom('users').select('translator').where('id', '=', member.id).executeTakeFirstOrThrow()).translator, true);
    assert.equal((await agent.post('/translations/translator', { translator: 'off' })).statusCode, 303);
    assert.equal((await t.db.selectFrom('users').select('translator').where('id', '=', member.id).executeTakeFirstOrThrow()).translator, false);
    assert.equal((await t.app.inject('/translations')).statusCode, 303);

    assert.equal((await agent.get('/translations/needed')).statusCode, 403);
    const fac = await buildUser(t.db, { role: 'facilitator' });
    const small = await buildGroup(t.db, { name: 'Small group only English' });
    const big = await buildGroup(t.db, { name: 'Big group only English', memberIds: [member.id, fac.id] });
    const both = await buildGroup(t.db, { name: 'Group in both' });
    await t.db.updateTable('practice_groups').set({ translations: JSON.stringify({ es: { name: 'Grupo en ambos', mission: 'Una misión.' } }) }).where('id', '=', both.id).execute();
    const fAgent = await new Agent(t.app).signIn(fac.email);
    const res = await fAgent.get('/translations/needed?kind=group');
    assert.equal(res.statusCode, 200);
    const text = textOf(res.body);
    assert.ok(text.indexOf('Big group only English') >= 0 && text.indexOf('Big group only English') < text.indexOf('Small group only English'), 'most-reached first');
    assert.doesNotMatch(text, /Group in both/);
    assert.match(res.body, new RegExp(`/groups/${small.slug}/edit`));
    await spanish(fac.id);
    const es = await fAgent.get('/translations/needed');
    assert.equal(es.statusCode, 200);
    assert.match(textOf(es.body), /Falta traducir/);
    void big;
  });
});

describe('translations keep the safety promise', () => {
  test('the student-privacy guard stops a translation naming a student until the translator decides; asking is rate-limited', async () => {
    const lead = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: lead.id });
    const { postId } = await thread(await apiToken(t.app, lead.email), g.slug, 'Meetings', 'We plan meetings with families every month.');
    const agent = await new Agent(t.app).signIn(lead.email);
    const named = 'Jaylen en el tercer período en la escuela primaria Lincoln tiene un IEP y lo siguen sacando de clase.';
    const held = await agent.post(`/posts/${postId}/translate`, { body: named });
    assert.equal(held.statusCode, 422, held.body.slice(0, 300));
    assert.equal((await t.db.selectFrom('member_translations').select('id').where('post_id', '=', postId).execute()).length, 0);
    const decided = await agent.post(`/posts/${postId}/translate`, { body: named, acknowledge_privacy: 'true' });
    assert.equal(decided.statusCode, 303);

    // Asking tells every translator, so one person's asks are limited.
    const asker = await buildUser(t.db);
    const token = await apiToken(t.app, asker.email);
    const ids: number[] = [];
    // (Written straight to the database: the writing brakes would stop one person starting 31 threads.)
    for (let i = 0; i < 31; i++) {
      const th = await t.db.insertInto('threads').values({ group_id: g.id, author_id: lead.id, title: `Topic ${i}` }).returning('id').executeTakeFirstOrThrow();
      ids.push((await t.db.insertInto('posts').values({ thread_id: th.id, author_id: lead.id, is_opening: true, body: `Text ${i}.` }).returning('id').executeTakeFirstOrThrow()).id);
    }
    const codes: number[] = [];
    for (const id of ids) codes.push((await t.app.inject({ method: 'POST', url: `/api/v1/posts/${id}/translation-requests`, headers: bearer(token) })).statusCode);
    assert.deepEqual(codes.slice(0, 30), Array(30).fill(201));
    assert.equal(codes[30], 429);
  });
});

describe('removing a translation', () => {
  test('a moderator of the thread removes one (it may be asked for again); a member may not', async () => {
    const lead = await buildUser(t.db);
    const member = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: lead.id, memberIds: [member.id] });
    const { threadId, postId } = await thread(await apiToken(t.app, lead.email), g.slug, 'Calendars', 'Our calendar is shared with families.');
    const mAgent = await new Agent(t.app).signIn(member.email);
    assert.equal((await mAgent.post(`/posts/${postId}/translate`, { body: 'Nuestro calendario se comparte con las familias.' })).statusCode, 303);
    assert.equal((await mAgent.post(`/posts/${postId}/translation/delete`)).statusCode, 403);
    assert.doesNotMatch((await mAgent.get(`/posts/${postId}/translate`)).body, /translation\/delete/);
    const lAgent = await new Agent(t.app).signIn(lead.email);
    assert.match((await lAgent.get(`/posts/${postId}/translate`)).body, new RegExp(`/posts/${postId}/translation/delete`));
    assert.equal((await lAgent.post(`/posts/${postId}/translation/delete`)).statusCode, 303);
    assert.equal((await t.db.selectFrom('member_translations').select('id').where('post_id', '=', postId).execute()).length, 0);
    assert.equal((await t.db.selectFrom('threads').select('translation_count').where('id', '=', threadId).executeTakeFirstOrThrow()).translation_count, 0);
    assert.ok(await t.db.selectFrom('audit_log').select('id').where('action', '=', 'translation.remove').executeTakeFirst());
    // Removing again changes nothing.
    assert.equal((await lAgent.post(`/posts/${postId}/translation/delete`)).statusCode, 303);
  });
});
