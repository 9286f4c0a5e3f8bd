import type { Dispatcher } from 'undici';
import type { EgressPolicy } from './addresses.js';
import { Breakers, type BreakerOptions, type CircuitState } from './breaker.js';
import { createDispatcher, type DispatcherOptions } from './dispatcher.js';
import { callUpstream, type UpstreamDefaults, type UpstreamRequest, type UpstreamResponse } from './upstream.js';

export { ADDRESS_CLASSES, classifyAddress, egressPolicy, isAddressClass } from './addresses.js';
export type { AddressClass, EgressPolicy } from './addresses.js';
export type { CircuitState } from './breaker.js';
export type { ResolvedAddress, Resolver } from './dispatcher.js';
export type { UpstreamRequest, UpstreamResponse } from './upstream.js';

export interface EgressOptions extends DispatcherOptions, BreakerOptions, Partial<UpstreamDefaults> {}

export interface Egress {
  /** An outbound HTTP call: egress policy, circuit breaker, timeouts, bounded retries. */
  call(request: UpstreamRequest): Promise<UpstreamResponse>;
  /**
   * For modules that call undici themselves (`request(url, { ...egress.fetchOptions, … })`):
   * the address policy and the pool still apply; breaker, retries and limits do not.
   */
  readonly fetchOptions: { readonly dispatcher: Dispatcher };
  /** For health pages and metrics. */
  circuit(origin: string): CircuitState;
  /** Lets calls in flight finish, then closes every pooled connection. */
  close(): Promise<void>;
}

export function createEgress(policy: EgressPolicy, options: EgressOptions = {}): Egress {
  const dispatcher = createDispatcher(policy, options);
  const breakers = new Breakers(options);
  const context = {
    dispatcher,
    breakers,
    defaults: {
      timeoutMs: options.timeoutMs ?? 10_000,
      bodyTimeoutMs: options.bodyTimeoutMs ?? 30_000,
      retries: options.retries ?? 1,
      maxResponseBytes: options.maxResponseBytes ?? 10 * 1024 * 1024,
    },
  };
  return {
    call: (request) => callUpstream(context, request),
    fetchOptions: { dispatcher },
    circuit: (origin) => breakers.state(new URL(origin).origin),
    close: () => dispatcher.close(),
  };
}
