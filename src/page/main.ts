import { startExplorer } from './explorer.js';
import { startReport, type ReportPageData } from './report.js';

/**
 * The page's one script. What to show comes from the JSON data block the page was written
 * with (<script type="application/json" id="focal-data">, never executed): the explorer, or a
 * report.
 */
type PageData = { mode: 'explorer' } | ReportPageData;

function start(): void {
  const root = document.getElementById('app')!;
  const data = JSON.parse(document.getElementById('focal-data')?.textContent ?? '{"mode":"explorer"}') as PageData;
  if (data.mode === 'report') startReport(root, data);
  else startExplorer(root);
}

start();
