import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './index.js';

describe('configuration', () => {
  it('has working defaults for the embedded instance', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 8080, publicUrl: 'http://127.0.0.1:8080', instance: 'PK', databaseUrl: undefined, sqliteSynchronous: 'FULL', egressAllow: [] });
  });

  it('names every wrong variable at once', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', RABTA_PUBLIC_URL: 'ftp://x', RABTA_EGRESS_ALLOW: 'loopback,moon', DATABASE_URL: 'mysql://x', RABTA_SQLITE_SYNCHRONOUS: 'OFF' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ['PORT', 'RABTA_PUBLIC_URL', 'RABTA_EGRESS_ALLOW', 'DATABASE_URL', 'RABTA_SQLITE_SYNCHRONOUS']) expect(message).toContain(name);
  });

  it('requires shared keys when scaled out on PostgreSQL', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://x/y' })).toThrow(/RABTA_KEYS_FILE/);
    expect(loadConfig({ DATABASE_URL: 'postgres://x/y', RABTA_KEYS_FILE: '/k.json' }).keysFile).toBe('/k.json');
  });

  it('reads the delivery worker’s retry schedule and lease, and refuses a schedule that is not delays', () => {
    expect(loadConfig({})).toMatchObject({ eventsRetryScheduleMs: undefined, eventsLeaseMs: undefined });
    expect(loadConfig({ RABTA_EVENTS_RETRY_SCHEDULE_MS: '0, 200,1000', RABTA_EVENTS_LEASE_MS: '1500' })).toMatchObject({ eventsRetryScheduleMs: [0, 200, 1000], eventsLeaseMs: 1500 });
    expect(() => loadConfig({ RABTA_EVENTS_RETRY_SCHEDULE_MS: '0,soon' })).toThrow(/RABTA_EVENTS_RETRY_SCHEDULE_MS/);
    expect(() => loadConfig({ RABTA_EVENTS_LEASE_MS: '5' })).toThrow(/RABTA_EVENTS_LEASE_MS/);
  });

  it('bounds every connection by default, and refuses timeouts Node or the exchange cannot honour', () => {
    expect(loadConfig({})).toMatchObject({ requestTimeoutMs: 120_000, headersTimeoutMs: 20_000, keepAliveTimeoutMs: 72_000, connectionTimeoutMs: 120_000 });
    expect(loadConfig({ RABTA_REQUEST_TIMEOUT_MS: '5000' })).toMatchObject({ requestTimeoutMs: 5000, headersTimeoutMs: 5000 });
    expect(() => loadConfig({ RABTA_REQUEST_TIMEOUT_MS: '5000', RABTA_HEADERS_TIMEOUT_MS: '6000' })).toThrow(/RABTA_HEADERS_TIMEOUT_MS/);
    expect(() => loadConfig({ RABTA_CONNECTION_TIMEOUT_MS: '5000' })).toThrow(/RABTA_CONNECTION_TIMEOUT_MS/);
    expect(() => loadConfig({ RABTA_REQUEST_TIMEOUT_MS: '0' })).toThrow(/RABTA_REQUEST_TIMEOUT_MS/);
  });
});
