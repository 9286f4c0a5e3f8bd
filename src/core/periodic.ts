/**
 * Background work on an interval, written once: a job never overlaps itself,
 * its timer never keeps the process alive, `stop()` waits for a run in
 * progress, and a run that throws is reported — with the job's name — to the
 * logger and the failure count that `/metrics` shows. Nothing a job does can
 * fail silently.
 */

/** Where a job's failure goes: a log line naming the job (the server's logger, else a process warning). */
export type JobFailureLog = (job: string, error: unknown) => void;

export interface PeriodicJob {
  readonly name: string;
  /** starts a run now unless one is running; resolves when that run is over (never rejects) */
  run(): Promise<void>;
  /** waits for a run in progress, starting none */
  idle(): Promise<void>;
  /** stops the timer and waits for a run in progress */
  stop(): Promise<void>;
}

export interface Jobs {
  /** runs `work` every `intervalMs` until stopped */
  every(name: string, intervalMs: number, work: () => Promise<unknown>): PeriodicJob;
  /** reports a failure of work done on a job's behalf outside its timer (a poke) */
  failed(job: string, error: unknown): void;
  /** failures so far, by job name (the `/metrics` counter reads them) */
  failures(): ReadonlyMap<string, number>;
  /** logs failures here from now on instead of the default; returns a function that undoes it */
  logTo(log: JobFailureLog): () => void;
}

const warn: JobFailureLog = (job, error) => process.emitWarning(`background job ${job} failed: ${error instanceof Error ? error.message : String(error)}`);

export function createJobs(options: { log?: JobFailureLog } = {}): Jobs {
  const counts = new Map<string, number>();
  const logs: JobFailureLog[] = [];
  const fallback = options.log ?? warn;

  function failed(job: string, error: unknown): void {
    counts.set(job, (counts.get(job) ?? 0) + 1);
    try {
      for (const log of logs.length > 0 ? logs : [fallback]) log(job, error);
    } catch {
      // A logger that throws must not stop the job; the count above still says it failed.
    }
  }

  function every(name: string, intervalMs: number, work: () => Promise<unknown>): PeriodicJob {
    let running: Promise<void> | undefined;
    const run = (): Promise<void> => {
      // Started on the next tick, so a job that throws synchronously is reported like one that rejects.
      running ??= Promise.resolve()
        .then(work)
        .then(
          () => undefined,
          (error: unknown) => failed(name, error),
        )
        .finally(() => (running = undefined));
      return running;
    };
    const timer = setInterval(() => void run(), intervalMs);
    timer.unref();
    return {
      name,
      run,
      idle: async () => {
        await running;
      },
      async stop() {
        clearInterval(timer);
        await running;
      },
    };
  }

  return {
    every,
    failed,
    failures: () => counts,
    logTo(log) {
      logs.push(log);
      return () => {
        const at = logs.indexOf(log);
        if (at >= 0) logs.splice(at, 1);
      };
    },
  };
}

/** Jobs of code built without a platform (a module in a unit test): failures still reach a process warning. */
export const standaloneJobs: Jobs = createJobs();
