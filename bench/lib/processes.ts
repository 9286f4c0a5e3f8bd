import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Every child process and temporary directory the bench makes is tracked here,
 * so that an ordinary end, a failure, Ctrl-C or an uncaught error all leave
 * nothing behind. Children also watch their IPC channel and exit when it
 * closes, which covers the one case no handler here can: a SIGKILLed bench.
 */

const children = new Set<ChildProcess>();
const dirs = new Set<string>();

export interface BenchMessage {
  type: string;
  [key: string]: unknown;
}

export function trackDir(dir: string): string {
  dirs.add(dir);
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  dirs.delete(dir);
}

/**
 * Forks a TypeScript entry point under tsx. The child's stdout goes to our
 * stderr: with --json, stdout carries the one JSON object and nothing else.
 */
export function forkChild(file: string, options: { env?: NodeJS.ProcessEnv; execArgv?: string[]; args?: string[] } = {}): ChildProcess {
  const child = fork(file, options.args ?? [], {
    execArgv: ['--import', 'tsx', ...(options.execArgv ?? [])],
    env: options.env ?? process.env,
    stdio: ['ignore', 2, 2, 'ipc'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** The next message of this type from the child; fails if the child exits first or says `error`. */
export function nextMessage<T extends BenchMessage>(child: ChildProcess, type: string, timeoutMs: number, onOther?: (m: BenchMessage) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`no "${type}" from child ${child.pid} within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (m: BenchMessage) => {
      if (m.type === type) finish(undefined, m as T);
      else if (m.type === 'error') finish(new Error(`child ${child.pid}: ${String(m.message)}`));
      else onOther?.(m);
    };
    const onExit = (code: number | null, signal: string | null) => finish(new Error(`child ${child.pid} exited (${signal ?? code}) before sending "${type}"`));
    function finish(error: Error | undefined, value?: T) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(value as T);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/**
 * Asks a child to shut down (so a --cpu-prof child writes its profile), then
 * kills it if it has not gone within the grace period.
 */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (child.connected) child.send({ type: 'shutdown' });
  else child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Synchronous, so it can run from process.on('exit'). */
export function cleanupNow(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}

export function installCleanup(): void {
  process.on('exit', cleanupNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\nbench: ${signal}, stopping children and removing temporary files\n`);
      process.exit(130);
    });
  }
  process.on('uncaughtException', (error) => {
    process.stderr.write(`bench: ${error.stack ?? String(error)}\n`);
    process.exit(1);
  });
  process.on('unhandledRejection', (error) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}

/**
 * For children: exit when the parent goes away (its IPC channel closes), and
 * report a startup failure to it instead of dying silently.
 */
export function childOfBench(onShutdown: () => Promise<void>): void {
  process.on('disconnect', () => process.exit(1));
  process.on('message', (m: BenchMessage) => {
    if (m?.type === 'shutdown') {
      onShutdown().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    }
  });
}

export function reportFatal(error: unknown): never {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`${message}\n`);
  // process.send is asynchronous: exit once the message is out, not before.
  if (process.connected && process.send) process.send({ type: 'error', message }, () => process.exit(1));
  else process.exit(1);
  // Keeps `never` honest while the message is flushed.
  return undefined as never;
}

/**
 * A bench killed with SIGKILL cannot remove its data dir (its children do exit:
 * they watch their IPC channel). The next run removes such dirs: those whose
 * bench.pid names a process that is gone. A running bench's dir is left alone.
 */
export function removeStaleDataDirs(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith('rabta-bench-')) continue;
    const dir = join(tmpdir(), name);
    let pid: number;
    try {
      pid = Number(readFileSync(join(dir, 'bench.pid'), 'utf8'));
    } catch {
      continue;
    }
    if (!Number.isInteger(pid) || pid <= 0 || isAlive(pid)) continue;
    rmSync(dir, { recursive: true, force: true });
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
