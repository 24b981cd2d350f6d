import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import i18next from 'i18next';
import { en } from './en.js';
import { es } from './es.js';
import { LOCALES, fillPlain, translator } from './i18n.js';

/** Every message key with its text, flattened ("groups.manage_member"). */
function messages(tree: Record<string, unknown>, prefix = ''): [string, string][] {
  return Object.entries(tree).flatMap(([k, v]) => (typeof v === 'string' ? [[prefix + k, v] as [string, string]] : messages(v as Record<string, unknown>, `${prefix}${k}.`)));
}

/** i18next configured as the app configures it, to compare the quick paths with. */
async function i18nextReference() {
  const reference = i18next.createInstance();
  await reference.init({ resources: { en: { translation: en }, es: { translation: es } }, lng: 'en', fallbackLng: 'en', interpolation: { escapeValue: false }, showSupportNotice: false });
  return reference;
}

describe('translations with values', () => {
  test('the quick fill agrees with i18next on every message with placeholders, in both languages', async () => {
    const reference = await i18nextReference();
    let checked = 0;
    for (const locale of LOCALES) {
      const t = translator(locale);
      const slow = reference.getFixedT(locale);
      for (const [key, text] of messages((locale === 'en' ? en : es) as Record<string, unknown>)) {
        const names = [...text.matchAll(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!);
        if (names.length === 0 || names.includes('count')) continue;
        const base = key.replace(/_(one|other|zero|few|many)$/, '');
        const vars = Object.fromEntries(names.map((n, i) => [n, i % 2 ? 1234 : `Ana <b> & "Luis" ${n}`]));
        assert.equal(t(base, vars), String(slow(base, vars as never)), `${locale}: ${base}`);
        checked++;
      }
    }
    assert.ok(checked > 50, `checked ${checked} messages`);
  });

  test('plural forms chosen here agree with i18next for every plural message and count, in both languages', async () => {
    const reference = await i18nextReference();
    let checked = 0;
    for (const locale of LOCALES) {
      const t = translator(locale);
      const slow = reference.getFixedT(locale);
      const plurals = new Map<string, string>();
      for (const [key, text] of messages((locale === 'en' ? en : es) as Record<string, unknown>)) {
        if (/_(one|other)$/.test(key) || /\{\{\s*count\b/.test(text)) plurals.set(key.replace(/_(one|other|zero|few|many)$/, ''), text);
      }
      for (const [base, text] of plurals) {
        const names = [...text.matchAll(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!).filter((n) => n !== 'count');
        for (const count of [0, 1, 2, 5, 1000]) {
          const vars = { ...Object.fromEntries(names.map((n) => [n, `Ana & ${n}`])), count };
          assert.equal(t(base, vars), String(slow(base, vars as never)), `${locale}: ${base} (${count})`);
          checked++;
        }
      }
    }
    assert.ok(checked > 100, `checked ${checked} plural messages`);
  });

  test('plurals, missing values and options go to i18next', () => {
    assert.equal(fillPlain('Hello {{name}}', { name: 'Ana' }), 'Hello Ana');
    assert.equal(fillPlain('{{n}} items', { n: 3 }), '3 items');
    assert.equal(fillPlain('Hello {{name}}', {}), undefined, 'a missing value');
    assert.equal(fillPlain('{{count}} posts', { count: 2 }), undefined, 'plural');
    assert.equal(fillPlain('Hi {{name}}', { name: { first: 'Ana' } }), undefined, 'not a scalar');
    assert.equal(fillPlain('Total {{value, number}}', { value: 3 }), undefined, 'a format');
    assert.equal(fillPlain('See $t(other.key) {{name}}', { name: 'x' }), undefined, 'nesting');
    const t = translator('en');
    assert.match(t('discussions.live_new', { count: 2 }), /2/);
  });
});
