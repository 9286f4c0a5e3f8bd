/**
 * Command-line options of `npm run bench`. Hand-parsed: the bench must not add
 * a dependency, and these few flags do not need one.
 */
export interface BenchArgs {
  /** gateway and proxy processes each (node:cluster workers on one port) */
  workers: number;
  /** concurrent keep-alive connections of the load generator */
  connections: number;
  /** measured seconds per run */
  duration: number;
  /** seconds of unmeasured load before each measured run, at least: it goes on until the rate is steady */
  warmup: number;
  /** print one JSON object on stdout and nothing else */
  json: boolean;
  /** write V8 CPU profiles of the gateway workers into this directory */
  profileDir: string | undefined;
  /** time SQLite statements and Ed25519 calls inside the gateway workers */
  counters: boolean;
  /** how many times a run disturbed by other work on the machine is repeated */
  retries: number;
  /** run only these sections (default all) */
  only: string[] | undefined;
  /** rows of the disbursement batch the events section sends end to end (0: none) */
  batchRows: number;
  /** cases: open tasks under the deadline sweep (default 100,000 to keep the run short; 1,000,000 is the figure) */
  casesOpen: number;
  /** analytics: raw exchange rows the rebuild is timed on (default 10,000,000, the figure) */
  rebuildRows: number;
  /** ledger: the largest log inclusion proofs are timed on (at 1M and 10M leaves when it reaches them) */
  proofLeaves: number;
  /** ledger: the size of the log `rabta ledger verify`'s audit is timed on */
  verifyLeaves: number;
  /** the database every section that opens one runs on, a fresh one each (the scale-out section: postgres only) */
  database: 'sqlite' | 'postgres';
  /** scale-out: measure 1…N nodes behind HAProxy (only the scaleout section runs unless --only says otherwise) */
  nodes: number | undefined;
}

const USAGE = `usage: npm run bench -- [--workers N] [--connections C] [--duration S] [--warmup S] [--json]
                        [--retries N] [--profile DIR] [--counters] [--only exchange,crypto,…]
                        [--batch-rows N]   (events: the disbursement batch, default 1,000,000; 0 skips it)
                        [--cases-open N]   (cases: open tasks under the sweep, default 100,000; 1000000 for sweep_ms_1m)
                        [--rebuild-rows N]   (analytics: raw exchange rows the rollup rebuild reads, default 10,000,000)
                        [--proof-leaves N] [--verify-leaves N]   (ledger: proofs up to 10,000,000 leaves, the audit on 1,000,000)
                        [--database sqlite|postgres]   (every section on a fresh database of this kind, default sqlite;
                                                         PostgreSQL: DATABASE_URL's server, else postgres@127.0.0.1:5432)
                        [--database postgres --nodes N]   (scale-out alone: 1…N nodes behind HAProxy on PostgreSQL)
  RABTA_SQLITE_SYNCHRONOUS=NORMAL npm run bench   measures without the per-commit fsync`;

export function parseArgs(argv: readonly string[]): BenchArgs {
  const args: BenchArgs = { workers: 2, connections: 32, duration: 10, warmup: 2, json: false, profileDir: undefined, counters: false, retries: 2, only: undefined, batchRows: 1_000_000, proofLeaves: 10_000_000, verifyLeaves: 1_000_000, casesOpen: 100_000, rebuildRows: 10_000_000, database: 'sqlite', nodes: undefined };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) fail(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--workers':
        args.workers = positiveInt(flag, value());
        break;
      case '--connections':
        args.connections = positiveInt(flag, value());
        break;
      case '--duration':
        args.duration = positiveNumber(flag, value());
        break;
      case '--warmup':
        args.warmup = positiveNumber(flag, value());
        break;
      case '--json':
        args.json = true;
        break;
      case '--profile':
        args.profileDir = value();
        break;
      case '--retries':
        args.retries = Number(value());
        if (!Number.isInteger(args.retries) || args.retries < 0) fail('--retries must be a whole number');
        break;
      case '--counters':
        args.counters = true;
        break;
      case '--cases-open':
        args.casesOpen = positiveInt(flag, value());
        break;
      case '--rebuild-rows':
        args.rebuildRows = positiveInt(flag, value());
        break;
      case '--batch-rows':
        args.batchRows = Number(value());
        if (!Number.isInteger(args.batchRows) || args.batchRows < 0) fail('--batch-rows must be a whole number');
        break;
      case '--proof-leaves':
        args.proofLeaves = positiveInt(flag, value());
        break;
      case '--verify-leaves':
        args.verifyLeaves = positiveInt(flag, value());
        break;
      case '--database': {
        const database = value();
        if (database !== 'sqlite' && database !== 'postgres') fail('--database is sqlite or postgres');
        args.database = database;
        break;
      }
      case '--nodes':
        args.nodes = positiveInt(flag, value());
        break;
      case '--only':
        args.only = value().split(',').map((s) => s.trim()).filter(Boolean);
        break;
      case '--help':
      case '-h':
        process.stderr.write(`${USAGE}\n`);
        process.exit(0);
        break;
      default:
        fail(`unknown option ${flag}`);
    }
  }
  return args;
}

function positiveInt(flag: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) fail(`${flag} must be a positive integer, got "${raw}"`);
  return n;
}

function positiveNumber(flag: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) fail(`${flag} must be a positive number, got "${raw}"`);
  return n;
}

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}
