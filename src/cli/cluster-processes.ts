import { spawn } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';

/**
 * Children of the cluster command must not outlive it, however it ends. On a
 * clean exit it stops them ('exit' handler in the caller); if it is killed
 * outright, the kernel sends each child a signal when its parent dies
 * (PR_SET_PDEATHSIG, set by util-linux `setpriv` before it execs the child).
 */
const SETPRIV = '/usr/bin/setpriv';

export function spawnChild(command: string, args: string[], options: SpawnOptions & { deathSignal: 'TERM' | 'KILL' }): ChildProcess {
  const { deathSignal, ...rest } = options;
  const spawnOptions: SpawnOptions = { ...rest, detached: false };
  if (existsSync(SETPRIV)) return spawn(SETPRIV, [`--pdeathsig=${deathSignal}`, '--', command, ...args], spawnOptions);
  return spawn(command, args, spawnOptions);
}

/** Sends a child's output, line by line and with a prefix, to `write`. */
export function prefixOutput(child: ChildProcess, prefix: string, write: (line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => write(`${prefix} ${line}`));
  }
}

/** A free TCP port on 127.0.0.1 (bound, then released for the child that will listen on it). */
export async function freeLocalPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * Polls until `check` holds, failing with `what` after `timeoutMs` (or at once if `abort` says the wait is hopeless).
 * A check that throws counts as "not yet"; the last thing it threw is named in the failure, so a timeout says
 * whether the other side refused, hung or answered something else.
 */
export async function waitUntil(what: string, check: () => Promise<boolean>, options: { timeoutMs: number; intervalMs?: number; abort?: () => string | undefined }): Promise<void> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  let last = 'no check finished';
  for (;;) {
    try {
      if (await check()) return;
      last = 'the check said no';
    } catch (error) {
      last = describe(error);
    }
    const aborted = options.abort?.();
    if (aborted) throw new Error(`${what}: ${aborted}`);
    if (Date.now() > deadline) throw new Error(`${what}: not within ${options.timeoutMs} ms (last check, after ${Date.now() - started} ms: ${last})`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
}

/** An error and its causes on one line (fetch's own message is only "fetch failed"). */
function describe(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e instanceof Error && parts.length < 4; e = e.cause) parts.push(`${(e as NodeJS.ErrnoException).code ?? e.name}: ${e.message}`);
  return parts.length ? parts.join(' <- ') : String(error);
}

/** Whether a URL answers 200 within a second; any other answer throws, saying what it was. */
export async function answers200(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`answered ${response.status}: ${body.slice(0, 300)}`);
  return true;
}

/** Stops a child: `signal`, then SIGKILL if it has not exited within `graceMs`. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
