import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { spawnChild } from './cluster-processes.js';

export interface HaproxyBackend {
  name: string;
  port: number;
}

export interface HaproxyOptions {
  /** where HAProxy listens */
  host: string;
  port: number;
  nodes: HaproxyBackend[];
}

export const HAPROXY_BIN = process.env.RABTA_HAPROXY ?? '/usr/sbin/haproxy';

/**
 * HAProxy in front of the nodes. Health: GET /readyz (200 only while the node
 * reaches its database), checked every second; a node leaves after three
 * failures and comes back after two successes. Retries: a request that could
 * not be sent (connection refused) is retried on another node whatever its
 * method — the node never saw it. A request that was sent and got no answer,
 * a timeout or a 503 is retried only if its method is idempotent (GET, HEAD,
 * OPTIONS): HAProxy cannot know whether a POST was acted on, and a signed
 * POST replayed to another node would be refused as a replay anyway.
 */
export function haproxyConfig(options: HaproxyOptions): string {
  return [
    'global',
    '  maxconn 4096',
    '  log stderr format short local0 warning',
    '',
    'defaults',
    '  mode http',
    '  log global',
    '  option dontlognull',
    '  timeout connect 2s',
    '  timeout client 60s',
    '  timeout server 60s',
    '  timeout http-keep-alive 10s',
    '  retries 3',
    '  option redispatch 1',
    '  retry-on conn-failure empty-response response-timeout 503',
    '',
    'frontend rabta',
    `  bind ${options.host}:${options.port}`,
    '  option forwardfor',
    '  http-request disable-l7-retry unless METH_GET || METH_HEAD || METH_OPTIONS',
    '  default_backend nodes',
    '',
    'backend nodes',
    '  balance roundrobin',
    '  option httpchk GET /readyz',
    '  http-check expect status 200',
    // A busy node answers /readyz late, not never: a check may take 3 s, and a node leaves after three
    // failures. A dead node refuses connections at once, and those requests are sent elsewhere anyway.
    '  timeout check 3s',
    '  default-server inter 1s fall 3 rise 2 maxconn 256',
    ...options.nodes.map((node) => `  server ${node.name} 127.0.0.1:${node.port} check`),
    '',
  ].join('\n');
}

export function startHaproxy(configFile: string, options: HaproxyOptions): ChildProcess {
  writeFileSync(configFile, haproxyConfig(options));
  // -db: stay in the foreground, so this process owns it and its death stops it.
  return spawnChild(HAPROXY_BIN, ['-db', '-f', configFile], { stdio: ['ignore', 'pipe', 'pipe'], deathSignal: 'KILL' });
}
