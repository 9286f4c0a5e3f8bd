/**
 * The assist module: a grievance router for Urdu, Roman Urdu and English.
 * `routeGrievance(text)` is what the cases module calls for a grievance that
 * arrives without a category; the rest is for the CLI and the bench.
 */
export { routeGrievance, route, loadRouter, shippedRouter, type RouteDecision } from './router.js';
export { LABELS, LANGS, isLabel, isLang, type Label, type Lang } from './labels.js';
export { normalize, normalizeChars, tokens } from './normalize.js';
export { readCorpus, readExamples, parseExamples, splitCorpus, isEvalText, CorpusError, CORPUS_DIR, DATA_DIR, MODEL_PATH, type Example } from './corpus.js';
export { trainRouter, type TrainOptions } from './train.js';
export { decodeModel, ModelFormatError, type RouterModel, type ModelHeader } from './model.js';
export { evaluateRouter } from './evaluate.js';
export { evaluate, formatEvaluation, macroF1, type Evaluation } from './metrics.js';
export { exportCorrections, maskPersonalDetails, guessLang, arraySource, triageSource, type Correction, type CorrectionSource, type TrainingLine, type TriageDecision } from './corrections.js';
export { tune, CANDIDATES, type Candidate } from './tune.js';
export { compareApproaches, type Comparison } from './compare.js';
export { DEFAULT_LINEAR, type LinearOptions } from './linear.js';
export { DEFAULT_FEATURES, featurize, type FeatureOptions } from './features.js';
// Anomaly detection (anomaly/README.md): what the platform's job, the CLI and the bench use.
export { buildDailySeries, detectNewAnomalies, detectAnomalies, anomalyId, DEFAULT_OPTIONS as DEFAULT_ANOMALY_OPTIONS, DEFAULT_PARAMS, evaluate as evaluateAnomalies, formatCountsCsv, generateSeries, heldOutParams, readCountsCsv } from './anomaly/index.js';
export type { Anomaly, AnomalyKind, DailyCount, DetectorOptions, FlaggedPoint, NewAnomalyOptions, PlantedAnomaly, SeriesOptions, SeriesRecord } from './anomaly/index.js';
