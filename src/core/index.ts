/** The loss core: pure functions on float64, no I/O. Commands import only from here. */
export { softplus } from './softplus.js';
export { log1pmx } from './log1pmx.js';
export { logit } from './logit.js';
export { sigmoid } from './sigmoid.js';
export { productError, twoProduct, twoDifference, expOfProduct, expOfProductPlus, expOfSumPlus } from './float.js';
export { powOfComplement, powOfSigmoid, powOfSigmoidFrom } from './modulating.js';
export { alphaWeight, DEFAULT_PARAMS, LN_OF_BASE, type FocalParams, type LogBase } from './params.js';
export {
  binaryLossAt,
  binaryLossFast,
  binaryLossInto,
  binaryTerms,
  complementPower,
  emptyLosses,
  evaluateBinary,
  evaluateBinaryLossesInto,
  type BinaryEvaluation,
  type BinaryLosses,
  type BinaryInputKind,
  type BinaryTerms,
  type LossPair,
} from './binary.js';
export {
  evaluateCategorical,
  type CategoricalEvaluation,
  type CategoricalInputKind,
  type CategoricalParams,
} from './categorical.js';
export { CompensatedSum, ExactSum, ExactSumArray, type ExactSumArrayState, type ExactSumState } from './sum.js';
export {
  LossAccumulator,
  REDUCTIONS,
  shareOf,
  type AccumulatorState,
  type ClassKey,
  type ClassLoss,
  type ReducedLoss,
  type Reduction,
} from './reduce.js';
export { inverseFrequencyAlpha, lossShares, type GroupLoss, type SampleGroup } from './imbalance.js';
export {
  evaluateVariants,
  LOSS_NAMES,
  marginOf,
  VARIANT_DEFAULTS,
  variantLoss,
  variantProblem,
  type LossName,
  type VariantParams,
} from './variants.js';
export { CURVE_KINDS, CURVE_MEANING, curveValue, sampleCurves, type Curve, type CurveKind } from './curves.js';
export { priorBias, priorComparison, type PriorComparison } from './prior.js';
export {
  classWeights,
  HARDNESS_BINS,
  LossAnatomy,
  type AnatomyState,
  type BucketShare,
  type CdfPoint,
} from './anatomy.js';
export {
  flsdGamma,
  smoothedCategoricalGradients,
  SOFTMAX_LOSS_NAMES,
  softmaxVariant,
  type SoftmaxFamilyParams,
  type SoftmaxLoss,
  type SoftmaxLossName,
} from './softmax-family.js';
export { balancingAlpha, concentration, equalisingAlphas, exactLinearCombination } from './sweep.js';
export {
  adaptiveCalibrationError,
  ADAPTIVE_CANDIDATES,
  adaptiveCalibrationErrorByPasses,
  binMeans,
  calibrationBin,
  calibrationEdges,
  calibrationErrors,
  DEFAULT_CALIBRATION_BINS,
  fitTemperature,
  fitTemperatureBy,
  logitOf,
  probabilitiesInto,
  type BinResult,
  type BinSums,
  type ConfidencePass,
  TemperatureSums,
  type TemperatureFit,
} from './calibration.js';
export { binaryTermsInto, emptyTerms } from './binary.js';
export { smoothLabel } from './smoothing.js';
