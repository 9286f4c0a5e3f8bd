import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus } from 'node:os';
import { parseArgs } from './lib/args.js';
import { cleanupNow, installCleanup } from './lib/processes.js';
import { BenchFailure } from './lib/section.js';
import type { Section } from './lib/section.js';
import { assistSection } from './sections/assist.js';
import { cryptoSection } from './sections/crypto.js';
import { eventsSection } from './sections/events.js';
import { exchangeSection } from './sections/exchange.js';
import { ledgerSection } from './sections/ledger.js';
import { scaleoutSection } from './sections/scaleout.js';
import { anomalySection } from './sections/anomaly.js';
import { analyticsSection } from './sections/analytics.js';
import { casesSection } from './sections/cases.js';

/**
 * `npm run bench`: the gateway's throughput against a bare proxy measured in
 * the same run on the same machine, so that the ratio means something on a
 * shared, noisy host where absolute figures do not. Progress goes to stderr;
 * stdout gets the report, or with --json exactly one JSON object.
 *
 * A new measurement is a Section in bench/sections/ added to this list: its
 * JSON piece is merged into the output.
 */
const SECTIONS: Section[] = [exchangeSection, cryptoSection, ledgerSection, eventsSection, assistSection, anomalySection, casesSection, analyticsSection, scaleoutSection];

const args = parseArgs(process.argv.slice(2));
installCleanup();
const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

// --nodes asks for the scale-out figures alone; the other sections measure one node.
const selected = SECTIONS.filter((s) => (args.only ? args.only.includes(s.name) : args.nodes !== undefined ? s.name === 'scaleout' : s.name !== 'scaleout'));
if (args.only) for (const name of args.only) if (!SECTIONS.some((s) => s.name === name)) throw new Error(`no section "${name}" (${SECTIONS.map((s) => s.name).join(', ')})`);

/** Which source was measured: the figures move with every change to the pipeline. */
function sourceRevision(): string {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

log(`source ${sourceRevision()}; ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}), node ${process.version}; sections: ${selected.map((s) => s.name).join(', ')}`);
const output: Record<string, unknown> = {};
/** which database each section ran on (`none`: it opens none), since --database changes every figure that touches one */
const databases: Record<string, string> = {};
const report: string[] = [];
try {
  for (const section of selected) {
    const started = Date.now();
    const result = await section.run({ args, log });
    // Sections may share a top-level key (e.g. "assist"): merge one level down rather than overwrite.
    for (const [key, value] of Object.entries(result.json)) {
      const had = output[key];
      output[key] = isRecord(had) && isRecord(value) ? { ...had, ...value } : value;
    }
    databases[section.name] = result.database ?? 'none';
    report.push(...result.report, '');
    log(`${section.name} done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
} catch (error) {
  if (error instanceof BenchFailure) {
    process.stderr.write(`\nbench FAILED: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

cleanupNow();
output.databases = databases;
report.push(`databases: ${Object.entries(databases).map(([name, kind]) => `${name} ${kind}`).join(', ')}`);
if (args.json) process.stdout.write(`${JSON.stringify(output)}\n`);
else process.stdout.write(`\n${report.join('\n')}`);
