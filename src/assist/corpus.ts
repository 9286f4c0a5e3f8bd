import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fnv1a } from './features.js';
import { isLabel, isLang, type Label, type Lang } from './labels.js';

/** One labelled grievance, as in the corpus files and `rabta assist evaluate` input. */
export interface Example {
  readonly label: Label;
  readonly lang: Lang;
  readonly text: string;
}

export const DATA_DIR = fileURLToPath(new URL('./data/', import.meta.url));
export const CORPUS_DIR = join(DATA_DIR, 'corpus');
export const MODEL_PATH = join(DATA_DIR, 'router.model');

/** A line that is not a usable example: where it is and why, for the person fixing the file. */
export class CorpusError extends Error {
  override name = 'CorpusError';
}

/** JSON lines with label, lang and text; blank lines are skipped, anything else malformed is an error. */
export function parseExamples(content: string, source: string): Example[] {
  const out: Example[] = [];
  const lines = content.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new CorpusError(`${source}:${i + 1}: not JSON`);
    }
    const record = value as { label?: unknown; lang?: unknown; text?: unknown } | null;
    if (record === null || typeof record !== 'object') throw new CorpusError(`${source}:${i + 1}: not an object`);
    if (!isLabel(record.label)) throw new CorpusError(`${source}:${i + 1}: label ${JSON.stringify(record.label)} is not one of the ten`);
    if (!isLang(record.lang)) throw new CorpusError(`${source}:${i + 1}: lang ${JSON.stringify(record.lang)} is not en, roman or ur`);
    if (typeof record.text !== 'string' || record.text.trim() === '') throw new CorpusError(`${source}:${i + 1}: no text`);
    out.push({ label: record.label, lang: record.lang, text: record.text });
  }
  return out;
}

export function readExamples(path: string): Example[] {
  return parseExamples(readFileSync(path, 'utf8'), path);
}

/** Every *.jsonl of a corpus directory, in name order, duplicates (same text) kept once. */
export function readCorpus(dir: string = CORPUS_DIR): Example[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort();
  const seen = new Set<string>();
  const out: Example[] = [];
  for (const file of files) {
    for (const example of readExamples(join(dir, file))) {
      const key = example.text.trim();
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(example);
    }
  }
  return out;
}

/**
 * The evaluation split is fixed by a hash of the text under a constant salt,
 * not by position or a run's seed: adding lines to the corpus never moves an
 * old line across the split, and no setting can be chosen by looking at it.
 */
const SPLIT_SALT = 'rabta-assist-eval-v1|';
export const EVAL_PERCENT = 22;

export function isEvalText(text: string): boolean {
  return fnv1a(SPLIT_SALT + text.trim()) % 100 < EVAL_PERCENT;
}

export function splitCorpus(examples: readonly Example[]): { train: Example[]; eval: Example[] } {
  const train: Example[] = [];
  const evaluation: Example[] = [];
  for (const e of examples) (isEvalText(e.text) ? evaluation : train).push(e);
  return { train, eval: evaluation };
}
