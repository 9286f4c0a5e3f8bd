import { describe, expect, it } from 'vitest';
import { createJobs } from './periodic.js';

describe('periodic jobs', () => {
  it('logs a job that throws with its name and counts it', async () => {
    const logged: Array<{ job: string; message: string }> = [];
    const jobs = createJobs({ log: (job, error) => logged.push({ job, message: (error as Error).message }) });
    const job = jobs.every('sweep-test', 60_000, async () => {
      throw new Error('the database went away');
    });
    await job.run();
    await job.run();
    await job.stop();
    expect(logged).toEqual([
      { job: 'sweep-test', message: 'the database went away' },
      { job: 'sweep-test', message: 'the database went away' },
    ]);
    expect(jobs.failures().get('sweep-test')).toBe(2);
  });

  it('reports a job that throws synchronously, and runs it again afterwards', async () => {
    const jobs = createJobs({ log: () => undefined });
    let runs = 0;
    const job = jobs.every('sync-throw', 60_000, () => {
      runs += 1;
      throw new Error('not even a promise');
    });
    await job.run();
    await job.run();
    await job.stop();
    expect(runs).toBe(2);
    expect(jobs.failures().get('sync-throw')).toBe(2);
  });

  it('never overlaps a run with itself, and stop waits for the run in progress', async () => {
    const jobs = createJobs();
    let release!: () => void;
    let started = 0;
    let finished = false;
    const job = jobs.every('slow', 60_000, async () => {
      started += 1;
      await new Promise<void>((resolve) => (release = resolve));
      finished = true;
    });
    const first = job.run();
    const second = job.run();
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(started).toBe(1);
    const stopped = job.stop();
    release();
    await Promise.all([first, second, stopped]);
    expect(finished).toBe(true);
    expect(jobs.failures().size).toBe(0);
  });

  it('logs to the logger it was given from then on, and back to the default once undone', async () => {
    const seen: string[] = [];
    const fallback: string[] = [];
    const jobs = createJobs({ log: (job) => fallback.push(job) });
    const undo = jobs.logTo((job) => seen.push(job));
    jobs.failed('notices', new Error('x'));
    undo();
    jobs.failed('notices', new Error('y'));
    expect(seen).toEqual(['notices']);
    expect(fallback).toEqual(['notices']);
    expect(jobs.failures().get('notices')).toBe(2);
  });
});
