import { AppError } from '../platform/http/errors.js';
import { type Annotator, unknownAcronyms } from './annotate.js';

/**
 * The jargon check for text meant for families or youth: glossary acronyms
 * used without their expansion, glossary terms, and acronyms the glossary does
 * not know. Throws a 422 `jargon_check` the author answers by editing or by
 * publishing as it is; nothing is blocked silently.
 */
export function checkJargon(annotator: Annotator, acknowledged: boolean | undefined, ...texts: (string | undefined)[]): void {
  if (acknowledged) return;
  const text = texts.filter(Boolean).join('\n\n');
  if (!text.trim()) return;
  const lower = text.toLowerCase();
  const unexplained = annotator
    .find(text)
    .filter((e) => !(e.acronym && lower.includes(e.term.toLowerCase())))
    .map((e) => (e.acronym && text.includes(e.acronym) ? e.acronym : e.term));
  const unknown = unknownAcronyms(text, annotator);
  if (unexplained.length === 0 && unknown.length === 0) return;
  const message = (t: (k: string, v?: Record<string, unknown>) => string) =>
    [unexplained.length ? t('jargon.terms', { list: unexplained.join(', ') }) : '', unknown.length ? t('jargon.unknown', { list: unknown.join(', ') }) : ''].filter(Boolean).join(' ');
  throw new AppError('jargon_check', { fields: { acknowledge_jargon: message, _jargon_unknown: unknown.join(',') } });
}
