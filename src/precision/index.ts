/**
 * What a framework computes: focal-loss formulas of torchvision, Keras, TFA, mmcv and the
 * textbook, emulated op by op in float64/float32/float16/bfloat16 with their autograd, measured
 * against the exact core, and the map of where they break. Pure functions, no I/O.
 */
export {
  DTYPES,
  FORMATS,
  maxFinite,
  nextDown,
  nextUp,
  relativeError,
  roundToFormat,
  rounderOf,
  toBfloat16,
  toFloat16,
  ulpDistance,
  type DType,
  type FloatFormat,
} from './dtype.js';
export {
  emulate,
  FRAMEWORK_MEANING,
  FRAMEWORKS,
  unsupported,
  type Emulated,
  type EmulatedFramework,
  type EmulationInput,
  type Framework,
} from './frameworks.js';
export { kerasCategoricalFocal } from './categorical.js';
export {
  DEFAULT_TOLERANCE,
  measureSample,
  PROBLEM_MEANING,
  problemOf,
  type Measured,
  type Problem,
  type SampleMeasure,
} from './measure.js';
export { stabilityIntervals, type Interval, type Quantity, type StabilityQuery } from './stability.js';
