import { readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Presets, SingleBar } from 'cli-progress';
import { InvalidArgumentError, type Command } from 'commander';
import {
  arraySource,
  CORPUS_DIR,
  CorpusError,
  evaluateRouter,
  exportCorrections,
  formatEvaluation,
  isLabel,
  loadRouter,
  MODEL_PATH,
  readCorpus,
  readExamples,
  route,
  splitCorpus,
  trainRouter,
  type Correction,
  type CorrectionSource,
  triageSource,
  type TriageDecision,
  tune,
  CANDIDATES,
  compareApproaches,
  DEFAULT_LINEAR,
} from '../assist/index.js';
import { RabtaError } from '../core/index.js';
import { CliFailure } from './admin/client.js';

/**
 * `rabta assist …`: the grievance router from the command line. The `assist`
 * group is found or made, so other assist commands (anomalies) can join it
 * from their own file.
 */
export interface AssistCommandOptions {
  /** Where export-corrections reads from once the cases store is wired; default: --input FILE. */
  readonly corrections?: CorrectionSource;
}

export function assistGroup(program: Command): Command {
  return program.commands.find((c) => c.name() === 'assist') ?? program.command('assist').description('the grievance router and other assistance');
}

const integer = (value: string): number => {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('a whole number ≥ 0');
  return n;
};

const probability = (value: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('a number from 0 to 1');
  return n;
};

/** main.ts prints nothing for a CliFailure: the command says what went wrong itself. */
function fail(message: string): CliFailure {
  process.stderr.write(`error: ${message}\n`);
  return new CliFailure(message);
}

