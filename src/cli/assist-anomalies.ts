import { writeFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_PARAMS, detectAnomalies, evaluateAnomalies, formatCountsCsv, generateSeries, heldOutParams, readCountsCsv, type PlantedAnomaly } from '../assist/index.js';

/**
 * `rabta assist anomalies`: flag days that depart from a district's own
 * baseline and from its peers (src/assist/anomaly/README.md), or write a
 * synthetic series with its ground truth so that the figures can be
 * reproduced. Joins the `assist` group whether or not another command
 * already made it.
 */
export function registerAssistAnomaliesCommand(program: Command): void {
  const assist = program.commands.find((c) => c.name() === 'assist') ?? program.command('assist').description('assistance: grievance routing and anomaly detection');
  assist
    .command('anomalies')
    .description('read daily counts (CSV: date,district,metric,value) and write one JSON line per flagged point; or --generate a test series')
    .option('--input <file>', 'daily counts, CSV with a header naming date,district,metric,value (any order)')
    .option('--evaluate <truth>', 'with --input: instead of the flags, print precision and recall against a truth file (JSON lines from --generate)')
    .option('--generate <out>', 'write a synthetic year of counts with planted anomalies to this CSV, and its truth to <out>.truth.jsonl')
    .option('--seed <n>', 'with --generate: the seed', seedNumber, 1)
    .option('--held-out', 'with --generate: vary the generator as for held-out measurement (year, noise, trends, holidays)', false)
    .action(async (o: { input?: string; evaluate?: string; generate?: string; seed: number; heldOut: boolean }) => {
      if ((o.input === undefined) === (o.generate === undefined)) throw new Error('give either --input FILE.csv or --generate OUT.csv');
      if (o.generate !== undefined) {
        const generated = generateSeries(o.heldOut ? heldOutParams(o.seed) : { ...DEFAULT_PARAMS, seed: o.seed });
        await writeFile(o.generate, formatCountsCsv(generated.rows));
        await writeFile(`${o.generate}.truth.jsonl`, generated.truth.map((a) => `${JSON.stringify(a)}\n`).join(''));
        process.stderr.write(`wrote ${generated.rows.length} rows to ${o.generate} and ${generated.truth.length} planted anomalies to ${o.generate}.truth.jsonl\n`);
        return;
      }
      const path = o.input!;
      const rows = await readCountsCsv(path).catch((error: unknown) => {
        throw new Error(`${path}: ${error instanceof Error ? error.message : String(error)}`);
      });
      process.stderr.write(`read ${rows.length} rows from ${path}\n`);
      const flags = detectAnomalies(rows);
      process.stderr.write(`flagged ${flags.length} points\n`);
      if (o.evaluate !== undefined) {
        const truth = await readTruth(o.evaluate);
        const e = evaluateAnomalies(flags, truth);
        process.stdout.write(`${JSON.stringify({ flagged: e.flagged, true_points: e.truePoints, precision: round3(e.precision), planted: e.planted, detected: e.detected, recall: round3(e.recall), by_kind: e.byKind })}\n`);
        return;
      }
      const out = flags.map((f) => JSON.stringify({ date: f.date, district: f.district, metric: f.metric, value: f.value, expected: f.expected, score: f.score }));
      process.stdout.write(out.length > 0 ? `${out.join('\n')}\n` : '');
    });
}

function seedNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new InvalidArgumentError('a whole number from 0 to 4294967295');
  return n;
}

async function readTruth(path: string): Promise<PlantedAnomaly[]> {
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line, i) => {
      try {
        return JSON.parse(line) as PlantedAnomaly;
      } catch {
        throw new Error(`${path} line ${i + 1}: not JSON`);
      }
    });
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
