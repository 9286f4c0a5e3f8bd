import { asReceipt, verifyReceipt } from '../ledger/index.js';
import { sha256Hex } from './datapackage.js';

export interface VerifyOptions {
  /** fetches a URL's bytes (the CLI uses fetch; tests an in-process server) */
  fetchBytes(url: string): Promise<Buffer>;
  /** the log key to trust; default: the instance's /.well-known/rabta.json */
  logVkey?: string | readonly string[];
  /** witnesses whose cosignatures must be on the checkpoint */
  quorum?: number;
  witnessVkeys?: string[];
}

export interface Verification {
  ok: boolean;
  version?: string;
  digest?: string;
  leafIndex?: number;
  checked: string[];
  problems: string[];
}

interface Descriptor {
  version?: unknown;
  resources?: Array<{ path?: unknown; hash?: unknown; bytes?: unknown }>;
}

/**
 * Checks a downloaded release against the log: every file's SHA-256 and size
 * against datapackage.json, the digest of datapackage.json against the clear
 * leaf its receipt proves, and that proof against the log's signed checkpoint.
 * A changed figure changes a file's hash, or the descriptor's digest: either fails.
 */
export async function verifyRelease(url: string, options: VerifyOptions): Promise<Verification> {
  const checked: string[] = [];
  const problems: string[] = [];
  const descriptorUrl = url.endsWith('.json') ? url : `${url.replace(/\/?$/, '/')}datapackage.json`;
  const bytes = await options.fetchBytes(descriptorUrl);
  const digest = sha256Hex(bytes);
  const descriptor = JSON.parse(bytes.toString('utf8')) as Descriptor;
  for (const resource of descriptor.resources ?? []) {
    if (typeof resource.path !== 'string' || typeof resource.hash !== 'string') {
      problems.push('a resource has no path or hash');
      continue;
    }
    const file = await options.fetchBytes(new URL(resource.path, descriptorUrl).href);
    if (`sha256:${sha256Hex(file)}` !== resource.hash) problems.push(`${resource.path}: its SHA-256 is not the one in datapackage.json (the file was changed)`);
    else if (typeof resource.bytes === 'number' && resource.bytes !== file.length) problems.push(`${resource.path}: ${file.length} bytes, datapackage.json says ${resource.bytes}`);
    else checked.push(resource.path);
  }
  const receipt = asReceipt(JSON.parse((await options.fetchBytes(new URL('receipt.json', descriptorUrl).href)).toString('utf8')) as unknown);
  if (typeof receipt === 'string') return { ok: false, digest, checked, problems: [...problems, `receipt.json: ${receipt}`] };
  const logVkey = options.logVkey ?? (await wellKnownLogKeys(descriptorUrl, options));
  const verdict = verifyReceipt(receipt, { quorum: options.quorum ?? 0, logVkey, ...(options.witnessVkeys ? { witnessVkeys: options.witnessVkeys } : {}) });
  if (!verdict.ok) return { ok: false, digest, checked, problems: [...problems, `receipt: ${verdict.message}`] };
  const leaf = 'clear' in verdict.leaf ? (verdict.leaf.clear as { type?: unknown; version?: unknown; digest?: unknown }) : undefined;
  if (!leaf || leaf.type !== 'open-data-release') problems.push('the receipt is not for an open-data release');
  else {
    if (leaf.digest !== digest) problems.push(`datapackage.json has SHA-256 ${digest}; the log holds ${String(leaf.digest)} for this release (the descriptor was changed)`);
    if (leaf.version !== descriptor.version) problems.push(`datapackage.json says version ${String(descriptor.version)}; the log's leaf is release ${String(leaf.version)}`);
  }
  checked.push('datapackage.json', 'receipt.json');
  return { ok: problems.length === 0, version: String(descriptor.version), digest, leafIndex: verdict.index, checked, problems };
}

async function wellKnownLogKeys(url: string, options: VerifyOptions): Promise<readonly string[]> {
  const doc = JSON.parse((await options.fetchBytes(new URL('/.well-known/rabta.json', url).href)).toString('utf8')) as { keys?: Array<{ use?: unknown; vkey?: unknown }> };
  return (doc.keys ?? []).filter((k) => k.use === 'log' && typeof k.vkey === 'string').map((k) => k.vkey as string);
}
