/**
 * Markdown and HTML artifacts are written by components, so they are untrusted: both are rendered
 * only after DOMPurify has removed scripts, event handlers (onerror=…), javascript: URLs, forms and
 * frames. Links open in a new tab without access to this page.
 */
import DOMPurify from 'dompurify';
import { Marked } from 'marked';

const markdown = new Marked({ gfm: true, async: false });

const CONFIG = {
  USE_PROFILES: { html: true },
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'frame', 'object', 'embed', 'base', 'meta', 'link'],
  FORBID_ATTR: ['style', 'srcset'],
};

let hooked = false;
function ensureHooks(): void {
  if (hooked) return;
  hooked = true;
  // Links leave the app in a new tab that cannot reach back (window.opener).
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    if (node instanceof Element && node.tagName === 'A' && node.hasAttribute('href')) {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer nofollow');
    }
  });
}

export function sanitizeHtml(html: string): string {
  ensureHooks();
  return DOMPurify.sanitize(html, CONFIG);
}

export function markdownToSafeHtml(text: string): string {
  return sanitizeHtml(markdown.parse(text, { async: false }));
}
