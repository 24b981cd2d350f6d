import MarkdownIt from 'markdown-it';
import taskLists from 'markdown-it-task-lists';
import sanitizeHtml from 'sanitize-html';

/**
 * Markdown for posts: CommonMark plus GFM tables, strikethrough, autolinks and
 * task lists, rendered on the server. Raw HTML in the source is escaped by the
 * parser (html: false), and the output then goes through an allowlist
 * sanitizer, so nothing unsanitized ever reaches a page. Bump RENDER_VERSION
 * whenever the output for the same text would change: cached HTML older than
 * it is re-rendered on read.
 */
export const RENDER_VERSION = 2;

const md = new MarkdownIt('commonmark', {
  html: false,
  linkify: true,
  typographer: false,
  breaks: false,
  // Deeply nested input (thousands of "> > > >" or "[[[[") must stay cheap.
  // Deep nesting costs the parser and the sanitizer far more than it gives a reader.
  maxNesting: 20,
})
  .enable(['table', 'strikethrough', 'linkify'])
  .use(taskLists, { enabled: false, label: true });

/** An @mention: a handle of 2–30 letters, digits or underscores, not inside a word or an address. */
const MENTION = /(^|[^A-Za-z0-9_@/.])@([A-Za-z0-9][A-Za-z0-9_]{1,29})(?![A-Za-z0-9_])/g;

/**
 * Turns @handle in ordinary text into a link to /u/handle (which leads to the
 * profile). Code spans, code blocks and existing links are left alone. The
 * link carries no person id, so rendering needs no database and cached HTML
 * never goes stale when someone changes their handle (the link just stops
 * resolving).
 */
md.core.ruler.push('mentions', (state) => {
  for (const block of state.tokens) {
    if (block.type !== 'inline' || !block.children) continue;
    const out: typeof block.children = [];
    let inLink = 0;
    for (const tok of block.children) {
      if (tok.type === 'link_open') inLink++;
      if (tok.type === 'link_close') inLink--;
      if (tok.type !== 'text' || inLink > 0 || !tok.content.includes('@')) {
        out.push(tok);
        continue;
      }
      let last = 0;
      const text = tok.content;
      for (const m of text.matchAll(MENTION)) {
        const at = m.index! + m[1]!.length;
        if (at > last) out.push(Object.assign(new state.Token('text', '', 0), { content: text.slice(last, at) }));
        const open = new state.Token('link_open', 'a', 1);
        open.attrs = [['href', `/u/${m[2]!.toLowerCase()}`], ['class', 'mention']];
        out.push(open, Object.assign(new state.Token('text', '', 0), { content: `@${m[2]}` }), new state.Token('link_close', 'a', -1));
        last = at + 1 + m[2]!.length;
      }
      if (last === 0) out.push(tok);
      else if (last < text.length) out.push(Object.assign(new state.Token('text', '', 0), { content: text.slice(last) }));
    }
    block.children = out;
  }
});

// Only web and mail links; everything else (javascript:, data:, vbscript:) is dropped by the parser.
md.validateLink = (url: string) => /^(https?:|mailto:|\/|#)/i.test(url.trim()) || !/^[a-z][a-z0-9+.-]*:/i.test(url.trim());

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [
    'p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'code', 'em', 'strong', 's', 'del',
    'a', 'ul', 'ol', 'li', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'input', 'label',
  ],
  allowedAttributes: {
    a: ['href', 'title', 'rel', 'class'],
    ol: ['start'],
    th: ['style'],
    td: ['style'],
    input: ['type', 'checked', 'disabled', 'class', 'id'],
    li: ['class'],
    ul: ['class'],
    label: ['for', 'class'],
    code: ['class'],
  },
  allowedClasses: { a: ['mention'], li: ['task-list-item'], ul: ['contains-task-list'], input: ['task-list-item-checkbox'], label: ['task-list-item-label'], code: [/^language-[a-z0-9-]+$/] },
  allowedStyles: { th: { 'text-align': [/^(left|right|center)$/] }, td: { 'text-align': [/^(left|right|center)$/] } },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'escape',
  transformTags: {
    // People's links open as ordinary links but carry no ranking and no referrer.
    a: sanitizeHtml.simpleTransform('a', { rel: 'nofollow ugc noopener noreferrer' }),
    // Task-list boxes are shown, not edited.
    input: (tagName, attribs) => (attribs.type === 'checkbox' ? { tagName, attribs: { ...attribs, disabled: 'disabled' } } : { tagName: 'span', attribs: {} }),
    // Headings inside a post sit below the page's own h1/h2.
    h1: 'h3',
    h2: 'h4',
  },
};

/** Renders post Markdown to safe HTML. */
/**
 * What one message may hold before its rendering cost grows out of bounds
 * (tens of thousands of table rows or emphasis markers make the parser and
 * sanitizer run for seconds). Far above what a person writes.
 */
export const MARKDOWN_LIMITS = { tableRows: 1_000, markers: 4_000, lines: 5_000 };

/** Which limit a Markdown text is over, if any (code is not counted: markers there are literal). */
export function markdownOverLimit(source: string): keyof typeof MARKDOWN_LIMITS | undefined {
  const prose = source.replace(/```[\s\S]*?(```|$)/g, '').replace(/`[^`\n]*`/g, '');
  let rows = 0;
  let lines = 0;
  for (const line of prose.split('\n')) {
    lines++;
    if (/^\s*\|/.test(line)) rows++;
  }
  if (rows > MARKDOWN_LIMITS.tableRows) return 'tableRows';
  if (lines > MARKDOWN_LIMITS.lines) return 'lines';
  let markers = 0;
  for (let i = 0; i < prose.length; i++) {
    const c = prose.charCodeAt(i);
    // * _ ~ [ ] < >
    if (c === 42 || c === 95 || c === 126 || c === 91 || c === 93 || c === 60 || c === 62) markers++;
  }
  return markers > MARKDOWN_LIMITS.markers ? 'markers' : undefined;
}

export function renderMarkdown(source: string): string {
  let html: string;
  // Past the limits (text that never went through a posting command), show it as plain text.
  if (markdownOverLimit(source)) return `<p>${md.utils.escapeHtml(source).replace(/\n/g, '<br>')}</p>`;
  try {
    html = md.render(source);
  } catch {
    // The parser gives up on pathological input: show it as plain text.
    html = `<p>${md.utils.escapeHtml(source)}</p>`;
  }
  return sanitizeHtml(html, SANITIZE);
}

/** The handles @mentioned in rendered post HTML, lower-cased, each once. */
export function mentionedHandles(html: string): string[] {
  return [...new Set([...html.matchAll(/<a href="\/u\/([a-z0-9_]{2,30})" class="mention"/g)].map((m) => m[1]!))];
}

/** Thread ids a post's HTML links to (relative links or links to this site). */
export function linkedThreadIds(html: string, baseUrl: string): number[] {
  const base = baseUrl.replace(/\/$/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`href="(?:${base})?/threads/(\\d{1,15})(?:[#?][^"]*)?"`, 'g');
  return [...new Set([...html.matchAll(re)].map((m) => Number(m[1])))];
}

/** How many links a post's HTML carries (for new members' limits). */
export function linkCount(html: string): number {
  return [...html.matchAll(/<a href="(?!\/u\/)/g)].length;
}

/** A short plain-text excerpt of Markdown, for lists and notifications. */
export function excerpt(source: string, max = 200): string {
  const text = sanitizeHtml(md.render(source), { allowedTags: [], allowedAttributes: {} })
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > max ? text.slice(0, max - 1).trimEnd() + '…' : text;
}
