import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { Agent, apiToken, bearer, buildGroup, buildTestApp, buildUser, textOf, type TestContext } from '../../test/helpers.js';
import { multipart, makePdf } from '../../test/fixtures.js';
import { uploadStore } from '../resources/storage.js';

let t: TestContext;
before(async () => {
  t = await buildTestApp();
});

const picture = () =>
  sharp({ create: { width: 2400, height: 1200, channels: 3, background: '#2a7' } })
    .jpeg()
    .withExif({ IFD0: { Artist: 'Principal Somebody', ImageDescription: 'Room 12, Lincoln Elementary' } })
    .toBuffer();

/** A group thread whose lead and members can reply. */
async function setup(visibility: 'public' | 'private' = 'public') {
  const lead = await buildUser(t.db, { name: 'Lupe Lead' });
  const member = await buildUser(t.db, { name: 'Milo Member' });
  const g = await buildGroup(t.db, { leadId: lead.id, memberIds: [member.id], visibility });
  const made = await t.app.inject({ method: 'POST', url: `/api/v1/groups/${g.slug}/threads`, headers: bearer(await apiToken(t.app, lead.email)), payload: { title: 'Family night photos', body: 'How did it go?' } });
  return { lead, member, group: g, threadId: made.json().id as number };
}

/** Replies through the page's own form (multipart), as a browser does. */
async function replyWith(agent: Agent, threadId: number, fields: Record<string, string>, file?: { data: Buffer; filename: string; contentType: string }) {
  const page = await agent.get(`/threads/${threadId}`);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
  const idem = /name="_idem" value="([^"]+)"/.exec(page.body)?.[1] ?? 'x';
  const body = multipart({ _csrf: csrf, _idem: idem, language: 'en', ...fields }, file ? [{ field: 'attachment', ...file }] : []);
  return { res: await agent.raw({ method: 'POST', url: `/threads/${threadId}/replies`, payload: body.payload, headers: body.headers }), again: () => agent.raw({ method: 'POST', url: `/threads/${threadId}/replies`, payload: body.payload, headers: body.headers }) };
}

const attachmentsOf = (threadId: number) =>
  t.db.selectFrom('post_attachments as a').innerJoin('posts as p', 'p.id', 'a.post_id').select(['a.id', 'a.kind', 'a.filename', 'a.alt', 'a.width', 'a.height', 'a.storage_key', 'a.content_type']).where('p.thread_id', '=', threadId).orderBy('a.id').execute();

