import type { Example } from './corpus.js';
import { DEFAULT_FEATURES, featurize } from './features.js';
import { LABELS, type Label } from './labels.js';
import { DEFAULT_LINEAR, scores, trainLinear, trainNaiveBayes, type LinearWeights } from './linear.js';
import { evaluate, type Evaluation } from './metrics.js';
import { quantize } from './model.js';
import { normalize } from './normalize.js';
import { labelIndex } from './train.js';

/**
 * The approaches compared on the evaluation split (trained on the training
 * split, same normalisation): the hashed linear model that ships, naive Bayes
 * over the same features, and fastText supervised (WebAssembly build, trained
 * here, offline: the training file is handed over as a data: URL, which
 * Node's fetch reads without a network).
 */

export interface Comparison {
  readonly name: string;
  readonly trainSeconds: number;
  readonly result: Evaluation;
}

function argmax(z: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < z.length; k++) if ((z[k] as number) > (z[best] as number)) best = k;
  return best;
}

function linearRun(name: string, train: readonly Example[], test: readonly Example[], fit: (xs: ReturnType<typeof featurize>[], ys: number[]) => LinearWeights): Comparison {
  const started = performance.now();
  const weights = fit(
    train.map((e) => featurize(e.text, DEFAULT_FEATURES)),
    labelIndex(train),
  );
  const trainSeconds = (performance.now() - started) / 1000;
  const result = evaluate(test.map((e) => ({ label: e.label, lang: e.lang, predicted: LABELS[argmax(scores(weights, featurize(e.text, DEFAULT_FEATURES)))] as Label, routed: true })));
  return { name, trainSeconds, result };
}

interface FastTextPredictions {
  size(): number;
  get(i: number): [number, string];
}
interface FastTextModelLike {
  predict(text: string, k: number, threshold: number): FastTextPredictions;
}

export async function fastTextRun(train: readonly Example[], test: readonly Example[], seed: number): Promise<Comparison> {
  const { getFastTextClass, getFastTextModule } = await import('fasttext.wasm.js');
  const FastText = await getFastTextClass({ getFastTextModule });
  const ft = new FastText();
  const lines = train.map((e) => `__label__${e.label} ${normalize(e.text)}`).join('\n');
  const url = `data:text/plain;base64,${Buffer.from(`${lines}\n`, 'utf8').toString('base64')}`;
  const started = performance.now();
  // The callback is called from the training loop; the library needs a function there.
  const model = (await ft.trainSupervised(
    url,
    { epoch: 25, lr: 0.5, wordNgrams: 2, minn: 2, maxn: 5, dim: 50, loss: 'softmax', bucket: 200000, seed, verbose: 0 },
    () => {},
  )) as FastTextModelLike;
  const trainSeconds = (performance.now() - started) / 1000;
  const result = evaluate(
    test.map((e) => {
      const top = model.predict(normalize(e.text), 1, 0).get(0);
      return { label: e.label, lang: e.lang, predicted: top[1].replace('__label__', '') as Label, routed: true };
    }),
  );
  return { name: 'fastText supervised (wasm), char 2-5 + word bigrams, dim 50, 25 epochs', trainSeconds, result };
}

export async function compareApproaches(train: readonly Example[], test: readonly Example[], seed = DEFAULT_LINEAR.seed): Promise<Comparison[]> {
  const dim = 2 ** DEFAULT_FEATURES.bits;
  return [
    linearRun(`softmax regression, hashed char ${DEFAULT_FEATURES.minN}-${DEFAULT_FEATURES.maxN} + words + lexicon (int8, shipped)`, train, test, (xs, ys) => quantize(trainLinear(xs, ys, dim, LABELS.length, { ...DEFAULT_LINEAR, seed })).weights),
    linearRun('multinomial naive Bayes, same features', train, test, (xs, ys) => trainNaiveBayes(xs, ys, dim, LABELS.length)),
    await fastTextRun(train, test, seed),
  ];
}
