/**
 * A person's picture beside their name: their photo when they have one and
 * the viewer may see it (the caller decides: `photo` is its version, or null),
 * otherwise their initials on a colour chosen from their id. Always
 * decorative (`alt=""`, hidden from screen readers): the name is next to it.
 */
export function Avatar({ person, size = 'sm' }: { person: { id: number; name: string | null; photo: number | null }; size?: 'sm' | 'lg' }) {
  const cls = `convene-avatar convene-avatar--${size}`;
  if (person.photo !== null) {
    const px = size === 'lg' ? 160 : 40;
    return <img class={cls} src={`/people/${person.id}/photo/${person.photo}`} alt="" width={px} height={px} loading="lazy" decoding="async" />;
  }
  return (
    <span class={`${cls} convene-avatar--initials convene-avatar--c${person.id % AVATAR_COLOURS}`} aria-hidden="true">
      {initials(person.name)}
    </span>
  );
}

/** How many background colours initials take (convene.css, each with white text at 4.5:1 or more). */
export const AVATAR_COLOURS = 6;

/** First letters of the first and last words of a name ("Rosa María Delgado" → "RD"); "?" without a name. */
export function initials(name: string | null): string {
  const words = (name ?? '').trim().split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w));
  if (words.length === 0) return '?';
  const first = (w: string) => Array.from(w.replace(/^[^\p{L}\p{N}]+/u, ''))[0] ?? '';
  const letters = words.length === 1 ? first(words[0]!) : first(words[0]!) + first(words[words.length - 1]!);
  return letters.toLocaleUpperCase();
}