function readModel(path: string) {
  try {
    return loadRouter(path);
  } catch (error) {
    throw fail(`cannot read the model ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export function registerAssistCommands(program: Command, options: AssistCommandOptions = {}): void {
  const assist = assistGroup(program);

  assist
    .command('route')
    .description('route grievances: JSON lines with "text" on stdin → one JSON line per input, same order')
    .option('--model <file>', 'model file', MODEL_PATH)
    .option('--threshold <p>', 'route at this confidence instead of the model’s', probability)
    .action(async (o: { model: string; threshold?: number }) => {
      const model = readModel(o.model);
      const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
      let n = 0;
      for await (const line of lines) {
        n++;
        if (line.trim() === '') continue;
        process.stdout.write(`${JSON.stringify(routeLine(line, n, (text) => route(model, text, o.threshold)))}\n`);
      }
    });

  assist
    .command('evaluate')
    .description('macro-F1 overall and per language, share routed and its accuracy, confusion matrix')
    .argument('<file>', 'JSON lines with "label", "lang" and "text"')
    .option('--model <file>', 'model file', MODEL_PATH)
    .option('--threshold <p>', 'route at this confidence instead of the model’s', probability)
    .option('--json', 'one JSON object instead of the report')
    .action((file: string, o: { model: string; threshold?: number; json?: boolean }) => {
      const examples = readLabelled(file);
      const model = readModel(o.model);
      const result = evaluateRouter(model, examples, o.threshold);
      if (o.json) process.stdout.write(`${JSON.stringify({ model: model.version, threshold: o.threshold ?? model.header.threshold, ...result })}\n`);
      else process.stdout.write(`model ${model.version}, threshold ${o.threshold ?? model.header.threshold}\n${formatEvaluation(result).join('\n')}\n`);
    });

  assist
    .command('train')
    .description('train the router on the training split of the corpus (the evaluation split is never used)')
    .option('--corpus <dir>', 'directory of *.jsonl corpus files', CORPUS_DIR)
    .option('--seed <n>', 'seed for the order of examples and the folds', integer, DEFAULT_LINEAR.seed)
    .option('--out <file>', 'where to write the model', MODEL_PATH)
    .option('--no-progress', 'no progress bar')
    .action((o: { corpus: string; seed: number; out: string; progress: boolean }) => {
      let corpus;
      try {
        corpus = readCorpus(o.corpus);
      } catch (error) {
        throw fail(error instanceof Error ? error.message : String(error));
      }
      const { train, eval: held } = splitCorpus(corpus);
      process.stderr.write(`assist: ${corpus.length} grievances in ${o.corpus}; training on ${train.length}, ${held.length} held out for evaluation\n`);
      const bar = o.progress && process.stderr.isTTY ? new SingleBar({ stream: process.stderr, format: '{stage} {bar} {value}/{total}', hideCursor: true }, Presets.shades_classic) : undefined;
      let started = false;
      const started_ms = Date.now();
      const file = trainRouter(train, {
        linear: { ...DEFAULT_LINEAR, seed: o.seed },
        onProgress: (stage, done, total) => {
          if (bar) {
            if (!started) bar.start(total, done, { stage });
            else bar.update(done, { stage });
            started = true;
          } else process.stderr.write(`assist: ${stage} ${done}/${total}\n`);
        },
      });
      bar?.stop();
      writeFileSync(o.out, file);
      const model = loadRouter(o.out);
      const h = model.header;
      process.stderr.write(
        `assist: wrote ${o.out} (${(file.length / 1024).toFixed(0)} KiB, ${model.version}) in ${((Date.now() - started_ms) / 1000).toFixed(1)} s; ` +
          `cross-validation on the training split: macro-F1 ${h.cv.macroF1}, temperature ${h.temperature}, threshold ${h.threshold} routes ${(100 * h.cv.routedShare).toFixed(1)}% at ${(100 * h.cv.routedAccuracy).toFixed(1)}% right\n`,
      );
    });

  assist
    .command('tune')
    .description('cross-validated macro-F1 of candidate settings on the training split (how the defaults were chosen)')
    .option('--corpus <dir>', 'directory of *.jsonl corpus files', CORPUS_DIR)
    .action((o: { corpus: string }) => {
      const { train } = splitCorpus(readCorpus(o.corpus));
      process.stderr.write(`assist: 5-fold cross-validation on ${train.length} training lines\n`);
      tune(train, CANDIDATES, (name, f1) => process.stdout.write(`${f1.toFixed(4)}  ${name}\n`));
    });

  assist
    .command('compare')
    .description('train each approach on the training split and report it on the evaluation split')
    .option('--corpus <dir>', 'directory of *.jsonl corpus files', CORPUS_DIR)
    .option('--json', 'one JSON object instead of the report')
    .action(async (o: { corpus: string; json?: boolean }) => {
      const { train, eval: held } = splitCorpus(readCorpus(o.corpus));
      const results = await compareApproaches(train, held);
      if (o.json) {
        process.stdout.write(`${JSON.stringify(results.map((r) => ({ name: r.name, train_s: r.trainSeconds, macro_f1: r.result.macroF1, per_lang: r.result.perLang })))}\n`);
        return;
      }
      for (const r of results) {
        const langs = Object.entries(r.result.perLang).map(([l, s]) => `${l} ${s.macroF1.toFixed(3)}`).join(', ');
        process.stdout.write(`${r.result.macroF1.toFixed(3)}  (${langs})  train ${r.trainSeconds.toFixed(1)} s  ${r.name}\n`);
      }
    });

  assist
    .command('split')
    .description('write the corpus’s evaluation split (and optionally the training split) as JSON lines')
    .option('--corpus <dir>', 'directory of *.jsonl corpus files', CORPUS_DIR)
    .requiredOption('--eval <file>', 'where to write the evaluation split')
    .option('--train <file>', 'where to write the training split')
    .action((o: { corpus: string; eval: string; train?: string }) => {
      const { train, eval: held } = splitCorpus(readCorpus(o.corpus));
      const lines = (xs: readonly { label: string; lang: string; text: string }[]) => xs.map((e) => `${JSON.stringify({ label: e.label, lang: e.lang, text: e.text })}\n`).join('');
      writeFileSync(o.eval, lines(held));
      if (o.train) writeFileSync(o.train, lines(train));
      process.stderr.write(`assist: ${held.length} evaluation lines → ${o.eval}${o.train ? `, ${train.length} training lines → ${o.train}` : ''}\n`);
    });

  assist
    .command('export-corrections')
    .description('triage officers’ corrections → training lines (label, lang, text) with personal details masked')
    .option('--input <file>', 'JSON lines of corrections {"text","label",…} instead of an instance’s store')
    .option('--url <url>', 'the instance whose triage corrections to read (with --token or RABTA_TOKEN, the authority’s)')
    .option('--token <token>', 'the authority’s API token (env RABTA_TOKEN)', process.env.RABTA_TOKEN)
    .option('--since <iso>', 'only corrections made from this time')
    .option('--out <file>', 'write here instead of stdout')
    .action(async (o: { input?: string; url?: string; token?: string; since?: string; out?: string }) => {
      const source = o.input ? arraySource(readCorrections(o.input)) : o.url ? await instanceCorrections(o.url, o.token, o.since) : options.corrections;
      if (!source) throw fail('say where the corrections are: --url URL (an instance) or --input FILE');
      const lines = await exportCorrections(source, o.since === undefined ? {} : { since: o.since });
      const text = lines.map((l) => `${JSON.stringify(l)}\n`).join('');
      if (o.out) writeFileSync(o.out, text);
      else process.stdout.write(text);
      process.stderr.write(`assist: ${lines.length} training lines\n`);
    });
}

/** An instance's stored corrections (GET /admin/case-corrections); categories that are not router labels are no training lines. */
async function instanceCorrections(url: string, token: string | undefined, since: string | undefined): Promise<CorrectionSource> {
  if (!token) throw fail('no API token: pass --token or set RABTA_TOKEN');
  const response = await fetch(`${url.replace(/\/+$/, '')}/admin/case-corrections${since ? `?since=${encodeURIComponent(since)}` : ''}`, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw fail(`${url} answered ${response.status}: ${await response.text()}`);
  const rows = (await response.json()) as TriageDecision[];
  return triageSource(() => rows);
}

/** One input line → its decision, or a problem document in its place so that the order holds. */
export function routeLine(line: string, n: number, decide: (text: string) => unknown): unknown {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return new RabtaError('malformed-json', `line ${n} is not JSON`).toProblem();
  }
  const text = (value as { text?: unknown } | null)?.text;
  if (typeof text !== 'string') return new RabtaError('bad-request', `line ${n} has no "text" string`).toProblem();
  const { modelVersion: _version, ...decision } = decide(text) as { modelVersion?: string };
  return decision;
}

function readLabelled(file: string) {
  try {
    return readExamples(file);
  } catch (error) {
    if (error instanceof CorpusError) throw fail(error.message);
    throw fail(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function readCorrections(file: string): Correction[] {
  const out: Correction[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return;
      let value: { text?: unknown; label?: unknown };
      try {
        value = JSON.parse(line) as { text?: unknown; label?: unknown };
      } catch {
        throw fail(`${file}:${i + 1}: not JSON`);
      }
      if (typeof value.text !== 'string' || !isLabel(value.label)) throw fail(`${file}:${i + 1}: needs "text" and one of the ten labels`);
      out.push({ text: value.text, label: value.label });
    });
  return out;
}
