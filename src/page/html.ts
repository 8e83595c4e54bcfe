import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The page as one HTML file (node side): the browser bundle and the style sheet that the build
 * writes next to the CLI (dist/page.js, dist/page.css), inlined, and the page's data as a JSON
 * block that is never executed. The Content-Security-Policy allows exactly that script and
 * that style, by hash, and nothing else: no request can leave the page, and markup that
 * slipped past an escape could not run a script or load anything.
 */

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

function asset(name: string): string {
  try {
    return readFileSync(join(__dirname, name), 'utf8');
  } catch {
    throw new Error(`the page's ${name} is missing next to the CLI (${__dirname}); run npm run build`);
  }
}

/** JSON that cannot end the <script> element it sits in (nor open a comment): every < escaped. */
function jsonBlock(data: unknown): string {
  return JSON.stringify(data).replace(/</g, '\\u003c');
}

export function pageHtml(title: string, data: unknown): string {
  const script = asset('page.js');
  const style = asset('page.css');
  // esbuild escapes "</script" in strings; a change there must not let the script end early
  if (/<\/(script|style)|<!--/i.test(script + style))
    throw new Error("the page's script or style contains </script, </style or <!--");
  const csp = [
    `default-src 'none'`,
    `script-src ${sha256(script)}`,
    `style-src ${sha256(style)}`,
    `img-src 'none'`,
    `base-uri 'none'`,
    `form-action 'none'`,
  ].join('; ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</title>
<style>${style}</style>
</head>
<body>
<div id="app"><noscript>This page computes with JavaScript; please allow scripts for this file.</noscript></div>
<script type="application/json" id="focal-data">${jsonBlock(data)}</script>
<script>${script}</script>
</body>
</html>
`;
}
