import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { typeScriptWorker } from '../core/index.js';
import { day, MONTH_NAMES } from './i18n/format.js';
import { STRINGS } from './i18n/strings.js';
import { DASHBOARD_STRINGS, PROVINCE_NAMES } from './dashboard/strings.js';

/** The Arabic-script face of Noto Nastaliq Urdu (OFL) as @fontsource ships it. */
const SOURCE = '@fontsource/noto-nastaliq-urdu/files/noto-nastaliq-urdu-arabic-400-normal.woff2';
const PUNCTUATION = '۰۱۲۳۴۵۶۷۸۹،۔؟٪!()-:/ ';

/** The Urdu texts the interface itself writes: its string tables, month names, dates and digits. */
export function fontTexts(): string[] {
  const dates = Array.from({ length: 12 }, (_, m) => day(`2026-${String(m + 1).padStart(2, '0')}-${String(m + 17)}`, 'ur'));
  return [...Object.values(STRINGS.ur), ...Object.values(DASHBOARD_STRINGS.ur), ...Object.values(PROVINCE_NAMES).map((p) => p.ur), ...MONTH_NAMES, ...dates, PUNCTUATION, '۰۱۲۳۴۵۶۷۸۹', '۱۲:۳۴، ۵۶-۷۸/۹۰ (۱۰)'];
}

/**
 * The Arabic-script characters of those texts, with the digits and
 * punctuation: the cut font's cmap. Letters outside it fall back to the
 * system's Urdu font; a new string in the tables changes the texts, the hash
 * and so the file name.
 */
export function fontCharacters(): string {
  const set = new Set<string>();
  for (const text of fontTexts()) for (const ch of text) if (/[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF ]/.test(ch) || PUNCTUATION.includes(ch)) set.add(ch);
  return [...set].sort().join('');
}

/** Bumped when the way the font is cut changes, so a cached file of the old way is not served. */
const CUT = 'glyphs-1';

export interface SubsetFont {
  /** the file name it is served under: its content hash, so it can be cached for ever */
  name: string;
  /** resolves to the woff2 bytes, built once per process and cached under data/ */
  bytes: () => Promise<Buffer>;
}

const building = new Map<string, Promise<Buffer>>();

/**
 * The cut is generated, never committed: at first start it is built from
 * the installed font (a few seconds: every text is shaped once) and cached in `data/web/` under a
 * name that hashes the source font and the characters, so a changed string
 * table or font version builds a new one.
 */
export function subsetFontFile(dataDir: string): SubsetFont {
  const source = createRequire(import.meta.url).resolve(SOURCE);
  const chars = fontCharacters();
  const version = (createRequire(import.meta.url)('@fontsource/noto-nastaliq-urdu/package.json') as { version: string }).version;
  const hash = createHash('sha256').update(`${CUT}\n${version}\n${fontTexts().join('\n')}`).digest('hex').slice(0, 16);
  const name = `nastaliq-${hash}.woff2`;
  const file = join(dataDir, 'web', name);
  const bytes = () => {
    let pending = building.get(file);
    if (!pending) {
      pending = (async () => {
        const cached = await readFile(file).catch(() => undefined);
        if (cached) return cached;
        const out = await cutInWorker(await readFile(source), chars, fontTexts());
        await mkdir(dirname(file), { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        await writeFile(tmp, out);
        await rename(tmp, file);
        return out;
      })();
      pending.catch(() => building.delete(file));
      building.set(file, pending);
    }
    return pending;
  };
  return { name, bytes };
}

/**
 * Shaping every text with its trace and cutting the face takes harfbuzz's two
 * wasm instances, woff2's codec and millions of trace objects — some 250 MB a
 * process keeps for good once loaded (module-level instances cannot be
 * unloaded). In a worker thread they go when it ends.
 */
function cutInWorker(source: Buffer, chars: string, texts: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const worker = typeScriptWorker(new URL('./font-worker.ts', import.meta.url), { source, chars, texts });
    let result: Buffer | undefined;
    worker.once('message', (bytes: Uint8Array) => (result = Buffer.from(bytes)));
    worker.once('error', reject);
    worker.once('exit', (code) => (result ? resolve(result) : reject(new Error(`the font cut's worker exited (${code}) without a font`))));
  });
}
