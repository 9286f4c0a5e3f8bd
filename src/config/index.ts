import { resolve } from 'node:path';
import { ADDRESS_CLASSES, isAddressClass } from '../egress/index.js';
import { SMS_CHANNEL_KINDS, smsChannelKind } from '../notify/index.js';
import type { SmsChannelKind } from '../notify/index.js';

/**
 * Configuration comes only from the environment, is validated once at start and
 * is then read-only. Every variable is listed in VARIABLES so that the README
 * and `rabta config` can print the same documentation.
 */
export interface Config {
  host: string;
  port: number;
  publicUrl: string;
  instance: string;
  dataDir: string;
  databaseUrl: string | undefined;
  sqliteSynchronous: 'FULL' | 'NORMAL';
  logLevel: string;
  egressAllow: string[];
  keysFile: string | undefined;
  bodyLimitDefault: number;
  upstreamTimeoutMs: number;
  /** the whole request, head and body, must arrive within this (RABTA_REQUEST_TIMEOUT_MS) */
  requestTimeoutMs: number;
  /** the request head must arrive within this (RABTA_HEADERS_TIMEOUT_MS) */
  headersTimeoutMs: number;
  /** an idle kept-alive connection is closed after this (RABTA_KEEP_ALIVE_TIMEOUT_MS) */
  keepAliveTimeoutMs: number;
  /** a connection on which nothing moves for this long is closed (RABTA_CONNECTION_TIMEOUT_MS) */
  connectionTimeoutMs: number;
  /** which channel citizens' SMS take (RABTA_SMS; inferred from the URLs when unset) */
  sms: SmsChannelKind;
  smppUrl: string | undefined;
  smsSource: string;
  /** the short code citizens text, named in every SMS that expects an answer (RABTA_SMS_SHORT_CODE) */
  smsShortCode: string;
  smsHttpUrl: string | undefined;
  smsHttpSecret: string | undefined;
  /** the delivery worker's retry schedule (RABTA_EVENTS_RETRY_SCHEDULE_MS); undefined: the events module's default */
  eventsRetryScheduleMs: number[] | undefined;
  /** how long a delivery worker holds its claims (RABTA_EVENTS_LEASE_MS); undefined: the events module's default */
  eventsLeaseMs: number | undefined;
  /** a compressed working day for case deadlines (RABTA_CASES_WORKING_DAY_MS, demo and tests); undefined: the real calendar */
  casesWorkingDayMs: number | undefined;
  /** working days a citizen has to confirm a resolution (RABTA_CASES_CONFIRM_DAYS) */
  casesConfirmDays: number;
  /** how often the case deadline sweep runs (RABTA_CASES_SWEEP_MS) */
  casesSweepMs: number;
}

