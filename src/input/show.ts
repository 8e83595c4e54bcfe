/**
 * File text echoed in a message (a cell, a header name, an NDJSON line) is escaped, so that
 * what the terminal receives is plain visible text: no control bytes, ANSI escapes, bidi
 * overrides or raw binary, whatever the file holds. Long text is cut.
 */

/** Longest piece of file text a message shows, in characters. */
export const SHOWN_MAX = 60;

/** Invisible or terminal-controlling characters JSON.stringify leaves as they are: DEL and C1, bidi and zero-width marks, BOM. */
const UNSAFE = /[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/g;

/** The text as a quoted, escaped string ("abc", "\u001b[31m…"), cut to SHOWN_MAX characters. */
export function shownText(text: string): string {
  const chars = Array.from(text);
  const cut = chars.length > SHOWN_MAX ? `${chars.slice(0, SHOWN_MAX).join('')}…` : text;
  return JSON.stringify(cut).replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A header name: as it is when it is plainly printable (p, score, p_0), else as shownText. */
export function shownName(name: string): string {
  return /^[\p{L}\p{N}_.+\- ]{1,60}$/u.test(name) && name.trim() === name ? name : shownText(name);
}
