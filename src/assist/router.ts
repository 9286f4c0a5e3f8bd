import { readFileSync } from 'node:fs';
import { MODEL_PATH } from './corpus.js';
import { featurize } from './features.js';
import type { Label } from './labels.js';
import { scores, softmax } from './linear.js';
import { decodeModel, type RouterModel } from './model.js';

/** What the router says about one grievance. */
export interface RouteDecision {
  /** always the best guess, even when not routed */
  readonly label: Label;
  readonly confidence: number;
  /** confidence reached the model's threshold: send it on without a person */
  readonly routed: boolean;
  /** the next two labels, for the triage officer */
  readonly alternatives: readonly { readonly label: Label; readonly confidence: number }[];
  readonly modelVersion: string;
}

export function loadRouter(path: string = MODEL_PATH): RouterModel {
  return decodeModel(readFileSync(path));
}

let shipped: RouterModel | undefined;

/** The model shipped in the repository, read once. */
export function shippedRouter(): RouterModel {
  shipped ??= loadRouter();
  return shipped;
}

const round = (x: number) => Math.round(x * 10000) / 10000;

export function route(model: RouterModel, text: string, threshold: number = model.header.threshold): RouteDecision {
  const p = softmax(scores(model.weights, featurize(text, model.header.features)), model.header.temperature);
  const order = [...p.keys()].sort((a, b) => (p[b] as number) - (p[a] as number) || a - b);
  const [best, second, third] = order as [number, number, number];
  const confidence = p[best] as number;
  const labels = model.header.labels;
  return {
    label: labels[best] as Label,
    confidence: round(confidence),
    routed: confidence >= threshold,
    alternatives: [second, third].map((k) => ({ label: labels[k] as Label, confidence: round(p[k] as number) })),
    modelVersion: model.version,
  };
}

/** The interface the cases module calls: the shipped model, its stored threshold. */
export function routeGrievance(text: string): RouteDecision {
  return route(shippedRouter(), text);
}
