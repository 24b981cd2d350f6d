import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { render } from 'preact-render-to-string';
import { ThreadView, type ThreadPageData } from './thread-views.js';
import type { PostView, ThreadRow } from './queries.js';
import type { PageContext } from '../platform/views/context.js';
import { emptyForm, type FormState } from '../platform/views/forms.js';
import { formatters, translator, type Locale } from '../platform/i18n/i18n.js';

/** A page context with its own CSRF token, as each viewer's request has. */
function context(locale: Locale, token: string, signedIn: boolean): PageContext {
  return {
    t: translator(locale),
    locale,
    fmt: formatters(locale),
    actor: (signedIn ? { kind: 'user', id: 7 } : { kind: 'anonymous' }) as PageContext['actor'],
    tz: 'America/Chicago',
    path: '/threads/41',
    csrf: () => token,
    nonce: 'nonce',
    communityName: 'Test',
    nav: { admin: false, moderate: false, analytics: false },
  };
}

const thread = (flags: { pinned?: boolean; locked?: boolean; closed?: boolean }) =>
  ({ id: 41, kind: 'discussion', title: 'Screening days', pinned: false, locked: false, closed: false, ...flags }) as unknown as ThreadRow;

const posts = [{ id: 1 }, { id: 2 }] as unknown as PostView[];
const rendered = new Map([
  [1, '<article>first</article>'],
  [2, '<article>second</article>'],
]);

interface View {
  locale: Locale;
  token: string;
  idem: string;
  moderate: boolean;
  reply: boolean;
  signIn: boolean;
  watch?: string;
  flags: { pinned?: boolean; locked?: boolean; closed?: boolean };
  form: FormState;
}

function page(v: View, kept?: Map<string, string>): string {
  const data: ThreadPageData = {
    thread: thread(v.flags),
    posts,
    can: { reply: v.reply, moderate: v.moderate, react: !v.signIn, flag: !v.signIn, bookmark: !v.signIn, youthPhotos: !v.signIn, editIds: new Set(), deleteIds: new Set(), signIn: v.signIn },
    idempotencyKey: v.idem,
    watchLevel: v.watch,
    linkedFrom: [],
    renderedPosts: rendered,
    kept,
  };
  return render(<ThreadView ctx={context(v.locale, v.token, !v.signIn)} data={data} form={v.form} />);
}

describe("the thread page's kept controls and reply form", () => {
  test('kept markup is byte for byte what rendering each view gives, with each viewer’s own token and key', () => {
    const views: View[] = [];
    let n = 0;
    for (const locale of ['en', 'es'] as const)
      for (const moderate of [false, true])
        for (const watch of [undefined, 'watching', 'muted'])
          for (const flags of [{}, { pinned: true }, { locked: true }, { closed: true }])
            for (const [reply, signIn] of [
              [true, false],
              [false, false],
              [false, true],
            ] as const)
              for (const form of [emptyForm({ reply_to: '', language: 'en' }), emptyForm({ reply_to: 2, language: 'es' })]) {
                n++;
                views.push({ locale, token: `token-${n}`, idem: `idem-${n}`, moderate, reply, signIn, watch: signIn ? undefined : watch, flags, form });
              }
    const kept = new Map<string, string>();
    // Each view twice, the second time after every other view has filled the store.
    for (const round of [1, 2])
      for (const v of views) {
        const html = page(v, kept);
        assert.equal(html, page(v), `view ${views.indexOf(v)}, round ${round}`);
        assert.doesNotMatch(html, /convene-(csrf|idem)-[0-9a-f]{32}/, 'every slot is filled');
      }
    assert.ok(kept.size > 0 && kept.size <= 2000, `kept ${kept.size} parts`);
  });

  test('two viewers of the same kept form get their own token and idempotency key', () => {
    const kept = new Map<string, string>();
    const base = { locale: 'en' as const, moderate: true, reply: true, signIn: false, watch: 'watching', flags: {}, form: emptyForm({ reply_to: '', language: 'en' }) };
    const a = page({ ...base, token: 'token-a', idem: 'idem-a' }, kept);
    const b = page({ ...base, token: 'token-b', idem: 'idem-b' }, kept);
    const csrf = (html: string) => [...new Set([...html.matchAll(/name="_csrf" value="([^"]*)"/g)].map((m) => m[1]))];
    assert.deepEqual(csrf(a), ['token-a']);
    assert.deepEqual(csrf(b), ['token-b']);
    assert.deepEqual([...a.matchAll(/name="_idem" value="([^"]*)"/g)].map((m) => m[1]), ['idem-a']);
    assert.deepEqual([...b.matchAll(/name="_idem" value="([^"]*)"/g)].map((m) => m[1]), ['idem-b']);
  });

  test('a form sent back with its text and errors is rendered for that view, not kept', () => {
    const kept = new Map<string, string>();
    const base = { locale: 'en' as const, moderate: false, reply: true, signIn: false, flags: {}, token: 't', idem: 'i' };
    page({ ...base, form: emptyForm({ reply_to: '', language: 'en' }) }, kept);
    const size = kept.size;
    const sent = page({ ...base, form: { values: { reply_to: '', language: 'en', body: 'My <draft> text' }, errors: { body: 'Too short.' } } }, kept);
    assert.match(sent, /My &lt;draft> text/);
    assert.match(sent, /Too short\./);
    assert.equal(kept.size, size, 'nothing new kept');
    const next = page({ ...base, form: emptyForm({ reply_to: '', language: 'en' }) }, kept);
    assert.doesNotMatch(next, /My &lt;draft|Too short/);
  });
});
