import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { renderPage } from './layout.js';
import type { PageContext } from './context.js';
import { formatters, translator, type Locale } from '../i18n/i18n.js';
import type { Actor } from '../auth/actor.js';

const member = { kind: 'user', id: 7 } as unknown as Actor;
const visitor = { kind: 'anonymous' } as unknown as Actor;

function context(over: { locale?: Locale; actor?: Actor; path: string; token?: string; nonce?: string; unread?: number; admin?: boolean }): PageContext & { tokens: number } {
  const locale = over.locale ?? 'en';
  const ctx = {
    t: translator(locale),
    locale,
    fmt: formatters(locale),
    actor: over.actor ?? member,
    tz: 'America/Chicago',
    path: over.path,
    tokens: 0,
    csrf() {
      ctx.tokens++;
      return over.token ?? 'token-a';
    },
    nonce: over.nonce ?? 'nonce-a',
    communityName: 'Test & Community',
    nav: { admin: over.admin ?? false, moderate: false, analytics: false, unread: over.unread },
  };
  return ctx;
}

/** The attribute values of the elements matching `pattern`'s first group. */
const all = (html: string, pattern: RegExp) => [...html.matchAll(pattern)].map((m) => m[1]);

describe('the page shell (kept per language, viewer kind, navigation and current entry)', () => {
  test('pages that share a shell each carry their own title, address, token, nonce and content', () => {
    const a = renderPage({ ctx: context({ path: '/groups/a?page=2', token: 'token-a', nonce: 'nonce-a' }), title: 'Group <A>', children: 'first body' });
    const b = renderPage({ ctx: context({ path: '/groups/b', token: 'token-b', nonce: 'nonce-b' }), title: 'Group "B"', hasErrors: true, children: 'second body' });
    assert.match(a, /<title>Group &lt;A> \| Test &amp; Community<\/title>/);
    assert.match(b, /<title>Error: Group &quot;B&quot; \| Test &amp; Community<\/title>/);
    assert.deepEqual(all(a, /href="(\/language\/es\?next=[^"]*)"/g), ['/language/es?next=%2Fgroups%2Fa%3Fpage%3D2']);
    assert.deepEqual(all(b, /href="(\/language\/es\?next=[^"]*)"/g), ['/language/es?next=%2Fgroups%2Fb']);
    assert.deepEqual(all(a, /name="_csrf" value="([^"]*)"/g), ['token-a']);
    assert.deepEqual(all(b, /name="_csrf" value="([^"]*)"/g), ['token-b']);
    assert.match(a, /<script src="\/assets\/convene.js" nonce="nonce-a" defer><\/script>/);
    assert.match(b, /<script src="\/assets\/convene.js" nonce="nonce-b" defer><\/script>/);
    assert.ok(a.includes('first body') && !a.includes('second body'));
    assert.ok(b.includes('second body') && !b.includes('first body'));
    assert.doesNotMatch(a + b, /convene-(csrf|title|main|nonce|next)-[0-9a-f]{32}/, 'every slot is filled');
    assert.equal(a.match(/<h1/g)?.length, 1);
  });

  test('the current entry, the unread count, the language and the viewer kind each change the shell', () => {
    const groups = renderPage({ ctx: context({ path: '/groups' }), title: 'Groups' });
    const library = renderPage({ ctx: context({ path: '/resources?kind=toolkit' }), title: 'Library' });
    assert.deepEqual(all(groups, /<a href="([^"]*)" class="convene-nav__link" aria-current="page">/g), ['/groups']);
    assert.deepEqual(all(library, /<a href="([^"]*)" class="convene-nav__link" aria-current="page">/g), ['/resources']);

    const none = renderPage({ ctx: context({ path: '/groups', unread: 0 }), title: 'Groups' });
    const three = renderPage({ ctx: context({ path: '/groups', unread: 3 }), title: 'Groups' });
    assert.doesNotMatch(none, /convene-badge/);
    assert.match(three, /<span class="convene-badge" aria-hidden="true">3<\/span>/);

    const spanish = renderPage({ ctx: context({ path: '/groups', locale: 'es' }), title: 'Grupos' });
    assert.match(spanish, /<html lang="es">/);
    assert.match(spanish, /href="\/language\/en\?next=%2Fgroups"/);

    const ctx = context({ path: '/groups/a', actor: visitor });
    const signedOut = renderPage({ ctx, title: 'Group' });
    assert.match(signedOut, /href="\/login\?next=%2Fgroups%2Fa"/);
    assert.doesNotMatch(signedOut, /_csrf|\/logout/, 'no sign-out form for visitors');
    assert.equal(ctx.tokens, 0, 'a visitor page asks for no token (so it may be cached)');

    const admin = renderPage({ ctx: context({ path: '/admin/audit', admin: true }), title: 'Audit' });
    assert.deepEqual(all(admin, /<a href="([^"]*)" class="convene-nav__link" aria-current="page">/g), ['/admin']);
    assert.doesNotMatch(renderPage({ ctx: context({ path: '/admin/audit' }), title: 'Audit' }), /href="\/admin"/, 'a member’s shell has no admin entry');
  });

  test('text in the page that looks like a slot is left as written', () => {
    const fake = 'convene-csrf-0123456789abcdef0123456789abcdef';
    const html = renderPage({ ctx: context({ path: `/search?q=${fake}`, token: 'token-z' }), title: fake, children: fake });
    assert.equal(html.split(fake).length - 1, 4, 'the title, the h1, the address to come back to and the body keep the text');
    assert.deepEqual(all(html, /name="_csrf" value="([^"]*)"/g), ['token-z']);
  });
});
