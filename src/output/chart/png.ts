import { createRequire } from 'node:module';
import { UsageError } from '../../cli/errors.js';

/**
 * SVG → PNG with resvg (@resvg/resvg-js: a Rust renderer shipped as prebuilt binaries inside
 * npm packages, so it installs from the registry alone). An optional dependency, loaded only
 * here; text uses the system's fonts.
 */
export function svgToPng(svg: string, width: number): Buffer {
  const require = createRequire(__filename);
  let Resvg: typeof import('@resvg/resvg-js').Resvg;
  try {
    ({ Resvg } = require('@resvg/resvg-js') as typeof import('@resvg/resvg-js'));
  } catch {
    throw new UsageError(
      'PNG output needs the optional package @resvg/resvg-js, which is not installed here; install it (npm install @resvg/resvg-js) or write --out FILE.svg.',
    );
  }
  const renderer = new Resvg(svg, {
    fitTo: { mode: 'width', value: width },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    background: '#ffffff',
  });
  return renderer.render().asPng();
}