describe('pictures and files in messages', () => {
  test('a picture is resized, re-encoded without metadata, shown with its description; a double submit stores one; a PDF is a download', async () => {
    const { member, threadId } = await setup();
    const agent = await new Agent(t.app).signIn(member.email);
    const { res, again } = await replyWith(agent, threadId, { body: 'Here is our sign-in table.', attachment_alt: 'A sign-in table with handouts in two languages' }, { data: await picture(), filename: 'table.jpg', contentType: 'image/jpeg' });
    assert.equal(res.statusCode, 303, res.body.slice(0, 300));
    assert.equal((await again()).statusCode, 303);
    const [img] = await attachmentsOf(threadId);
    assert.equal((await attachmentsOf(threadId)).length, 1, 'one stored for a double submit');
    assert.deepEqual([img!.kind, img!.content_type, img!.width, img!.height, img!.filename], ['image', 'image/webp', 1600, 800, 'table.webp']);
    assert.ok(uploadStore(t.config.dataDir).exists(img!.storage_key));

    const page = (await t.app.inject(`/threads/${threadId}`)).body;
    assert.match(page, new RegExp(`<img src="/attachments/${img!.id}/table.webp" alt="A sign-in table with handouts in two languages" width="1600" height="800"`));
    const served = await t.app.inject(`/attachments/${img!.id}/table.webp`);
    assert.equal(served.statusCode, 200);
    assert.equal(served.headers['content-type'], 'image/webp');
    assert.match(String(served.headers['content-security-policy']), /sandbox/);
    assert.equal((await sharp(served.rawPayload).metadata()).exif, undefined);
    assert.equal(served.rawPayload.includes(Buffer.from('Lincoln Elementary')), false, 'no metadata survives');

    const pdf = await replyWith(agent, threadId, { body: 'And the agenda.' }, { data: makePdf('Family night agenda'), filename: 'agenda.pdf', contentType: 'application/pdf' });
    assert.equal(pdf.res.statusCode, 303);
    const file = (await attachmentsOf(threadId)).find((a) => a.kind === 'file')!;
    assert.equal(file.filename, 'agenda.pdf');
    const download = await t.app.inject(`/attachments/${file.id}/agenda.pdf`);
    assert.equal(download.headers['content-type'], 'application/pdf');
    assert.match(String(download.headers['content-disposition']), /^attachment; filename\*=UTF-8''agenda\.pdf$/);
    assert.match(textOf((await t.app.inject(`/threads/${threadId}`)).body), /agenda\.pdf \(PDF, \d+ KB\)/);
    const api = (await t.app.inject(`/api/v1/threads/${threadId}`)).json();
    const listed = api.posts.flatMap((p: { attachments: { url: string; alt: string }[] }) => p.attachments);
    assert.deepEqual(listed.map((a: { url: string }) => a.url), [`/attachments/${img!.id}/table.webp`, `/attachments/${file.id}/agenda.pdf`]);
  });

  test('refused with field messages and nothing written: a picture without a description, a disguised script, a damaged picture', async () => {
    const { member, threadId } = await setup();
    const agent = await new Agent(t.app).signIn(member.email);
    const cases: [Record<string, string>, { data: Buffer; filename: string; contentType: string }, RegExp][] = [
      [{ body: 'No description', attachment_alt: '  ' }, { data: await picture(), filename: 'a.jpg', contentType: 'image/jpeg' }, /Describe the picture for people who cannot see it/],
      [{ body: 'A script', attachment_alt: 'x' }, { data: Buffer.from('<html><script>alert(1)</script></html>'), filename: 'a.png', contentType: 'image/png' }, /This kind of file cannot be attached/],
      [{ body: 'Broken', attachment_alt: 'x' }, { data: (await picture()).subarray(0, 500), filename: 'a.jpg', contentType: 'image/jpeg' }, /could not read this picture/],
    ];
    for (const [fields, file, message] of cases) {
      const { res } = await replyWith(agent, threadId, fields, file);
      assert.equal(res.statusCode, 400, fields.body);
      assert.match(textOf(res.body), message);
      assert.match(res.body, new RegExp(`<textarea[^>]*name="body"[^>]*>${fields.body}</textarea>`), 'the form is shown again with what was typed');
    }
    assert.equal((await attachmentsOf(threadId)).length, 0);
    assert.equal((await t.db.selectFrom('posts').select('id').where('thread_id', '=', threadId).execute()).length, 1, 'no reply was written');
  });

  test('a private group’s attachments are not found for outsiders and visitors; a hidden message’s only for moderators; removing one takes its bytes', async () => {
    const { lead, member, threadId } = await setup('private');
    const agent = await new Agent(t.app).signIn(member.email);
    await replyWith(agent, threadId, { body: 'Inside only.', attachment_alt: 'A whiteboard of our plan' }, { data: await picture(), filename: 'plan.png', contentType: 'image/png' });
    const [img] = await attachmentsOf(threadId);
    const url = `/attachments/${img!.id}/plan.webp`;
    assert.equal((await agent.get(url)).statusCode, 200);
    assert.equal((await t.app.inject(url)).statusCode, 404, 'not for visitors');
    const outsider = await new Agent(t.app).signIn((await buildUser(t.db)).email);
    assert.equal((await outsider.get(url)).statusCode, 404, 'not for outsiders');
    assert.equal((await outsider.post(`/attachments/${img!.id}/delete`)).statusCode, 404);

    const post = await t.db.selectFrom('post_attachments').select('post_id').where('id', '=', img!.id).executeTakeFirstOrThrow();
    await t.db.updateTable('posts').set({ hidden_at: new Date() }).where('id', '=', post.post_id).execute();
    assert.equal((await agent.get(url)).statusCode, 404, 'hidden: not even for its group');
    const leadAgent = await new Agent(t.app).signIn(lead.email);
    assert.equal((await leadAgent.get(url)).statusCode, 200, 'the moderators still see it');

    assert.equal((await leadAgent.post(`/attachments/${img!.id}/delete`)).statusCode, 303);
    assert.equal((await attachmentsOf(threadId)).length, 0);
    assert.equal(uploadStore(t.config.dataDir).exists(img!.storage_key), false, 'the bytes are gone');
    assert.equal((await t.db.selectFrom('audit_log').select('action').where('action', '=', 'attachment.delete').execute()).length, 1);
  });

  test('a new thread can open with a picture; a refused one starts no thread', async () => {
    const { member, group } = await setup();
    const agent = await new Agent(t.app).signIn(member.email);
    const post = async (fields: Record<string, string>, file: { data: Buffer; filename: string; contentType: string }) => {
      const page = await agent.get(`/groups/${group.slug}/threads/new`);
      assert.match(page.body, /enctype="multipart\/form-data"/);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
      const idem = /name="_idem" value="([^"]+)"/.exec(page.body)![1]!;
      const body = multipart({ _csrf: csrf, _idem: idem, language: 'en', ...fields }, [{ field: 'attachment', ...file }]);
      return agent.raw({ method: 'POST', url: `/groups/${group.slug}/threads`, payload: body.payload, headers: body.headers });
    };
    const refused = await post({ title: 'No description', body: 'See the picture.' }, { data: await picture(), filename: 'a.jpg', contentType: 'image/jpeg' });
    assert.equal(refused.statusCode, 400);
    assert.match(textOf(refused.body), /Describe the picture/);
    assert.match(refused.body, /value="No description"/, 'what was typed is kept');
    assert.equal((await t.db.selectFrom('threads').select('id').where('title', '=', 'No description').execute()).length, 0);
    const made = await post({ title: 'Our room setup', body: 'See the picture.', attachment_alt: 'Chairs in a circle around a table' }, { data: await picture(), filename: 'room.jpg', contentType: 'image/jpeg' });
    assert.equal(made.statusCode, 303, made.body.slice(0, 300));
    const id = Number(/\/threads\/(\d+)/.exec(String(made.headers.location))![1]);
    const [img] = await attachmentsOf(id);
    assert.equal(img!.alt, 'Chairs in a circle around a table');
    assert.match((await agent.get(`/threads/${id}`)).body, /alt="Chairs in a circle around a table"/);
  });
});
