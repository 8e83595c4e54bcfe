import { renderDelimited, renderJson, renderNdjson } from './machine.js';
import type { Format, Report } from './report.js';

export {
  FORMATS,
  type Cell,
  type Column,
  type Format,
  type Report,
  type Row,
  type Section,
  type SummaryItem,
} from './report.js';
export { NonFiniteOutputError } from './machine.js';

export interface RenderOptions {
  format: Format;
  precision: number;
  color: boolean;
  /** tables in ASCII (a non-UTF-8 locale or TERM=dumb) */
  plain?: boolean;
}

/** Every command's output goes through here: the chunks of text to write, in order. */
export async function render(
  report: Report,
  options: RenderOptions,
): Promise<AsyncIterable<string> | Iterable<string>> {
  switch (options.format) {
    case 'json':
      return renderJson(report);
    case 'ndjson':
      return renderNdjson(report);
    case 'csv':
      return renderDelimited(report, ',');
    case 'tsv':
      return renderDelimited(report, '\t');
    case 'table': {
      const { renderTable } = await import('./table.js');
      return [await renderTable(report, options)];
    }
  }
}
