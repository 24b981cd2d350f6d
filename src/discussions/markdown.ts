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
export const RENDER_VERSION = 1;

const md = new MarkdownIt('commonmark', {
  html: false,
  linkify: true,
  typographer: false,
  breaks: false,
  // Deeply nested input (thousands of "> > > >" or "[[[[") must stay cheap.
  maxNesting: 40,
})
  .enable(['table', 'strikethrough', 'linkify'])
  .use(taskLists, { enabled: false, label: true });

// Only web and mail links; everything else (javascript:, data:, vbscript:) is dropped by the parser.
md.validateLink = (url: string) => /^(https?:|mailto:|\/|#)/i.test(url.trim()) || !/^[a-z][a-z0-9+.-]*:/i.test(url.trim());

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [
    'p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'code', 'em', 'strong', 's', 'del',
    'a', 'ul', 'ol', 'li', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'input', 'label',
  ],
  allowedAttributes: {
    a: ['href', 'title', 'rel'],
    ol: ['start'],
    th: ['style'],
    td: ['style'],
    input: ['type', 'checked', 'disabled', 'class', 'id'],
    li: ['class'],
    ul: ['class'],
    label: ['for', 'class'],
    code: ['class'],
  },
  allowedClasses: { li: ['task-list-item'], ul: ['contains-task-list'], input: ['task-list-item-checkbox'], label: ['task-list-item-label'], code: [/^language-[a-z0-9-]+$/] },
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
export function renderMarkdown(source: string): string {
  let html: string;
  try {
    html = md.render(source);
  } catch {
    // The parser gives up on pathological input: show it as plain text.
    html = `<p>${md.utils.escapeHtml(source)}</p>`;
  }
  return sanitizeHtml(html, SANITIZE);
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
