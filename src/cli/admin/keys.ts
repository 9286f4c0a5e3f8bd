import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { generateSubsystemKey } from '../../sdk/index.js';
import { api, pathOf, show, withClientOptions } from './client.js';
import type { ClientOptions, Output } from './client.js';

const KEY_COLUMNS = ['keyId', 'status', 'notBefore', 'notAfter', 'replaces'];

interface KeyFileContents {
  client: string;
  keyId: string;
  privateKeyPem: string;
  publicJwk: Record<string, unknown>;
}

/** Writes a new key file for `client`; the private key stays on this machine. */
async function writeNewKey(client: string, out: string, force: boolean): Promise<KeyFileContents> {
  if (existsSync(out) && !force) throw new Error(`${out} exists; use --force to overwrite a private key`);
  pathOf(client, 4, 'a subsystem id');
  const key = await generateSubsystemKey();
  const contents: KeyFileContents = { client, keyId: key.keyId, privateKeyPem: key.privateKeyPem, publicJwk: { ...key.publicJwk } };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(contents, null, 2) + '\n', { mode: 0o600 });
  return contents;
}

/** Where a key goes without --out: the git-ignored data directory, never loose in a clone. */
export function defaultKeyPath(client: string, env: Record<string, string | undefined> = process.env): string {
  return join(env.RABTA_DATA_DIR ?? 'data', 'keys', `${client.replaceAll('/', '-')}.json`);
}

/** True when `file` would be committed by `git add -A`: inside a git work tree and not ignored. */
function committable(file: string): boolean {
  try {
    execFileSync('git', ['check-ignore', '-q', resolve(file)], { cwd: dirname(resolve(file)), stdio: 'ignore' });
    return false; // ignored
  } catch (error) {
    // check-ignore exits 1 for "not ignored" and 128 outside a work tree (or without git at all).
    return (error as { status?: number }).status === 1;
  }
}

function readKeyFile(file: string): KeyFileContents {
  const contents = JSON.parse(readFileSync(file, 'utf8')) as KeyFileContents;
  if (!contents.client || !contents.publicJwk || !contents.keyId) throw new Error(`${file} is not a Rabta key file (client, keyId, publicJwk)`);
  return contents;
}

export function keyCommands(program: Command, output: Output): void {
  const key = program.command('key').description('subsystem signing keys (Ed25519)');
  key
    .command('generate')
    .description('make a key pair locally and write the key file (mode 0600, default under the git-ignored data/keys/); prints the key id on stdout, what was written where and the next step on stderr')
    .requiredOption('--client <subsystemId>', 'the subsystem the key signs for')
    .option('--out <file>', 'key file to write (default $RABTA_DATA_DIR/keys/<subsystem id>.json, i.e. data/keys/…)')
    .option('--force', 'overwrite an existing file', false)
    .action(async (o: { client: string; out?: string; force: boolean }) => {
      const out = o.out ?? defaultKeyPath(o.client);
      const written = await writeNewKey(o.client, out, o.force);
      const shown = relative(process.cwd(), resolve(out)) || out;
      output.out(written.keyId);
      output.err(`wrote ${shown} (mode 0600): the private key of ${o.client}, key id ${written.keyId}; it never leaves this machine — keep it out of version control and backups others read`);
      if (committable(out)) output.err(`warning: ${shown} is inside a git work tree and not ignored; move it (the default, data/keys/, is ignored) or add it to .gitignore`);
      output.err(`next: rabta key register --key-file ${shown}   (then the authority approves it: rabta key approve ${written.keyId})`);
    });
  withClientOptions(key.command('register'))
    .description('register the public half of a key file (the authority then approves it)')
    .requiredOption('--key-file <file>', 'key file from `rabta key generate`')
    .option('--not-after <iso>', 'last moment the key is valid')
    .option('--replaces <keyId>', 'the key this one rotates out')
    .action(async (o: ClientOptions & { keyFile: string; notAfter?: string; replaces?: string }) => {
      const file = readKeyFile(o.keyFile);
      const body = { jwk: file.publicJwk, ...(o.notAfter ? { notAfter: o.notAfter } : {}), ...(o.replaces ? { replaces: o.replaces } : {}) };
      show(o, output, await api(o, output, 'POST', `/admin/subsystems/${pathOf(file.client, 4, 'the key file’s client')}/keys`, body), KEY_COLUMNS);
    });
  withClientOptions(key.command('approve <keyId>'))
    .description('approve a registered key (authority)')
    .option('--overlap-seconds <n>', 'how long the key it replaces stays valid')
    .action(async (keyId: string, o: ClientOptions & { overlapSeconds?: string }) => {
      const body = o.overlapSeconds === undefined ? {} : { overlapSeconds: Number(o.overlapSeconds) };
      show(o, output, await api(o, output, 'POST', `/admin/keys/${encodeURIComponent(keyId)}/approve`, body), KEY_COLUMNS);
    });
  withClientOptions(key.command('revoke <keyId>'))
    .description('revoke a key at once')
    .requiredOption('--reason <text>', 'why, for the journal')
    .action(async (keyId: string, o: ClientOptions & { reason: string }) => {
      show(o, output, await api(o, output, 'POST', `/admin/keys/${encodeURIComponent(keyId)}/revoke`, { reason: o.reason }), KEY_COLUMNS);
    });
  withClientOptions(key.command('list <subsystemId>'))
    .description('a subsystem’s keys')
    .action(async (subsystemId: string, o: ClientOptions) => show(o, output, await api(o, output, 'GET', `/admin/subsystems/${pathOf(subsystemId, 4, 'a subsystem id')}/keys`), KEY_COLUMNS));
  withClientOptions(key.command('rotate'))
    .description('make a new key for the same subsystem and register it as replacing the old one')
    .requiredOption('--key-file <file>', 'the key in use')
    .requiredOption('--out <file>', 'where to write the new key file')
    .action(async (o: ClientOptions & { keyFile: string; out: string }) => {
      const old = readKeyFile(o.keyFile);
      const next = await writeNewKey(old.client, o.out, false);
      await api(o, output, 'POST', `/admin/subsystems/${pathOf(old.client, 4, 'the key file’s client')}/keys`, { jwk: next.publicJwk, replaces: old.keyId });
      output.out(`new key ${next.keyId} registered in ${o.out}, replacing ${old.keyId}`);
      output.out(`next: the authority runs \`rabta key approve ${next.keyId}\`; ${old.keyId} then stays valid for the overlap (default 7 days) — switch to ${o.out} within it`);
    });
}
