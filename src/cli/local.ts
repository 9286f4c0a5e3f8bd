import { join } from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { DEMO_VARIABLES, VARIABLES } from '../config/index.js';
import { SYSTEM_ACTOR } from '../core/index.js';
import { newKeysFile, rotateKey, writeKeysFile } from '../keyring/index.js';
import { existsSync } from 'node:fs';
import { createPlatform } from '../platform/index.js';
import { startServer } from './start.js';
import { configOrExit } from './config.js';

/** Commands that act on this machine's configuration and database directly. */
export function registerLocalCommands(program: Command): void {
  program
    .command('start')
    .description('serve the instance (with --demo: the sandbox federation with simulated institutions)')
    .option('--demo', 'seed and run the demo federation', false)
    .option('--scenario <name>', 'with --demo, run a story end to end and print what each party saw (disbursement, grievance)')
    .option('--workers <n>', 'processes serving the port, to use every core (env RABTA_WORKERS)', process.env.RABTA_WORKERS ?? '1')
    .action(async (options: { demo: boolean; workers: string; scenario?: string }) => {
      const workers = Number(options.workers);
      if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new Error('--workers must be a whole number from 1 to 64');
      await startServer({ demo: options.demo, workers, ...(options.scenario ? { scenario: options.scenario } : {}) });
    });

  program
    .command('init')
    .description('create the authority’s first admin and print its API token (only on an instance with no operators)')
    .option('--name <name>', 'operator name', 'authority admin')
    .action(async (options: { name: string }) => {
      const platform = await createPlatform(configOrExit());
      try {
        if ((await platform.registry.countOperators()) > 0) {
          console.error('error: this instance already has operators; ask an authority admin for a token (`rabta operator add`)');
          process.exitCode = 1;
          return;
        }
        const { token } = await platform.registry.createOperator(SYSTEM_ACTOR, { name: options.name, role: 'authority-admin' });
        console.log(token);
        console.error('The authority admin token above is shown once. Use it as --token or RABTA_TOKEN.');
      } finally {
        await platform.close();
      }
    });

  const db = program.command('db').description('database maintenance');
  db.command('migrate')
    .description('apply pending migrations (start does this too)')
    .action(async () => {
      const platform = await createPlatform(configOrExit(), { migrate: false });
      try {
        const applied = await platform.store.migrate();
        console.log(applied.length ? `applied: ${applied.join(', ')}` : 'the database is up to date');
      } finally {
        await platform.close();
      }
    });

  program
    .command('analytics')
    .description('indicators and rollups')
    .command('rebuild')
    .description('rebuild the exchange rollups of whole UTC days from the raw exchange records (when rollups are missing or were damaged); one pass over the exchange table')
    .option('--from <time>', 'first day (default: the first record)')
    .option('--to <time>', 'end of the period (default: the end of today)')
    .option('--no-progress', 'no progress bar')
    .action(async (options: { from?: string; to?: string; progress: boolean }) => {
      const [from, to] = [options.from, options.to].map((v) => (v === undefined ? undefined : Date.parse(v)));
      if (Number.isNaN(from) || Number.isNaN(to)) throw new Error('--from and --to are RFC 3339 dates or times, e.g. 2026-03-01');
      const platform = await createPlatform(configOrExit(), { background: false });
      const bar = options.progress && process.stderr.isTTY ? new SingleBar({ stream: process.stderr, format: 'rollups {bar} {value}/{total} {stage}', hideCursor: true }, Presets.shades_classic) : undefined;
      try {
        bar?.start(1, 0, { stage: 'summing the exchange records' });
        const result = await platform.analytics.rebuild({
          ...(from === undefined ? {} : { from }),
          ...(to === undefined ? {} : { to }),
          onProgress: (p) => {
            if (p.stage === 'write' && p.done === 0) bar?.setTotal(Math.max(1, p.total));
            bar?.update(p.done, { stage: p.stage === 'scan' ? 'summing the exchange records' : 'writing rollups' });
          },
        });
        bar?.stop();
        console.log(`rebuilt ${result.rows} rollup rows from ${result.exchanges} exchange records (${result.groups} groups), ${new Date(result.from).toISOString().slice(0, 10)} to ${new Date(result.to).toISOString().slice(0, 10)}`);
      } finally {
        bar?.stop();
        await platform.close();
      }
    });

  const keys = program.command('keys').description('the instance’s own keys and secrets');
  keys
    .command('init')
    .description('write a new keys file (share it with every node of a scale-out deployment)')
    .requiredOption('--file <path>', 'where to write it')
    .action(async (options: { file: string }) => {
      if (existsSync(options.file)) throw new Error(`${options.file} exists; refusing to overwrite instance keys`);
      writeKeysFile(options.file, await newKeysFile());
      console.log(`wrote ${options.file} (mode 0600)`);
    });
  keys
    .command('rotate <use>')
    .description('add a new exchange or consent key; the old one stays valid for the overlap')
    .option('--file <path>', 'keys file (default $RABTA_KEYS_FILE or $RABTA_DATA_DIR/keys.json)')
    .option('--overlap-hours <n>', 'how long the old key stays valid', '168')
    .action(async (use: string, options: { file?: string; overlapHours: string }) => {
      if (use !== 'exchange' && use !== 'consent') throw new Error('use is exchange or consent');
      const config = configOrExit();
      const file = options.file ?? config.keysFile ?? join(config.dataDir, 'keys.json');
      const kid = await rotateKey(file, use, Number(options.overlapHours) * 3600_000);
      console.log(`new ${use} key ${kid}; restart every node to use it`);
    });

  program
    .command('config')
    .description('list the environment variables Rabta reads')
    .action(() => {
      for (const [name, help] of Object.entries(VARIABLES)) console.log(`${name.padEnd(30)} ${help}`);
      console.log('\nThe demo (rabta start --demo, npm start):');
      for (const [name, help] of Object.entries(DEMO_VARIABLES)) console.log(`${name.padEnd(30)} ${help}`);
    });
}
