import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { calculateJwkThumbprint } from 'jose';
import type { JWK } from 'jose';

/**
 * The instance's own keys and secrets (DESIGN.md "Keys"): no key serves two
 * protocols. Embedded mode generates them at first start into data/keys.json;
 * a scale-out deployment hands every node the same file.
 */
export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicJwk: JWK;
  notBefore: number;
  notAfter: number | null;
}

export interface Keyring {
  /** exchange keys in force, newest first; the first one signs */
  exchange: SigningKey[];
  consent: SigningKey[];
  /** Ed25519 seed of the log's note key; the ledger derives the C2SP key from it */
  logSeed: Buffer;
  sessionSecret: Buffer;
  subjectSecret: Buffer;
  /** bearer token for /metrics */
  metricsToken: string;
}

interface StoredKey {
  kid: string;
  privateKeyPem: string;
  notBefore: string;
  notAfter: string | null;
}

interface KeysFile {
  version: 1;
  exchange: StoredKey[];
  consent: StoredKey[];
  logSeed: string;
  sessionSecret: string;
  subjectSecret: string;
  metricsToken: string;
}

export async function loadOrCreateKeyring(file: string, options: { create: boolean }): Promise<Keyring> {
  if (!existsSync(file)) {
    if (!options.create) throw new Error(`keys file ${file} does not exist (create one with \`rabta keys init --file ${file}\`)`);
    writeKeysFile(file, await newKeysFile());
  }
  return keyringFromFile(JSON.parse(readFileSync(file, 'utf8')) as KeysFile, file);
}

export async function newKeysFile(): Promise<KeysFile> {
  return {
    version: 1,
    exchange: [await newStoredKey()],
    consent: [await newStoredKey()],
    logSeed: randomBytes(32).toString('base64'),
    sessionSecret: randomBytes(32).toString('base64'),
    subjectSecret: randomBytes(32).toString('base64'),
    metricsToken: randomBytes(24).toString('base64url'),
  };
}

/** Adds a new exchange or consent key; the old ones stay valid for `overlapMs`. */
export async function rotateKey(file: string, use: 'exchange' | 'consent', overlapMs: number, now = Date.now()): Promise<string> {
  const stored = JSON.parse(readFileSync(file, 'utf8')) as KeysFile;
  const next = await newStoredKey(now);
  const until = new Date(now + overlapMs).toISOString();
  stored[use] = [next, ...stored[use].map((k) => ({ ...k, notAfter: k.notAfter && k.notAfter < until ? k.notAfter : until }))];
  writeKeysFile(file, stored);
  return next.kid;
}

export function writeKeysFile(file: string, contents: KeysFile): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(contents, null, 2) + '\n', { mode: 0o600 });
  renameSync(temp, file);
}

async function newStoredKey(now = Date.now()): Promise<StoredKey> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' }) as JWK;
  return {
    kid: await calculateJwkThumbprint(jwk, 'sha256'),
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    notBefore: new Date(now).toISOString(),
    notAfter: null,
  };
}

async function keyringFromFile(stored: KeysFile, file: string): Promise<Keyring> {
  if (stored.version !== 1) throw new Error(`${file}: unsupported keys file version ${String(stored.version)}`);
  const now = Date.now();
  const inForce = (keys: StoredKey[]) =>
    keys
      .map(toSigningKey)
      .filter((k) => k.notAfter === null || k.notAfter > now)
      .sort((a, b) => b.notBefore - a.notBefore);
  const decode = (value: string, name: string) => {
    const bytes = Buffer.from(value ?? '', 'base64');
    if (bytes.length !== 32) throw new Error(`${file}: ${name} must be 32 bytes in base64`);
    return bytes;
  };
  const keyring: Keyring = {
    exchange: inForce(stored.exchange ?? []),
    consent: inForce(stored.consent ?? []),
    logSeed: decode(stored.logSeed, 'logSeed'),
    sessionSecret: decode(stored.sessionSecret, 'sessionSecret'),
    subjectSecret: decode(stored.subjectSecret, 'subjectSecret'),
    metricsToken: stored.metricsToken,
  };
  if (keyring.exchange.length === 0) throw new Error(`${file}: no exchange key in force`);
  if (keyring.consent.length === 0) throw new Error(`${file}: no consent key in force`);
  return keyring;
}

function toSigningKey(stored: StoredKey): SigningKey {
  const privateKey = createPrivateKey(stored.privateKeyPem);
  const publicKey = createPublicKey(privateKey);
  return {
    kid: stored.kid,
    privateKey,
    publicKey,
    publicJwk: { ...(publicKey.export({ format: 'jwk' }) as JWK), kid: stored.kid, alg: 'EdDSA', use: 'sig' },
    notBefore: Date.parse(stored.notBefore),
    notAfter: stored.notAfter === null ? null : Date.parse(stored.notAfter),
  };
}
