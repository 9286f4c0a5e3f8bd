import { MultiBar, Presets } from 'cli-progress';
import type { SingleBar } from 'cli-progress';

/** How the scenario shows its stages advancing: bars on a terminal, log lines with counts elsewhere, nothing in tests. */
export interface Progress {
  stage(name: string, total: number): (done: number) => void;
  note(line: string): void;
  stop(): void;
}

export const silentProgress: Progress = { stage: () => () => undefined, note: () => undefined, stop: () => undefined };

export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return logProgress((line) => stream.write(`${line}\n`));
  const bars = new MultiBar({ stream, format: ' {bar} {value}/{total}  {stage}', hideCursor: true, clearOnComplete: false, stopOnComplete: false }, Presets.shades_classic);
  return {
    stage(name, total) {
      const bar: SingleBar = bars.create(total, 0, { stage: name });
      return (done) => bar.update(Math.min(done, total));
    },
    note: (line) => bars.log(`${line}\n`),
    stop: () => bars.stop(),
  };
}

/** A line per tenth of each stage, and at its end. */
export function logProgress(write: (line: string) => void): Progress {
  return {
    stage(name, total) {
      let shown = -1;
      return (done) => {
        const tenth = Math.floor((done / Math.max(total, 1)) * 10);
        if (tenth === shown) return;
        shown = tenth;
        write(`  ${name}: ${done}/${total}`);
      };
    },
    note: write,
    stop: () => undefined,
  };
}
