import type { Concatenation } from './encoding.js';

export interface PendingMessage<M> {
  key: string;
  /** what the first part said about the whole message (sender, coding) */
  meta: M;
  total: number;
  /** bodies by sequence number (1-based); missing parts are absent */
  parts: Map<number, Buffer>;
}

export interface ReassemblerOptions<M> {
  /** how long the parts of one message may take to arrive */
  timeoutMs: number;
  /** how many unfinished messages are kept at most; the oldest goes first */
  maxPending: number;
  /** called with what arrived of a message that never completed */
  onIncomplete(message: PendingMessage<M>): void;
}

/**
 * Puts concatenated inbound parts back together. Parts arrive in any order
 * and may repeat (an SMSC redelivers what it thinks was not acknowledged).
 * A completed message stays until `done`, so that if handling it fails and the
 * SMSC redelivers the last part, the whole message is there again.
 */
export class Reassembler<M> {
  readonly #pending = new Map<string, PendingMessage<M> & { timer: NodeJS.Timeout }>();
  readonly #options: ReassemblerOptions<M>;

  constructor(options: ReassemblerOptions<M>) {
    this.#options = options;
  }

  static keyOf(sender: string, concat: Concatenation): string {
    return `${sender}\u0000${concat.reference}\u0000${concat.total}`;
  }

  /** The parts in order once all have arrived, else undefined. */
  add(key: string, concat: Concatenation, body: Buffer, meta: M): Buffer[] | undefined {
    let entry = this.#pending.get(key);
    if (!entry) {
      if (this.#pending.size >= this.#options.maxPending) this.#expire(this.#pending.keys().next().value as string);
      const timer = setTimeout(() => this.#expire(key), this.#options.timeoutMs);
      timer.unref();
      entry = { key, meta, total: concat.total, parts: new Map(), timer };
      this.#pending.set(key, entry);
    }
    const parts = entry.parts;
    parts.set(concat.sequence, body);
    if (parts.size < entry.total) return undefined;
    return Array.from({ length: entry.total }, (_, i) => parts.get(i + 1) as Buffer);
  }

  done(key: string): void {
    const entry = this.#pending.get(key);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.#pending.delete(key);
  }

  get size(): number {
    return this.#pending.size;
  }

  clear(): void {
    for (const entry of this.#pending.values()) clearTimeout(entry.timer);
    this.#pending.clear();
  }

  #expire(key: string): void {
    const entry = this.#pending.get(key);
    if (!entry) return;
    this.done(key);
    this.#options.onIncomplete({ key: entry.key, meta: entry.meta, total: entry.total, parts: entry.parts });
  }
}
