import {
  CURVE_KINDS,
  curveValue,
  LN_OF_BASE,
  LOSS_NAMES,
  lossShares,
  priorComparison,
  type BinaryInputKind,
  type CurveKind,
  type LogBase,
  type LossName,
} from '../core/index.js';
import {
  alphas as parseAlphas,
  count as parseCount,
  gammas as parseGammas,
  labels as parseLabels,
  logitSeq,
  numberIn,
  probabilitySeq,
  type NumberSeq,
} from '../cli/values.js';
import { checkGrid, compareRows } from '../commands/compare-grid.js';
import { FAMILY_VALUES, familyOf, LOSS_LABELS, type FamilyOptionValues } from '../commands/family.js';
import { figureChart, figureCurves } from '../commands/plot-chart.js';
import { binaryColumns, GROUP_COLUMNS, groupRow } from '../commands/shared.js';
import { MAX_SERIES } from '../output/chart/model.js';
import { formatNumber } from '../output/human.js';
import type { Row } from '../output/report.js';
import { h, replace } from './dom.js';
import { chartView, dataTable, shareBar } from './views.js';

/**
 * The explorer: controls → state (strings, as typed) → the CLI's own parsers and the core →
 * views, the equivalent command lines, and the URL fragment. Every number comes from the same
 * functions `focal compare`, `plot`, `imbalance` and `prior` call.
 */

/** Every field of the state, in the fragment's order, with its default. */
const DEFAULTS = {
  gamma: '0,0.5,1,2,5',
  alpha: 'none',
  base: 'e',
  input: 'p',
  x: '0.9,0.1',
  y: '1,0',
  loss: 'ce,fl',
  beta: '',
  epsilon: '',
  'gamma-pos': '',
  'gamma-neg': '',
  clip: '',
  threshold: '',
  smoothing: '0',
  kind: 'loss',
  scale: 'auto',
  cgamma: '2',
  neg: '1000000',
  'neg-pt': '0.99',
  pos: '10',
  'pos-pt': '0.01',
  pi: '0.01',
  anchors: '100000',
  foreground: '0.001',
} as const;

type Key = keyof typeof DEFAULTS;
type State = Record<Key, string>;
const KEYS = Object.keys(DEFAULTS) as Key[];
/** e, 2, 10: the bases the core knows (what --log-base takes) */
const LOG_BASES_LIST = Object.keys(LN_OF_BASE) as LogBase[];

const CHOICES: Partial<Record<Key, readonly string[]>> = {
  base: LOG_BASES_LIST,
  input: ['p', 'logit', 'pt'],
  kind: CURVE_KINDS,
  scale: ['auto', 'linear', 'log'],
};

/** The family's parameters: state key → option name → parser key. */
const FAMILY_FIELDS = [
  ['beta', 'beta', 'beta', 'FL*: β (default 0)'],
  ['epsilon', 'epsilon', 'epsilon', 'Poly-1: ε (default 1)'],
  ['gamma-pos', 'gamma-pos', 'gammaPos', 'ASL: γ+ (default 0)'],
  ['gamma-neg', 'gamma-neg', 'gammaNeg', 'ASL: γ− (default 4)'],
  ['clip', 'clip', 'clip', 'ASL: margin m (default 0.05)'],
  ['threshold', 'threshold', 'threshold', 'reduced FL: threshold (default 0.5)'],
] as const;

/** At most this many rows in the page's table (the CLI streams any number). */
const MAX_PAGE_ROWS = 2000;

// ---- the fragment: key=value&…, values percent-encoded except , : (lists and ranges stay readable)

const encode = (v: string) => encodeURIComponent(v).replace(/%2C/gi, ',').replace(/%3A/gi, ':');

export function stateToFragment(state: State): string {
  return KEYS.map((k) => `${k}=${encode(state[k])}`).join('&');
}

