import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/rabta.js', import.meta.url));

/** Listens on a port, or resolves undefined when it is taken. */
function hold(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** A PORT whose demo side ports (PORT+1…PORT+4) are free too: found by trying, never fixed. */
async function freeRun(): Promise<number> {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 40_000);
    const held = await Promise.all([0, 1, 2, 3, 4].map((i) => hold(base + i)));
    await Promise.all(held.map((s) => s && new Promise((resolve) => s.close(resolve))));
    if (held.every(Boolean)) return base;
  }
}

interface Demo {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** `rabta start --demo` as a newcomer runs it: only PORT set, everything else from the environment's defaults. */
function startDemo(cwd: string, port: number, ...args: string[]): Demo {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined && !name.startsWith('RABTA_') && name !== 'PORT') env[name] = value;
  env.PORT = String(port);
  const child = spawn(process.execPath, [BIN, 'start', '--demo', ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { child, output: () => text, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

async function until(demo: Demo, pattern: RegExp): Promise<string> {
  for (;;) {
    const match = pattern.exec(demo.output());
    if (match) return match[0];
    if (demo.child.exitCode !== null) throw new Error(`the demo exited (${demo.child.exitCode}) before /${pattern.source}/:\n${demo.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('two demos on one machine', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'rabta-two-demos-'));
  const running: Demo[] = [];
  afterAll(async () => {
    for (const demo of running) {
      if (demo.child.exitCode === null) demo.child.kill('SIGTERM');
      await demo.exited;
    }
    rmSync(cwd, { recursive: true, force: true });
  });

  it('run side by side with only PORT set differently, and the scenario runs beside a running demo', async () => {
    const first = startDemo(cwd, await freeRun());
    running.push(first);
    await until(first, /Rabta demo federation is up at \S+/);
    const portA = Number(/up at http:\/\/127\.0\.0\.1:(\d+)/.exec(first.output())?.[1]);
    // The second one runs the disbursement scenario end to end, on its own ports and data.
    const portB = await freeRun();
    const second = startDemo(cwd, portB, '--scenario', 'disbursement');
    running.push(second);
    await until(second, /The scenario ran to its end|the scenario failed: .*/);
    expect(second.output()).toContain('The scenario ran to its end');
    // What each party saw is printed once.
    expect(second.output().match(/BISP's records: /g)).toHaveLength(1);
    for (const port of [portA, portB]) expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    // Each demo names its own instance in the commands it suggests, and keeps its own data.
    expect(first.output()).toContain(`call --url http://127.0.0.1:${portA} --key-file data/demo-${portA}/demo/keys/HBL-branch-app.json`);
    expect(existsSync(join(cwd, 'data', `demo-${portA}`, 'rabta.db'))).toBe(true);
    expect(existsSync(join(cwd, 'data', `demo-${portB}`, 'rabta.db'))).toBe(true);
    // Each log is cosigned by its own two witnesses.
    for (const port of [portA, portB]) {
      let checkpoint = '';
      while (!(checkpoint.includes('— witness.nadra.demo ') && checkpoint.includes('— witness.hbl.demo '))) {
        checkpoint = await (await fetch(`http://127.0.0.1:${port}/ledger/checkpoint`)).text();
        if (!checkpoint.includes('— witness.hbl.demo ')) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(checkpoint.startsWith(`127.0.0.1:${port}/ledger\n`)).toBe(true);
    }
  }, 180_000);

  it('names the component, the address and the variable when a side port is taken', async () => {
    const port = await freeRun();
    const squatter = (await hold(port + 1)) as Server;
    try {
      const demo = startDemo(cwd, port);
      running.push(demo);
      expect(await demo.exited).toBe(1);
      expect(demo.output()).toContain(`error: demo SMSC could not listen on 127.0.0.1:${port + 1}: EADDRINUSE`);
      expect(demo.output()).toContain('RABTA_DEMO_SMSC_PORT');
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  }, 60_000);
});
