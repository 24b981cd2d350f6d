import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { crc32 } from 'node:zlib';
import { Agent, apiToken, bearer, buildGroup, buildTestApp, buildUser, textOf, type TestContext } from '../../test/helpers.js';
import { multipart } from '../../test/fixtures.js';
import { initials } from '../platform/views/avatar.js';

let t: TestContext;
before(async () => {
  t = await buildTestApp();
});

/** A 600×400 JPEG carrying EXIF a person would not want shared, turned on its side by its orientation tag. */
const photoWithSecrets = () =>
  sharp({ create: { width: 600, height: 400, channels: 3, background: '#3366cc' } })
    .jpeg()
    .withExif({ IFD0: { Artist: 'Secret Photographer', ImageDescription: 'Taken at 12 Hidden Lane' } })
    .withMetadata({ orientation: 6 })
    .toBuffer();

const upload = async (agent: Agent, file: { data: Buffer; filename?: string; contentType?: string } | undefined) => {
  const csrf = await agent.csrf('/settings/photo');
  const body = multipart({ _csrf: csrf }, file ? [{ field: 'photo', filename: file.filename ?? 'me.jpg', contentType: file.contentType ?? 'image/jpeg', data: file.data }] : []);
  return agent.raw({ method: 'POST', url: '/settings/photo', payload: body.payload, headers: body.headers });
};
/** A small PNG whose header claims 9,000 × 9,000 pixels (a decompression bomb in miniature). */
async function claimsHugeSize(): Promise<Buffer> {
  const png = Buffer.from(await sharp({ create: { width: 2, height: 2, channels: 3, background: '#000' } }).png().toBuffer());
  png.writeUInt32BE(9000, 16);
  png.writeUInt32BE(9000, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}

const versionOf = async (id: number) => (await t.db.selectFrom('users').select('photo_version').where('id', '=', id).executeTakeFirstOrThrow()).photo_version;

describe('profile photos', () => {
  test('an upload is cropped square, resized, re-encoded as WebP with no metadata, and shown on the profile and beside messages', async () => {
    const me = await buildUser(t.db, { name: 'Paula Photo' });
    const agent = await new Agent(t.app).signIn(me.email);
    const res = await upload(agent, { data: await photoWithSecrets() });
    assert.equal(res.statusCode, 303, res.body);
    const version = await versionOf(me.id);
    assert.equal(version, 1);
    const served = await t.app.inject(`/people/${me.id}/photo/1`);
    assert.equal(served.statusCode, 200);
    assert.equal(served.headers['content-type'], 'image/webp');
    const meta = await sharp(served.rawPayload).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['webp', 320, 320]);
    assert.equal(meta.exif, undefined, 'no EXIF left');
    assert.equal(served.rawPayload.includes(Buffer.from('Secret Photographer')), false);
    assert.equal(served.rawPayload.includes(Buffer.from('Hidden Lane')), false);

    const profile = await t.app.inject(`/people/${me.id}`);
    assert.match(profile.body, new RegExp(`<img class="convene-avatar convene-avatar--lg" src="/people/${me.id}/photo/1" alt[ =]`));
    const g = await buildGroup(t.db, { leadId: me.id });
    await t.app.inject({ method: 'POST', url: `/api/v1/groups/${g.slug}/threads`, headers: bearer(await apiToken(t.app, me.email)), payload: { title: 'With a face', body: 'Hello.' } });
    const thread = await t.db.selectFrom('threads').select('id').where('group_id', '=', g.id).executeTakeFirstOrThrow();
    assert.match((await t.app.inject(`/threads/${thread.id}`)).body, new RegExp(`<img class="convene-avatar convene-avatar--sm" src="/people/${me.id}/photo/1" alt[ =]`));

    // A new photo gets a new address; the old one leads to it.
    assert.equal((await upload(agent, { data: await sharp({ create: { width: 50, height: 80, channels: 4, background: '#ff000080' } }).png().toBuffer(), filename: 'x.png', contentType: 'image/png' })).statusCode, 303);
    assert.equal(await versionOf(me.id), 2);
    const old = await t.app.inject(`/people/${me.id}/photo/1`);
    assert.equal(old.statusCode, 302);
    assert.equal(old.headers.location, `/people/${me.id}/photo/2`);

    // Removed: initials instead, and the photo is gone.
    assert.equal((await agent.post('/settings/photo/delete')).statusCode, 303);
    assert.equal((await t.app.inject(`/people/${me.id}/photo/2`)).statusCode, 404);
    assert.match((await t.app.inject(`/people/${me.id}`)).body, /<span class="convene-avatar convene-avatar--lg convene-avatar--initials convene-avatar--c\d" aria-hidden="true">PP<\/span>/);
    assert.equal((await t.db.selectFrom('user_photos').select('user_id').where('user_id', '=', me.id).execute()).length, 0);
  });

  test('refused with a field message, nothing stored: no file, not a picture (whatever its name), a damaged picture, too many pixels, too large', async () => {
    const me = await buildUser(t.db);
    const agent = await new Agent(t.app).signIn(me.email);
    const good = await photoWithSecrets();
    const huge = await claimsHugeSize();
    const cases: [Parameters<typeof upload>[1], RegExp][] = [
      [undefined, /Choose a picture to upload/],
      [{ data: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), filename: 'me.jpg' }, /Choose a JPEG, PNG, WebP or GIF picture/],
      [{ data: Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n'), filename: 'me.png', contentType: 'image/png' }, /Choose a JPEG, PNG, WebP or GIF picture/],
      [{ data: good.subarray(0, Math.floor(good.length / 3)) }, /could not read this picture/],
      [{ data: huge, filename: 'huge.png', contentType: 'image/png' }, /too large to process/],
    ];
    for (const [file, message] of cases) {
      const res = await upload(agent, file);
      assert.equal(res.statusCode, 400, `${file?.filename}: ${res.statusCode}`);
      assert.match(textOf(res.body), message);
      assert.match(res.body, /id="field-photo-error"/);
    }
    const tooBig = await upload(agent, { data: Buffer.concat([good, Buffer.alloc(8 * 1024 * 1024)]) });
    assert.ok([400, 413].includes(tooBig.statusCode), `too large: ${tooBig.statusCode}`);
    assert.equal(await versionOf(me.id), null);
    assert.equal((await t.db.selectFrom('user_photos').select('user_id').where('user_id', '=', me.id).execute()).length, 0);
  });

  test('a youth member’s photo: never to the public (initials on public pages), shown to signed-in members; a hidden person’s to no one else', async () => {
    const youth = await buildUser(t.db, { name: 'Yuri Young', is_youth: true });
    const adult = await buildUser(t.db);
    const g = await buildGroup(t.db, { leadId: adult.id, memberIds: [youth.id] });
    await upload(await new Agent(t.app).signIn(youth.email), { data: await photoWithSecrets() });
    assert.equal(await versionOf(youth.id), 1);
    assert.equal((await t.app.inject(`/people/${youth.id}/photo/1`)).statusCode, 404, 'not to visitors');
    const member = await new Agent(t.app).signIn((await buildUser(t.db)).email);
    const seen = await member.get(`/people/${youth.id}/photo/1`);
    assert.equal(seen.statusCode, 200);
    assert.match(String(seen.headers['cache-control']), /^private/);

    await t.app.inject({ method: 'POST', url: `/api/v1/groups/${g.slug}/threads`, headers: bearer(await apiToken(t.app, youth.email)), payload: { title: 'Youth voice', body: 'Our ideas.' } });
    const thread = await t.db.selectFrom('threads').select('id').where('group_id', '=', g.id).executeTakeFirstOrThrow();
    const publicPage = (await t.app.inject(`/threads/${thread.id}`)).body;
    assert.doesNotMatch(publicPage, new RegExp(`/people/${youth.id}/photo/`), 'the public sees initials');
    assert.match(publicPage, />YY<\/span>/);
    assert.match((await member.get(`/threads/${thread.id}`)).body, new RegExp(`src="/people/${youth.id}/photo/1"`));

    const hidden = await buildUser(t.db, { hidden: true });
    await upload(await new Agent(t.app).signIn(hidden.email), { data: await photoWithSecrets() });
    assert.equal((await member.get(`/people/${hidden.id}/photo/1`)).statusCode, 404);
  });

  test('the API sets and removes one’s photo; a facilitator can take someone’s down (audited); members cannot', async () => {
    const me = await buildUser(t.db);
    const token = await apiToken(t.app, me.email);
    const body = multipart({}, [{ field: 'photo', filename: 'me.jpg', contentType: 'image/jpeg', data: await photoWithSecrets() }]);
    const put = await t.app.inject({ method: 'PUT', url: '/api/v1/me/photo', payload: body.payload, headers: { ...body.headers, ...bearer(token) } });
    assert.equal(put.statusCode, 200, put.body);
    assert.equal(put.json().photo_url, `/people/${me.id}/photo/1`);
    const empty = multipart({}, []);
    const none = await t.app.inject({ method: 'PUT', url: '/api/v1/me/photo', payload: empty.payload, headers: { ...empty.headers, ...bearer(token) } });
    assert.equal(none.statusCode, 400);
    assert.ok(none.json().error.fields.photo);
    assert.equal((await t.app.inject({ method: 'PUT', url: '/api/v1/me/photo', payload: body.payload, headers: body.headers })).statusCode, 401);

    const member = await new Agent(t.app).signIn((await buildUser(t.db)).email);
    assert.equal((await member.post(`/people/${me.id}/photo/delete`)).statusCode, 403);
    assert.equal(await versionOf(me.id), 1);
    const facilitator = await new Agent(t.app).signIn((await buildUser(t.db, { role: 'facilitator' })).email);
    assert.match((await facilitator.get(`/people/${me.id}`)).body, /Remove this photo/);
    assert.equal((await facilitator.post(`/people/${me.id}/photo/delete`)).statusCode, 303);
    assert.equal(await versionOf(me.id), null);
    const logged = await t.db.selectFrom('audit_log').select('action').where('action', '=', 'person.photo_removed').execute();
    assert.equal(logged.length, 1);

    assert.equal((await t.app.inject({ method: 'DELETE', url: '/api/v1/me/photo', headers: bearer(token) })).json().photo_url, null);
  });

  test('initials: first and last words, any script; a question mark without a name', () => {
    assert.equal(initials('Rosa María Delgado'), 'RD');
    assert.equal(initials('ñandú'), 'Ñ');
    assert.equal(initials('  "Bo"   Li '), 'BL');
    assert.equal(initials(''), '?');
    assert.equal(initials(null), '?');
  });
});
