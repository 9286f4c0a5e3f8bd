import type { Example } from './corpus.js';
import { evaluate, type Evaluation } from './metrics.js';
import type { RouterModel } from './model.js';
import { route } from './router.js';

/** The router's figures on labelled grievances: what `rabta assist evaluate` prints. */
export function evaluateRouter(model: RouterModel, examples: readonly Example[], threshold?: number): Evaluation {
  return evaluate(
    examples.map((e) => {
      const decision = route(model, e.text, threshold);
      return { label: e.label, lang: e.lang, predicted: decision.label, routed: decision.routed };
    }),
  );
}
