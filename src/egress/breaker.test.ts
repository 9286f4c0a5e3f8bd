import { describe, expect, it } from 'vitest';
import { RabtaError } from '../core/index.js';
import { Breakers } from './breaker.js';

const ORIGIN = 'https://upstream.example.pk';

function setup() {
  const clock = { now: 1_000_000 };
  const breakers = new Breakers({ failureThreshold: 3, coolDownMs: 10_000, now: () => clock.now });
  const fail = () => breakers.enter(ORIGIN).settle('failure');
  return { clock, breakers, fail };
}

function refusal(run: () => unknown): RabtaError {
  try {
    run();
  } catch (error) {
    if (error instanceof RabtaError) return error;
    throw error;
  }
  throw new Error('expected circuit-open');
}

describe('Breakers', () => {
  it('opens after N consecutive failures and says when to come back', () => {
    const { clock, breakers, fail } = setup();
    fail();
    fail();
    expect(breakers.state(ORIGIN)).toBe('closed');
    fail();
    expect(breakers.state(ORIGIN)).toBe('open');
    clock.now += 2_500;
    const error = refusal(() => breakers.enter(ORIGIN));
    expect(error.code).toBe('circuit-open');
    expect(error.headers['Retry-After']).toBe('8');
  });

  it('counts only consecutive failures', () => {
    const { breakers, fail } = setup();
    fail();
    fail();
    breakers.enter(ORIGIN).settle('success');
    fail();
    fail();
    expect(breakers.state(ORIGIN)).toBe('closed');
  });

  it('keeps circuits apart per origin', () => {
    const { breakers, fail } = setup();
    fail();
    fail();
    fail();
    expect(() => breakers.enter('https://other.example.pk').settle('success')).not.toThrow();
  });

  it('lets one trial through after the cool-down and closes when it succeeds', () => {
    const { clock, breakers, fail } = setup();
    fail();
    fail();
    fail();
    clock.now += 10_000;
    expect(breakers.state(ORIGIN)).toBe('half-open');
    const trial = breakers.enter(ORIGIN);
    const second = refusal(() => breakers.enter(ORIGIN));
    expect(second.headers['Retry-After']).toBe('1');
    trial.settle('success');
    expect(breakers.state(ORIGIN)).toBe('closed');
    expect(() => breakers.enter(ORIGIN)).not.toThrow();
  });

  it('opens again for a full cool-down when the trial fails', () => {
    const { clock, breakers, fail } = setup();
    fail();
    fail();
    fail();
    clock.now += 10_000;
    breakers.enter(ORIGIN).settle('failure');
    expect(breakers.state(ORIGIN)).toBe('open');
    expect(refusal(() => breakers.enter(ORIGIN)).headers['Retry-After']).toBe('10');
  });

  it('offers another trial when the trial taught nothing', () => {
    const { clock, breakers, fail } = setup();
    fail();
    fail();
    fail();
    clock.now += 10_000;
    breakers.enter(ORIGIN).settle('neutral');
    expect(breakers.state(ORIGIN)).toBe('half-open');
    expect(() => breakers.enter(ORIGIN)).not.toThrow();
  });

  it('ignores late results of calls started before the circuit opened', () => {
    const { clock, breakers, fail } = setup();
    const early = breakers.enter(ORIGIN);
    fail();
    fail();
    fail();
    clock.now += 10_000;
    const trial = breakers.enter(ORIGIN);
    early.settle('success');
    expect(breakers.state(ORIGIN)).toBe('half-open');
    trial.settle('failure');
    expect(breakers.state(ORIGIN)).toBe('open');
  });
});