export const VARIABLES: Record<string, string> = {
  PORT: 'TCP port to listen on (default 8080)',
  RABTA_HOST: 'address to bind (default 127.0.0.1)',
  RABTA_PUBLIC_URL: 'public base URL of this instance, used to rebuild @target-uri behind a load balancer (default http://127.0.0.1:$PORT)',
  RABTA_INSTANCE: 'instance identifier, the first part of every member id (default PK)',
  RABTA_DATA_DIR: 'directory for the SQLite file, generated keys and spooled bodies (default ./data)',
  DATABASE_URL: 'postgres://… to use PostgreSQL instead of SQLite (scale-out)',
  RABTA_SQLITE_SYNCHRONOUS: 'FULL (default: every commit is fsynced) or NORMAL',
  RABTA_LOG_LEVEL: 'pino level (default info)',
  RABTA_EGRESS_ALLOW: 'comma-separated address classes outbound calls may reach besides public ones, e.g. loopback,private (default none; the demo sets loopback)',
  RABTA_KEYS_FILE: 'JSON file with the instance keys and secrets; required with DATABASE_URL so every node shares them (default: generated into $RABTA_DATA_DIR/keys.json)',
  RABTA_BODY_LIMIT: 'default per-service body limit in bytes (default 10485760)',
  RABTA_UPSTREAM_TIMEOUT_MS: 'timeout for upstream calls (default 10000)',
  RABTA_REQUEST_TIMEOUT_MS: 'a request, head and body, must arrive completely within this many ms, else 408 and the connection closes (default 120000)',
  RABTA_HEADERS_TIMEOUT_MS: 'a request head must arrive within this many ms; at most RABTA_REQUEST_TIMEOUT_MS (default 20000)',
  RABTA_KEEP_ALIVE_TIMEOUT_MS: 'an idle kept-alive connection is closed after this many ms (default 72000, above common load balancers’ 60 s)',
  RABTA_CONNECTION_TIMEOUT_MS: 'a connection on which no byte moves for this many ms is closed; above RABTA_UPSTREAM_TIMEOUT_MS (default 120000)',
  RABTA_SMS: 'console, smpp or http: how citizens’ SMS go out (default: smpp when RABTA_SMPP_URL is set, http when RABTA_SMS_HTTP_URL is, else console — printed, development only)',
  RABTA_SMPP_URL: 'smpp://system_id:password@host:port of the SMSC citizens’ SMS go through (default: printed on the console)',
  RABTA_SMS_SHORT_CODE: 'the short code citizens text and receive from, named in every SMS that expects an answer (default 9988; an alphanumeric sender cannot receive replies)',
  RABTA_SMS_SOURCE: 'the sender citizens see on SMS (default: the short code)',
  RABTA_SMS_HTTP_URL: 'an HTTP SMS gateway to POST messages to, when there is no SMPP link; it sends citizens’ replies to POST /sms/inbound',
  RABTA_SMS_HTTP_SECRET: 'the secret the HTTP SMS gateway signs inbound requests with (required with RABTA_SMS_HTTP_URL)',
  RABTA_EVENTS_RETRY_SCHEDULE_MS:
    'comma-separated delays in ms before each webhook delivery attempt, counted from the previous failure; their number is the number of attempts (default 0,5000,300000,1800000,7200000,18000000,36000000,36000000: eight attempts over about 27 h)',
  RABTA_CASES_WORKING_DAY_MS: 'compresses the case clock for demos and tests: one working day lasts this many ms and weekends and holidays are not skipped (default: the real calendar, Pakistan time, Saturday and Sunday off, the holidays in the catalogue)',
  RABTA_CASES_CONFIRM_DAYS: 'working days a citizen has to answer "was it resolved?" before the case closes as closed-unconfirmed (default 7)',
  RABTA_CASES_SWEEP_MS: 'how often the case deadline sweep runs, on one node at a time (default 60000)',
  RABTA_EVENTS_LEASE_MS: 'how long a delivery worker holds the deliveries it claimed; those of a crashed process are attempted again after it (default 60000)',
};

/**
 * What `rabta start --demo` reads besides the above. The demo's side ports
 * follow PORT, so two demos on one machine differ by PORT alone; 0 takes a free port.
 */
