import { createInterface } from 'node:readline';
import { createSmsc } from './smsc.js';

/**
 * The demo SMSC, standalone:
 *   SMSC_PORT=2775 SMSC_SYSTEM_ID=rabta SMSC_PASSWORD=rabta-dev npx tsx examples/smsc/main.ts
 * Point Rabta's SMPP channel at it. Each line typed on stdin as
 *   +923001234567 ہاں 4821
 * reaches the bound client as a citizen's SMS.
 */

const port = Number(process.env.SMSC_PORT ?? 2775);
const host = process.env.SMSC_HOST ?? '127.0.0.1';
const smsc = createSmsc({
  systemId: process.env.SMSC_SYSTEM_ID ?? 'rabta',
  password: process.env.SMSC_PASSWORD ?? 'rabta-dev',
  serviceAddress: process.env.SMSC_SERVICE_ADDRESS ?? '8171',
  write: (line) => process.stdout.write(`${line}\n`),
});

const bound = await smsc.listen(port, host);
process.stdout.write(`[smsc] listening on ${host}:${bound}; type "<from> <text>" to send an SMS to the bound client\n`);

const input = createInterface({ input: process.stdin });
input.on('line', (line) => {
  const match = /^\s*(\+?\d{8,15})\s+(.+)$/u.exec(line);
  if (!match) {
    if (line.trim()) process.stdout.write('[smsc] expected: <from> <text>, e.g. +923001234567 HAAN 4821\n');
    return;
  }
  smsc.deliverToClient(match[1] as string, match[2] as string).then(
    (statuses) => process.stdout.write(`[smsc] deliver_sm answered: ${statuses.map((s) => `0x${s.toString(16)}`).join(', ')}\n`),
    (error: Error) => process.stdout.write(`[smsc] not delivered: ${error.message}\n`),
  );
});

const stop = () => {
  input.close();
  void smsc.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