export function stateFromFragment(fragment: string): State {
  const state: State = { ...DEFAULTS };
  for (const part of fragment.replace(/^#/, '').split('&')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq) as Key;
    if (!(KEYS as string[]).includes(key)) continue;
    try {
      state[key] = decodeURIComponent(part.slice(eq + 1));
    } catch {
      // a malformed escape: keep the default
    }
  }
  for (const [key, choices] of Object.entries(CHOICES) as [Key, readonly string[]][]) {
    if (!choices.includes(state[key])) state[key] = DEFAULTS[key];
  }
  return state;
}

// ---- command lines

const SHELL_SAFE = /^[A-Za-z0-9_.,:=+/-]+$/;
const quote = (v: string) => (SHELL_SAFE.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`);
/** `--name value`, or `--name=value` when the value starts with '-' (commander would take it for an option). */
const opt = (name: string, value: string) =>
  value.startsWith('-') ? quote(`--${name}=${value}`) : `--${name} ${quote(value)}`;

// ---- parsing: the CLI's parsers; each field's error is its own

class FieldErrors {
  readonly errors = new Map<Key | 'grid', string>();
  get<T>(key: Key, parse: () => T): T | undefined {
    try {
      return parse();
    } catch (err) {
      this.errors.set(key, (err as Error).message);
      return undefined;
    }
  }
}

const probability = numberIn(0, 1, 'a probability is a number in [0, 1]');
const openProbability = numberIn(0, 1, 'a number strictly between 0 and 1', '()');

function one<T>(list: T[], what: string): T {
  if (list.length !== 1) throw new Error(`give one ${what} here.`);
  return list[0]!;
}

interface Parsed {
  gammas?: number[];
  alpha?: number | null;
  base: LogBase;
  kind: BinaryInputKind;
  values?: NumberSeq;
  ys?: number[];
  family: FamilyOptionValues;
  cgamma?: number;
}

function parse(state: State, e: FieldErrors): Parsed {
  const kind = state.input as BinaryInputKind;
  const family: FamilyOptionValues = {};
  const loss = state.loss.split(',').filter((n) => n !== '');
  if (loss.length === 0) e.errors.set('loss', 'choose at least one loss.');
  if (state.loss !== DEFAULTS.loss) family.loss = loss as LossName[];
  for (const [key, , parser] of FAMILY_FIELDS) {
    if (state[key].trim() !== '') family[parser] = e.get(key, () => FAMILY_VALUES[parser](state[key]));
  }
  family.labelSmoothing = e.get('smoothing', () => FAMILY_VALUES.labelSmoothing(state.smoothing));
  return {
    gammas: e.get('gamma', () => parseGammas(state.gamma, undefined)),
    alpha: e.get('alpha', () => one(parseAlphas(state.alpha, undefined), 'α (or none)')),
    base: state.base as LogBase,
    kind,
    values: e.get('x', () => (kind === 'logit' ? logitSeq : probabilitySeq)(state.x, undefined)),
    ys: e.get('y', () => parseLabels(state.y, undefined)),
    family,
    cgamma: e.get('cgamma', () => one(parseGammas(state.cgamma, undefined), 'γ')),
  };
}

// ---- the page

interface Fields {
  inputs: Map<Key, HTMLInputElement | HTMLSelectElement>;
  errors: Map<Key, HTMLElement>;
  losses: Map<LossName, HTMLInputElement>;
  sliders: Map<Key, HTMLInputElement>;
}

/** Sliders beside single-number fields: dragging one types its value into the field. */
const SLIDERS: Partial<Record<Key, { min: number; max: number; step: number; start: number }>> = {
  alpha: { min: 0, max: 1, step: 0.01, start: 0.25 },
  cgamma: { min: 0, max: 5, step: 0.1, start: 2 },
};

function textField(fields: Fields, key: Key, label: string, hint?: string): HTMLElement {
  const id = `f-${key}`;
  const input = h('input', {
    id,
    name: key,
    type: 'text',
    inputmode: key === 'alpha' ? 'text' : 'decimal',
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-describedby': `${id}-error${hint ? ` ${id}-hint` : ''}`,
  });
  const error = h('p', { id: `${id}-error`, class: 'error' });
  fields.inputs.set(key, input);
  fields.errors.set(key, error);
  const range = SLIDERS[key];
  let slider: HTMLInputElement | null = null;
  if (range) {
    slider = h('input', {
      id: `${id}-range`,
      type: 'range',
      min: range.min,
      max: range.max,
      step: range.step,
      'aria-label': `${label}, slider`,
    });
    slider.value = String(range.start); // where it rests while the field holds something else (α = none)
    slider.addEventListener('input', () => {
      input.value = slider!.value;
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    fields.sliders.set(key, slider);
  }
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    input,
    slider,
    hint ? h('p', { id: `${id}-hint`, class: 'hint' }, hint) : null,
    error,
  );
}

function selectField(
  fields: Fields,
  key: Key,
  label: string,
  options: readonly (readonly [string, string])[],
): HTMLElement {
  const id = `f-${key}`;
  const select = h('select', { id, name: key }, ...options.map(([value, text]) => h('option', { value }, text)));
  fields.inputs.set(key, select);
  return h('div', { class: 'field' }, h('label', { for: id }, label), select);
}

function commandLine(id: string, label: string): { box: HTMLElement; set(text: string | null): void } {
  const code = h('code', { id });
  const status = h('span', { class: 'copied', 'aria-live': 'polite' });
  const button = h('button', { type: 'button', 'aria-describedby': id }, 'Copy');
  button.addEventListener('click', () => {
    const text = code.textContent ?? '';
    const done = () => (status.textContent = 'copied');
    const fallback = () => {
      const area = h('textarea', { class: 'offscreen', readonly: true });
      area.value = text;
      document.body.appendChild(area);
      area.select();
      status.textContent = document.execCommand('copy') ? 'copied' : 'select the text and copy it';
      area.remove();
    };
    if (navigator.clipboard) navigator.clipboard.writeText(text).then(done, fallback);
    else fallback();
  });
  const box = h('div', { class: 'cmd' }, h('span', { class: 'cmd-label' }, label), code, button, status);
  return {
    box,
    set(text) {
      code.textContent = text ?? '(fix the marked fields first)';
      button.disabled = text === null;
      status.textContent = '';
    },
  };
}

export function startExplorer(root: HTMLElement): void {
  const fields: Fields = { inputs: new Map(), errors: new Map(), losses: new Map(), sliders: new Map() };
  const lossBoxes = LOSS_NAMES.map((name) => {
    const id = `f-loss-${name}`;
    const box = h('input', { id, type: 'checkbox', name: 'loss', value: name });
    fields.losses.set(name, box);
    return h('span', { class: 'check' }, box, h('label', { for: id }, `${LOSS_LABELS[name]} (${name})`));
  });
  const lossError = h('p', { id: 'f-loss-error', class: 'error' });
  fields.errors.set('loss', lossError);

  const form = h(
    'form',
    { id: 'controls', 'aria-label': 'Parameters' },
    h(
      'fieldset',
      {},
      h('legend', {}, 'Focal loss'),
      textField(
        fields,
        'gamma',
        'γ, one or several',
        'a comma list or a range start:stop:step, e.g. 0,0.5,1,2,5 or 0:5:1',
      ),
      textField(fields, 'alpha', 'α', 'a number in [0, 1], or none'),
      selectField(
        fields,
        'base',
        'log base',
        LOG_BASES_LIST.map((b) => [b, b === 'e' ? 'e (natural log)' : b] as const),
      ),
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Predictions for the table'),
      selectField(fields, 'input', 'input', [
        ['p', 'p, probability of class 1'],
        ['logit', 'logit x'],
        ['pt', 'p_t, probability of the true class'],
      ]),
      textField(fields, 'x', 'values', 'a comma list or a range'),
      textField(fields, 'y', 'labels y', '0, 1 or soft labels in [0, 1]'),
    ),
    h(
      'fieldset',
      { class: 'family', 'aria-describedby': 'f-loss-error' },
      h('legend', {}, 'Losses (the focal family)'),
      h('div', { class: 'checks' }, ...lossBoxes),
      lossError,
      h(
        'details',
        {},
        h('summary', {}, 'parameters of the variants, label smoothing'),
        ...FAMILY_FIELDS.map(([key, , , label]) => textField(fields, key, label)),
        textField(fields, 'smoothing', 'label smoothing ε', 'y → y(1 − ε) + ε/2'),
      ),
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Curves'),
      selectField(
        fields,
        'kind',
        'kind',
        CURVE_KINDS.map((k) => [k, k] as const),
      ),
      selectField(fields, 'scale', 'y axis', [
        ['auto', 'default (log for ratio)'],
        ['linear', 'linear'],
        ['log', 'log'],
      ]),
    ),
  );
  form.addEventListener('submit', (e) => e.preventDefault());

  const curves = h('div', { class: 'view-body' });
  const curvesCmd = commandLine('cmd-plot', 'plot');
  const compare = h('div', { class: 'view-body' });
  const compareCmd = commandLine('cmd-compare', 'compare');
  const imbalance = h('div', { class: 'view-body' });
  const imbalanceCmd = commandLine('cmd-imbalance', 'imbalance');
  const prior = h('div', { class: 'view-body' });
  const priorCmd = commandLine('cmd-prior', 'prior');
  const gridError = h('p', { class: 'error', id: 'grid-error', role: 'status' });

  const calcFields = h('div', { class: 'inline-fields' }, textField(fields, 'cgamma', 'γ for the calculators'));
  const imbalanceFields = h(
    'div',
    { class: 'inline-fields' },
    textField(fields, 'neg', 'negatives'),
    textField(fields, 'neg-pt', 'their p_t'),
    textField(fields, 'pos', 'positives'),
    textField(fields, 'pos-pt', 'their p_t'),
  );
  const priorFields = h(
    'div',
    { class: 'inline-fields' },
    textField(fields, 'pi', 'prior π'),
    textField(fields, 'anchors', 'anchors'),
    textField(fields, 'foreground', 'foreground fraction'),
  );

  const views = h(
    'div',
    { class: 'views' },
    h(
      'section',
      { id: 'curves', 'aria-labelledby': 'h-curves' },
      h('h2', { id: 'h-curves' }, 'Loss against p_t (Figure 1)'),
      curves,
      curvesCmd.box,
    ),
    h(
      'section',
      { id: 'compare', 'aria-labelledby': 'h-compare' },
      h('h2', { id: 'h-compare' }, 'CE and FL side by side'),
      gridError,
      compare,
      compareCmd.box,
    ),
    h(
      'section',
      { id: 'imbalance', 'aria-labelledby': 'h-imbalance' },
      h('h2', { id: 'h-imbalance' }, 'Imbalance: where the total loss goes'),
      calcFields,
      imbalanceFields,
      imbalance,
      imbalanceCmd.box,
    ),
    h(
      'section',
      { id: 'prior', 'aria-labelledby': 'h-prior' },
      h('h2', { id: 'h-prior' }, 'The prior initialisation'),
      priorFields,
      prior,
      priorCmd.box,
    ),
  );
  replace(
    root,
    h(
      'header',
      {},
      h('h1', {}, 'focal explorer'),
      h(
        'p',
        {},
        "Focal loss against cross-entropy, computed in this page by the focal command line's own float64 core (the same code, bundled in). Each view shows the focal command that prints its numbers. The state lives in the link; the page needs no network.",
      ),
    ),
    h('div', { class: 'layout' }, form, views),
  );
  for (const section of [imbalanceFields, priorFields, calcFields]) section.addEventListener('input', () => update());

  const read = (): State => {
    const state = { ...DEFAULTS } as State;
    for (const [key, input] of fields.inputs) state[key] = input.value;
    state.loss = LOSS_NAMES.filter((n) => fields.losses.get(n)!.checked).join(',');
    return state;
  };
  const write = (state: State) => {
    for (const [key, input] of fields.inputs) input.value = state[key];
    const names = new Set(state.loss.split(','));
    for (const [name, box] of fields.losses) box.checked = names.has(name);
  };

  const update = () => {
    const state = read();
    history.replaceState(null, '', `#${stateToFragment(state)}`);
    const e = new FieldErrors();
    const p = parse(state, e);
    renderCurves(state, p);
    renderCompare(state, p, e);
    renderImbalance(state, p, e);
    renderPrior(state, p, e);
    for (const [key, el] of fields.errors) {
      const message = e.errors.get(key) ?? '';
      el.textContent = message;
      fields.inputs.get(key)?.setAttribute('aria-invalid', message ? 'true' : 'false');
    }
    gridError.textContent = e.errors.get('grid') ?? '';
    // a slider follows its field when the field holds a number it can show
    for (const [key, slider] of fields.sliders) {
      const v = Number(state[key]);
      if (state[key].trim() !== '' && v >= Number(slider.min) && v <= Number(slider.max)) slider.value = state[key];
    }
  };

  const focal = (state: State) =>
    [
      opt('gamma', state.gamma.trim()),
      opt('alpha', state.alpha.trim()),
      state.base !== 'e' ? opt('log-base', state.base) : '',
    ].filter(Boolean);

  function renderCurves(state: State, p: Parsed) {
    if (!p.gammas || p.alpha === undefined) {
      replace(curves, h('p', { class: 'stale' }, 'Fix γ and α to draw the curves.'));
      curvesCmd.set(null);
      return;
    }
    if (p.gammas.length > MAX_SERIES) {
      // what `focal plot` refuses, the page refuses too (each curve needs a style of its own)
      replace(
        curves,
        h(
          'p',
          { class: 'stale' },
          `${p.gammas.length} values of γ: a chart draws at most ${MAX_SERIES} curves. Give fewer.`,
        ),
      );
      curvesCmd.set(null);
      return;
    }
    const kind = state.kind as CurveKind;
    const yScale = state.scale === 'auto' ? (kind === 'ratio' ? 'log' : 'linear') : (state.scale as 'linear' | 'log');
    const spec = {
      kind,
      gammas: p.gammas,
      alpha: p.alpha,
      base: p.base,
      yScale,
      x: [0, 1] as [number, number],
      samples: 400,
    } as const;
    const chart = figureChart(spec, figureCurves(spec));
    replace(
      curves,
      chartView(
        chart,
        (pt) =>
          spec.gammas.map((gamma) => ({
            label: `γ = ${gamma}`,
            value: curveValue(kind, pt, { gamma, alpha: spec.alpha, base: spec.base }),
          })),
        'p_t',
      ),
    );
    const args = [
      'focal plot',
      ...focal(state),
      kind !== 'loss' ? opt('kind', kind) : '',
      state.scale !== 'auto' ? opt('y-scale', state.scale) : '',
    ];
    curvesCmd.set(args.filter(Boolean).join(' '));
  }

  function renderCompare(state: State, p: Parsed, e: FieldErrors) {
    const ok =
      p.gammas &&
      p.alpha !== undefined &&
      p.values &&
      p.ys &&
      !e.errors.has('loss') &&
      FAMILY_FIELDS.every(([k]) => !e.errors.has(k)) &&
      !e.errors.has('smoothing');
    if (!ok) {
      replace(compare, h('p', { class: 'stale' }, 'Fix the marked fields to see the table.'));
      compareCmd.set(null);
      return;
    }
    const family = familyOf(p.family);
    const grid = {
      kind: p.kind,
      values: p.values!,
      ys: p.ys!,
      gammas: p.gammas!,
      alphas: [p.alpha!],
      base: p.base,
      grad: false,
      family,
    };
    const args = ['focal compare', opt(p.kind, state.x.trim()), opt('y', state.y.trim()), ...focal(state)];
    if (p.family.loss) args.push(opt('loss', state.loss));
    for (const [key, name] of FAMILY_FIELDS) if (state[key].trim() !== '') args.push(opt(name, state[key].trim()));
    if (family.smoothing > 0) args.push(opt('label-smoothing', state.smoothing.trim()));
    try {
      checkGrid(grid.kind, grid.ys, grid.gammas, family); // what the CLI refuses, the page refuses, with its words
    } catch (err) {
      e.errors.set('grid', (err as Error).message);
      replace(compare);
      compareCmd.set(null);
      return;
    }
    const count = p.gammas!.length * p.ys!.length * p.values!.length;
    if (count > MAX_PAGE_ROWS) {
      // the CLI streams any number of rows: its command line is still the answer
      e.errors.set(
        'grid',
        `${count} rows are too many for this page (at most ${MAX_PAGE_ROWS}); the command line below streams them.`,
      );
      replace(compare);
      compareCmd.set(args.join(' '));
      return;
    }
    const columns = binaryColumns({
      logit: p.kind === 'logit',
      grad: false,
      gamma: p.gammas!.length > 1,
      alpha: false,
      family,
    });
    const rows = [...compareRows(grid)];
    replace(
      compare,
      dataTable(
        `γ = ${p.gammas!.join(', ')}, α = ${p.alpha === null ? 'none' : p.alpha}, log base ${p.base}`,
        columns,
        rows,
      ),
    );
    compareCmd.set(args.join(' '));
  }

  function renderImbalance(state: State, p: Parsed, e: FieldErrors) {
    const neg = e.get('neg', () => parseCount(state.neg));
    const pos = e.get('pos', () => parseCount(state.pos));
    const negPt = e.get('neg-pt', () => probability(state['neg-pt']));
    const posPt = e.get('pos-pt', () => probability(state['pos-pt']));
    if (
      neg === undefined ||
      pos === undefined ||
      negPt === undefined ||
      posPt === undefined ||
      p.cgamma === undefined ||
      p.alpha === undefined
    ) {
      replace(imbalance, h('p', { class: 'stale' }, 'Fix the marked fields to see the shares.'));
      imbalanceCmd.set(null);
      return;
    }
    if (neg + pos === 0) e.errors.set('neg', '--neg and --pos are both 0; give at least one sample.');
    if (neg + pos === 0) {
      replace(imbalance);
      imbalanceCmd.set(null);
      return;
    }
    const shares = lossShares(
      [
        { y: 0, count: neg, kind: 'pt', value: negPt },
        { y: 1, count: pos, kind: 'pt', value: posPt },
      ],
      { gamma: p.cgamma, alpha: p.alpha, base: p.base },
    );
    const rows: Row[] = shares.map(groupRow);
    replace(
      imbalance,
      h(
        'div',
        { class: 'bars' },
        ...shares.flatMap((s, k) => [
          shareBar(`${k ? 'positives' : 'negatives'}, share of CE`, s.ceShare, 2 * k),
          shareBar(`${k ? 'positives' : 'negatives'}, share of FL`, s.flShare, 2 * k + 1),
        ]),
      ),
      dataTable(`γ = ${p.cgamma}, α = ${p.alpha === null ? 'none' : p.alpha}, log base ${p.base}`, GROUP_COLUMNS, rows),
    );
    imbalanceCmd.set(
      [
        'focal imbalance',
        opt('neg', state.neg.trim()),
        opt('neg-pt', state['neg-pt'].trim()),
        opt('pos', state.pos.trim()),
        opt('pos-pt', state['pos-pt'].trim()),
        opt('gamma', state.cgamma.trim()),
        opt('alpha', state.alpha.trim()),
        state.base !== 'e' ? opt('log-base', state.base) : '',
      ]
        .filter(Boolean)
        .join(' '),
    );
  }

  function renderPrior(state: State, p: Parsed, e: FieldErrors) {
    const pi = e.get('pi', () => openProbability(state.pi));
    const anchors = e.get('anchors', () => parseCount(state.anchors));
    const foreground = e.get('foreground', () => openProbability(state.foreground));
    if (anchors !== undefined && anchors < 1) e.errors.set('anchors', 'the number of anchors must be at least 1.');
    if (
      pi === undefined ||
      anchors === undefined ||
      anchors < 1 ||
      foreground === undefined ||
      p.cgamma === undefined ||
      p.alpha === undefined
    ) {
      replace(prior, h('p', { class: 'stale' }, 'Fix the marked fields to see the start of training.'));
      priorCmd.set(null);
      return;
    }
    const c = priorComparison(pi, anchors, foreground, { gamma: p.cgamma, alpha: p.alpha, base: p.base });
    const rows: Row[] = [
      ...c.zero.map((g) => ({ init: 'b = 0', ...groupRow(g) })),
      ...c.prior.map((g) => ({ init: 'prior', ...groupRow(g) })),
    ];
    replace(
      prior,
      h(
        'p',
        { class: 'headline' },
        'bias b = −log((1 − π)/π) = ',
        h('span', { id: 'prior-bias', 'data-value': String(c.bias) }, formatNumber(c.bias, 6)),
      ),
      h(
        'div',
        { class: 'bars' },
        shareBar("negatives' share of CE, b = 0", c.zero[0]!.ceShare, 0),
        shareBar("negatives' share of CE, prior", c.prior[0]!.ceShare, 1),
        shareBar("negatives' share of FL, b = 0", c.zero[0]!.flShare, 2),
        shareBar("negatives' share of FL, prior", c.prior[0]!.flShare, 3),
      ),
      dataTable(
        `π = ${pi}, γ = ${p.cgamma}, α = ${p.alpha === null ? 'none' : p.alpha}, log base ${p.base}`,
        [{ key: 'init', label: 'init', kind: 'text' }, ...GROUP_COLUMNS],
        rows,
      ),
    );
    priorCmd.set(
      [
        'focal prior',
        opt('pi', state.pi.trim()),
        opt('anchors', state.anchors.trim()),
        opt('foreground', state.foreground.trim()),
        opt('gamma', state.cgamma.trim()),
        opt('alpha', state.alpha.trim()),
        state.base !== 'e' ? opt('log-base', state.base) : '',
      ]
        .filter(Boolean)
        .join(' '),
    );
  }

  form.addEventListener('input', update);
  form.addEventListener('change', update);
  window.addEventListener('hashchange', () => {
    write(stateFromFragment(location.hash));
    update();
  });
  write(stateFromFragment(location.hash));
  update();
}
