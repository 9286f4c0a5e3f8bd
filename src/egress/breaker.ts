import { RabtaError } from '../core/index.js';

export interface BreakerOptions {
  /** Consecutive failures (connect errors, timeouts, 5xx) that open a circuit. Default 5. */
  failureThreshold?: number;
  /** How long an open circuit refuses calls before it lets one trial through. Default 30 s. */
  coolDownMs?: number;
  /** Injectable clock for tests. */
  now?: () => number;
}

export type CircuitState = 'closed' | 'open' | 'half-open';

/**
 * What a call taught us about the upstream: `neutral` when it never reached it
 * (refused by policy, aborted by our caller) or its answer says nothing about its health.
 */
export type Outcome = 'success' | 'failure' | 'neutral';

export interface Permit {
  /** Must be called exactly once per permit; later calls are ignored. */
  settle(outcome: Outcome): void;
}

interface Circuit {
  state: CircuitState;
  failures: number;
  openedAt: number;
  /** The permit of the one call allowed through while half-open. */
  trial: object | undefined;
}

/** One circuit per upstream origin; only failing origins take memory. */
export class Breakers {
  readonly #circuits = new Map<string, Circuit>();
  readonly #threshold: number;
  readonly #coolDownMs: number;
  readonly #now: () => number;

  constructor(options: BreakerOptions = {}) {
    this.#threshold = options.failureThreshold ?? 5;
    this.#coolDownMs = options.coolDownMs ?? 30_000;
    this.#now = options.now ?? Date.now;
  }

  state(origin: string): CircuitState {
    const circuit = this.#circuits.get(origin);
    if (circuit === undefined) return 'closed';
    this.#cool(circuit);
    return circuit.state;
  }

  /** A permit to call `origin`, or `circuit-open` with `Retry-After` while calls are paused. */
  enter(origin: string): Permit {
    const circuit = this.#circuits.get(origin);
    if (circuit === undefined || circuit.state === 'closed') return this.#permit(origin, undefined);
    this.#cool(circuit);
    if (circuit.state === 'half-open' && circuit.trial === undefined) {
      const trial = {};
      circuit.trial = trial;
      return this.#permit(origin, trial);
    }
    const remainingMs = circuit.state === 'open' ? circuit.openedAt + this.#coolDownMs - this.#now() : 0;
    const retryAfter = Math.max(1, Math.ceil(remainingMs / 1000));
    throw new RabtaError('circuit-open', 'Calls to this upstream are paused because it keeps failing', {
      headers: { 'Retry-After': String(retryAfter) },
    });
  }

  #cool(circuit: Circuit): void {
    if (circuit.state === 'open' && this.#now() - circuit.openedAt >= this.#coolDownMs) circuit.state = 'half-open';
  }

  #permit(origin: string, trial: object | undefined): Permit {
    let settled = false;
    return {
      settle: (outcome) => {
        if (settled) return;
        settled = true;
        this.#settle(origin, trial, outcome);
      },
    };
  }

  #settle(origin: string, trial: object | undefined, outcome: Outcome): void {
    const circuit = this.#circuits.get(origin);
    if (trial !== undefined) {
      if (circuit === undefined || circuit.trial !== trial) return;
      circuit.trial = undefined;
      if (outcome === 'success') this.#circuits.delete(origin);
      if (outcome === 'failure') this.#open(circuit);
      return;
    }
    // Calls that started before the circuit opened say nothing the trial will not say better.
    if (circuit !== undefined && circuit.state !== 'closed') return;
    if (outcome === 'success') this.#circuits.delete(origin);
    if (outcome !== 'failure') return;
    const current = circuit ?? { state: 'closed', failures: 0, openedAt: 0, trial: undefined };
    current.failures += 1;
    this.#circuits.set(origin, current);
    if (current.failures >= this.#threshold) this.#open(current);
  }

  #open(circuit: Circuit): void {
    circuit.state = 'open';
    circuit.openedAt = this.#now();
  }
}
