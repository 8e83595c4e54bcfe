/**
 * The plain fallback: on a terminal that cannot show Unicode (a non-UTF-8 locale such as
 * LANG=C, or TERM=dumb) tables and charts are drawn in ASCII and symbols are spelt out.
 */

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Whether output for people should be plain ASCII. The locale is the first of LC_ALL, LC_CTYPE
 * and LANG that is set (POSIX precedence); one that does not name UTF-8 (C, POSIX,
 * en_US.ISO-8859-1) means plain. With none set there is nothing to go by, and Unicode is
 * assumed, as Node itself does (and as Windows terminals expect).
 */
export function plainOutput(env: Env): boolean {
  if (env.TERM === 'dumb') return true;
  const locale = [env.LC_ALL, env.LC_CTYPE, env.LANG].find((v) => v !== undefined && v !== '');
  return locale !== undefined && !/utf-?8/i.test(locale);
}

const WORDS: Readonly<Record<string, string>> = {
  γ: 'gamma',
  α: 'alpha',
  β: 'beta',
  π: 'pi',
  ε: 'epsilon',
  σ: 'sigma',
  '−': '-',
  '–': '-',
  '—': '-',
  '·': '*',
  '×': 'x',
  '≥': '>=',
  '≤': '<=',
  '≈': '~',
  '∈': 'in',
  '∞': 'inf',
  '±': '+-',
  '…': '...',
  '§': 'section ',
  '₊': '+',
  '₋': '-',
  '‘': "'",
  '’': "'",
  '“': '"',
  '”': '"',
  // the reliability diagram's gap shades (lightest first) and its count strip's bar heights
  '░': '.',
  '▒': ':',
  '▓': '=',
  '▁': '_',
  '▂': '.',
  '▃': ',',
  '▄': '-',
  '▅': '~',
  '▆': '+',
  '▇': '*',
  '█': '#',
  // box drawing (tables, chart axes): one character for one, so widths are kept
  '─': '-',
  '│': '|',
  '┌': '+',
  '┐': '+',
  '└': '+',
  '┘': '+',
  '├': '+',
  '┤': '+',
  '┬': '+',
  '┴': '+',
  '┼': '+',
};

const SUPERSCRIPTS = '⁰¹²³⁴⁵⁶⁷⁸⁹';
// Built from strings, not a regex literal: esbuild escapes non-ASCII in strings but not in
// regex literals, and one such character makes V8 hold the whole CLI bundle as a two-byte string.
const SUPERSCRIPT_RUN = new RegExp(`[⁻${SUPERSCRIPTS}]+`, 'g');

/** ASCII for text shown to people: γ → gamma, 10⁶ → 10^6, ² → ^2, − → -; anything else unknown → ?. */
export function plainText(text: string): string {
  return text
    .replace(
      SUPERSCRIPT_RUN,
      (s) => `^${[...s].map((c) => (c === '⁻' ? '-' : String(SUPERSCRIPTS.indexOf(c)))).join('')}`,
    )
    .replace(/[^\x00-\x7f]/g, (c) => WORDS[c] ?? '?');
}

/** cli-table3's border characters in ASCII. */
export const PLAIN_TABLE_CHARS = {
  top: '-',
  'top-mid': '+',
  'top-left': '+',
  'top-right': '+',
  bottom: '-',
  'bottom-mid': '+',
  'bottom-left': '+',
  'bottom-right': '+',
  left: '|',
  'left-mid': '+',
  mid: '-',
  'mid-mid': '+',
  right: '|',
  'right-mid': '+',
  middle: '|',
} as const;