export const DEMO_VARIABLES: Record<string, string> = {
  RABTA_DEMO_SMSC_PORT: 'demo only: port of the demo SMSC that citizens’ SMS go through (default PORT+1)',
  RABTA_DEMO_UPSTREAM_PORT: 'demo only: port of the simulated NADRA, BISP and HBL systems (default PORT+2)',
  RABTA_DEMO_WITNESS_PORT: 'demo only: port of NADRA’s witness of the log; HBL’s witness takes the next one (default PORT+3, PORT+4)',
  'RABTA_DATA_DIR (demo)': 'a demo on a PORT other than 8080 keeps its data in ./data/demo-$PORT unless RABTA_DATA_DIR is set',
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const INSTANCE_PATTERN = /^[A-Z][A-Z0-9-]{1,15}$/;

/** The port an instance listens on when PORT is not set. */
export const DEFAULT_PORT = 8080;

/**
 * Where an instance started with `env` answers on this machine: the CLI's
 * default `--url`, so a command reaches the instance beside it with the same
 * PORT (or RABTA_PUBLIC_URL) and nothing else set.
 */
export function localBaseUrl(env: Record<string, string | undefined> = process.env): string {
  const port = Number(env.PORT);
  return (env.RABTA_PUBLIC_URL ?? `http://127.0.0.1:${Number.isInteger(port) && port > 0 ? port : DEFAULT_PORT}`).replace(/\/+$/, '');
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const problems: string[] = [];
  const port = integer(env.PORT, DEFAULT_PORT, 'PORT', problems, 0, 65535);
  const host = env.RABTA_HOST ?? '127.0.0.1';
  const publicUrl = (env.RABTA_PUBLIC_URL ?? `http://127.0.0.1:${port}`).replace(/\/+$/, '');
  try {
    const url = new URL(publicUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') problems.push('RABTA_PUBLIC_URL must be http(s)');
    if (url.pathname !== '/' && url.pathname !== '') problems.push('RABTA_PUBLIC_URL must not have a path');
  } catch {
    problems.push(`RABTA_PUBLIC_URL is not a URL: ${publicUrl}`);
  }
  const instance = env.RABTA_INSTANCE ?? 'PK';
  if (!INSTANCE_PATTERN.test(instance)) problems.push('RABTA_INSTANCE must be upper-case letters/digits, e.g. PK');
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must start with postgres:// (leave it unset for SQLite)');
  }
  const sync = (env.RABTA_SQLITE_SYNCHRONOUS ?? 'FULL').toUpperCase();
  if (sync !== 'FULL' && sync !== 'NORMAL') problems.push('RABTA_SQLITE_SYNCHRONOUS must be FULL or NORMAL');
  const egressAllow = (env.RABTA_EGRESS_ALLOW ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const cls of egressAllow) {
    if (!isAddressClass(cls) || cls === 'public') problems.push(`RABTA_EGRESS_ALLOW: unknown class "${cls}" (one of ${ADDRESS_CLASSES.filter((c) => c !== 'public').join(', ')})`);
  }
  const keysFile = env.RABTA_KEYS_FILE || undefined;
  if (databaseUrl !== undefined && keysFile === undefined) {
    problems.push('RABTA_KEYS_FILE is required with DATABASE_URL: every node must use the same keys (generate one with `rabta keys init`)');
  }
  const smppUrl = env.RABTA_SMPP_URL || undefined;
  if (smppUrl !== undefined && !/^smpps?:\/\/[^@]+@[^:/]+(:\d+)?\/?$/.test(smppUrl)) problems.push('RABTA_SMPP_URL must look like smpp://system_id:password@host:port');
  const smsHttpUrl = env.RABTA_SMS_HTTP_URL || undefined;
  if (smsHttpUrl !== undefined && !env.RABTA_SMS_HTTP_SECRET) problems.push('RABTA_SMS_HTTP_SECRET is required with RABTA_SMS_HTTP_URL');
  let sms: SmsChannelKind = 'console';
  try {
    sms = smsChannelKind(env);
  } catch {
    problems.push(`RABTA_SMS must be one of ${SMS_CHANNEL_KINDS.join(', ')}`);
  }
  if (sms === 'smpp' && smppUrl === undefined) problems.push('RABTA_SMS=smpp needs RABTA_SMPP_URL');
  if (sms === 'http' && smsHttpUrl === undefined) problems.push('RABTA_SMS=http needs RABTA_SMS_HTTP_URL');
  const eventsRetryScheduleMs = delays(env.RABTA_EVENTS_RETRY_SCHEDULE_MS, 'RABTA_EVENTS_RETRY_SCHEDULE_MS', problems);
  const eventsLeaseMs = env.RABTA_EVENTS_LEASE_MS ? integer(env.RABTA_EVENTS_LEASE_MS, 0, 'RABTA_EVENTS_LEASE_MS', problems, 100) : undefined;
  const upstreamTimeoutMs = integer(env.RABTA_UPSTREAM_TIMEOUT_MS, 10_000, 'RABTA_UPSTREAM_TIMEOUT_MS', problems, 1);
  const requestTimeoutMs = integer(env.RABTA_REQUEST_TIMEOUT_MS, 120_000, 'RABTA_REQUEST_TIMEOUT_MS', problems, 100);
  const headersTimeoutMs = integer(env.RABTA_HEADERS_TIMEOUT_MS, Math.min(20_000, requestTimeoutMs), 'RABTA_HEADERS_TIMEOUT_MS', problems, 100);
  // Node refuses a head timeout longer than the whole request's.
  if (headersTimeoutMs > requestTimeoutMs) problems.push('RABTA_HEADERS_TIMEOUT_MS must not exceed RABTA_REQUEST_TIMEOUT_MS');
  const keepAliveTimeoutMs = integer(env.RABTA_KEEP_ALIVE_TIMEOUT_MS, 72_000, 'RABTA_KEEP_ALIVE_TIMEOUT_MS', problems, 100);
  const connectionTimeoutMs = integer(env.RABTA_CONNECTION_TIMEOUT_MS, 120_000, 'RABTA_CONNECTION_TIMEOUT_MS', problems, 100);
  // An exchange's socket is quiet while the upstream works on it: it must outlive the upstream timeout.
  if (connectionTimeoutMs <= upstreamTimeoutMs) problems.push('RABTA_CONNECTION_TIMEOUT_MS must be longer than RABTA_UPSTREAM_TIMEOUT_MS');
  const smsShortCode = env.RABTA_SMS_SHORT_CODE || '9988';
  if (!/^\d{3,8}$/.test(smsShortCode)) problems.push('RABTA_SMS_SHORT_CODE must be 3 to 8 digits');
  const smsSource = env.RABTA_SMS_SOURCE || smsShortCode;
  // Alphanumeric senders are at most 11 characters; numeric ones at most 15 digits (after an optional +).
  if (!/^(?=.*[A-Za-z])[\x20-\x7e]{1,11}$|^\+?\d{3,15}$/.test(smsSource)) problems.push('RABTA_SMS_SOURCE must be a name of up to 11 plain characters (e.g. RABTA) or a number (e.g. 8171)');
  const config: Config = {
    host,
    port,
    publicUrl,
    instance,
    dataDir: resolve(env.RABTA_DATA_DIR ?? 'data'),
    databaseUrl,
    sqliteSynchronous: sync as 'FULL' | 'NORMAL',
    logLevel: env.RABTA_LOG_LEVEL ?? 'info',
    egressAllow,
    keysFile,
    bodyLimitDefault: integer(env.RABTA_BODY_LIMIT, 10 * 1024 * 1024, 'RABTA_BODY_LIMIT', problems, 1),
    upstreamTimeoutMs,
    requestTimeoutMs,
    headersTimeoutMs,
    keepAliveTimeoutMs,
    connectionTimeoutMs,
    sms,
    smppUrl,
    smsSource,
    smsShortCode,
    smsHttpUrl,
    smsHttpSecret: env.RABTA_SMS_HTTP_SECRET || undefined,
    eventsRetryScheduleMs,
    eventsLeaseMs,
    casesWorkingDayMs: env.RABTA_CASES_WORKING_DAY_MS ? integer(env.RABTA_CASES_WORKING_DAY_MS, 0, 'RABTA_CASES_WORKING_DAY_MS', problems, 1) : undefined,
    casesConfirmDays: integer(env.RABTA_CASES_CONFIRM_DAYS, 7, 'RABTA_CASES_CONFIRM_DAYS', problems, 1, 365),
    casesSweepMs: integer(env.RABTA_CASES_SWEEP_MS, 60_000, 'RABTA_CASES_SWEEP_MS', problems, 10),
  };
  if (problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
  return config;
}

function integer(raw: string | undefined, fallback: number, name: string, problems: string[], min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
    return fallback;
  }
  return value;
}

/** A comma-separated list of delays in ms (at least one, none negative), or undefined when unset. */
function delays(raw: string | undefined, name: string, problems: string[]): number[] | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const values = raw.split(',').map((s) => Number(s.trim()));
  if (values.some((v) => !Number.isInteger(v) || v < 0)) {
    problems.push(`${name} must be comma-separated whole numbers of milliseconds, e.g. 0,5000,300000, got "${raw}"`);
    return undefined;
  }
  return values;
}
