import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Annotator, unknownAcronyms } from './annotate.js';
import { renderMarkdown } from '../discussions/markdown.js';

const a = new Annotator([
  { slug: 'iep', term: 'Individualized Education Program', acronym: 'IEP', alternates: ['Programa de Educación Individualizado', 'PEI'] },
  { slug: 'lre', term: 'least restrictive environment', acronym: 'LRE' },
  { slug: 'wraparound', term: 'wraparound', acronym: null },
  { slug: 'evil', term: 'evil"><script>alert(1)</script>', acronym: null },
  { slug: 'pbis', term: 'Positive Behavioral Interventions and Supports', acronym: 'PBIS' },
]);

const text = (html: string) => html.replace(/<[^>]+>/g, '');

describe('glossary annotation', () => {
  test('marks the first occurrence only, with a link that works without script', () => {
    const html = renderMarkdown('The IEP team met. Every IEP needs a review.');
    const out = a.annotate(html);
    assert.equal((out.match(/class="convene-term"/g) ?? []).length, 1);
    assert.match(out, /<a class="convene-term" href="\/glossary\/iep" data-term="iep"><abbr title="Individualized Education Program">IEP<\/abbr><\/a> team/);
    assert.equal(text(out), text(html), 'the words are unchanged');
  });

  test('characters outside the basic plane and accents around terms: matched where they stand, text unchanged', () => {
    const html = renderMarkdown('🙂 wraparound 😀 then 𝒜LRE and LRE🙂, la Programa de Educación Individualizado aquí');
    const out = a.annotate(html);
    assert.equal(text(out), text(html), 'the words are unchanged');
    assert.match(out, /🙂 <a class="convene-term" href="\/glossary\/wraparound" data-term="wraparound">wraparound<\/a> 😀/);
    // A letter from outside the basic plane is part of the word: no match there; the next LRE is marked.
    assert.match(out, /𝒜LRE and <a class="convene-term" href="\/glossary\/lre" data-term="lre"><abbr title="least restrictive environment">LRE<\/abbr><\/a>🙂/);
    assert.match(out, /la <a class="convene-term" href="\/glossary\/iep" data-term="iep">Programa de Educación Individualizado<\/a> aquí/);
  });

  test('word boundaries: no match inside longer words', () => {
    assert.doesNotMatch(a.annotate(renderMarkdown('TIEPOLO and IEPs? KEIEP')), /convene-term/);
    assert.match(a.annotate(renderMarkdown('(IEP).')), /data-term="iep"/);
  });

  test('acronyms match only in their exact case; terms in any case', () => {
    assert.doesNotMatch(a.annotate(renderMarkdown('an iep or Iep')), /convene-term/);
    assert.match(a.annotate(renderMarkdown('the Least Restrictive Environment matters')), /data-term="lre">Least Restrictive Environment</);
    assert.match(a.annotate(renderMarkdown('Wraparound services')), /data-term="wraparound"/);
  });

  test('leaves code, links and headings alone', () => {
    const out = a.annotate(renderMarkdown('# IEP basics\n\n`IEP` and [IEP](https://example.org) and\n\n```\nIEP\n```\n\nfinally IEP'));
    assert.equal((out.match(/convene-term/g) ?? []).length, 1);
    assert.match(out, /finally <a class="convene-term"/);
    assert.match(out, /<code>IEP<\/code>/);
  });

  test('the longest match wins and a page marks each term once across bodies', () => {
    const out = a.annotate(renderMarkdown('Positive Behavioral Interventions and Supports (PBIS) help.'));
    assert.equal((out.match(/data-term="pbis"/g) ?? []).length, 1);
    assert.match(out, /data-term="pbis">Positive Behavioral Interventions and Supports</);
    const seen = new Set<number>();
    const one = a.annotate('<p>IEP</p>', seen);
    const two = a.annotate('<p>IEP and LRE</p>', seen);
    assert.match(one, /data-term="iep"/);
    assert.doesNotMatch(two, /data-term="iep"/);
    assert.match(two, /data-term="lre"/);
  });

  test('Spanish names and acronyms lead to the same entry', () => {
    assert.match(a.annotate('<p>Su PEI dice…</p>'), /data-term="iep">PEI</);
    assert.match(a.annotate('<p>El programa de educación individualizado</p>'), /data-term="iep"/);
  });

  test('terms with markup characters are escaped, never injected', () => {
    const out = a.annotate('<p>evil&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt; here</p>');
    assert.doesNotMatch(out, /<script>/);
    const b = new Annotator([{ slug: 'x', term: 'Family Voice', acronym: 'FV', alternates: [] }]);
    assert.doesNotMatch(b.annotate('<p>"FV"</p>'), /<script/);
  });

  test('finds unknown acronyms for the jargon check', () => {
    assert.deepEqual(unknownAcronyms('Our IEP and FBA process, with a BIP. I said OK.', a), ['FBA', 'BIP']);
  });

  test('2,000 terms over a long post stays fast', () => {
    const entries = Array.from({ length: 2000 }, (_, i) => ({ slug: `t${i}`, term: `term number ${i}`, acronym: `T${i}X` }));
    const big = new Annotator(entries);
    const html = renderMarkdown(Array.from({ length: 200 }, (_, i) => `Paragraph ${i} mentions term number ${i} and T${i * 3}X in passing, among ordinary words.`).join('\n\n'));
    const t0 = performance.now();
    const out = big.annotate(html);
    assert.ok(performance.now() - t0 < 1000);
    // 200 terms, plus the 133 acronyms whose term was not already marked.
    assert.equal((out.match(/convene-term/g) ?? []).length, 333);
  });
});

