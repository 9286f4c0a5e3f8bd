/**
 * Anomaly detection over daily counts (README.md beside this file: the
 * method, why, the figures and how to reproduce them). The only file other
 * modules import.
 */
export type { DailyCount, DetectorOptions, FlaggedPoint } from './types.js';
export { DEFAULT_OPTIONS } from './types.js';
export { detectAnomalies } from './detect.js';
export { buildDailySeries, detectNewAnomalies, anomalyId } from './platform.js';
export type { Anomaly, AnomalyKind, NewAnomalyOptions, SeriesOptions, SeriesRecord } from './platform.js';
export { CsvError, formatCountsCsv, parseCountsCsv, readCountsCsv } from './csv.js';
export { SeriesError } from './series.js';
export { DEFAULT_PARAMS, generateSeries, heldOutParams, SHIFT_WINDOW } from './generate.js';
export type { GeneratedSeries, GeneratorParams, PlantedAnomaly } from './generate.js';
export { evaluate } from './evaluate.js';
export type { Evaluation } from './evaluate.js';