test('the automaton as a table finds exactly what the map lookups find (patterns sharing prefixes and suffixes, accents, acronyms, long and short text)', () => {
  const entries = [
    { slug: 'he', term: 'he', acronym: null },
    { slug: 'she', term: 'she', acronym: 'SHE' },
    { slug: 'his', term: 'his', acronym: null },
    { slug: 'hers', term: 'hers', acronym: null },
    { slug: 'school', term: 'school behavioral health', acronym: 'SBH', alternates: ['salud conductual escolar', 'SCE'] },
    { slug: 'school-climate', term: 'school climate', acronym: null },
    { slug: 'mtss', term: 'multi-tiered system of supports', acronym: 'MTSS', alternates: ['sistema de apoyo de múltiples niveles'] },
    { slug: 'k12', term: 'K-12', acronym: null },
    { slug: 'nino', term: 'niño', acronym: null },
  ];
  const table = new Annotator(entries);
  const maps = new Annotator(entries, 0);
  // Every match, before the page's first-occurrence rule hides repeats.
  const matchesOf = (a: Annotator, text: string) => (a as unknown as { matches(t: string): unknown[] }).matches(text);
  const words = ['he', 'she', 'his', 'hers', 'ushers', 'school', 'School', 'climate', 'behavioral', 'health', 'SBH', 'sbh', 'SCE', 'salud', 'conductual', 'escolar', 'MTSS', 'multi-tiered', 'system', 'of', 'supports', 'K-12', 'niño', 'NIÑO', 'niños', 'İstanbul', '😀', 'and', 'the', '—', '.', ','];
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
  for (let i = 0; i < 400; i++) {
    const n = 1 + (next() % 40);
    const body = Array.from({ length: n }, () => words[next() % words.length]).join(next() % 3 ? ' ' : '');
    assert.deepEqual(matchesOf(table, body), matchesOf(maps, body), body);
    const html = `<p>${body}</p><p><a href="/x">${body}</a> ${body}</p>`;
    assert.equal(table.annotate(html), maps.annotate(html), body);
  }
  // A partial match that fails part-way hands over to a pattern starting inside it.
  assert.match(table.annotate('<p>school he</p>'), /data-term="he"/);
  assert.match(table.annotate('<p>She said school behavioral health, then hers.</p>'), /data-term="she"[^]*data-term="school"[^]*data-term="hers"/);
});
