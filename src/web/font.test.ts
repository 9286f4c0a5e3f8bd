import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { cutFont, shapedOutlines, toTrueType } from './font-cut.js';
import { fontCharacters, fontTexts } from './font.js';

const SOURCE = createRequire(import.meta.url).resolve('@fontsource/noto-nastaliq-urdu/files/noto-nastaliq-urdu-arabic-400-normal.woff2');

/*
 * The web font is cut to the glyphs the interface's own Urdu texts pass
 * through when shaped. The cut must shape every one of those texts exactly
 * as the whole face does (same outlines, same advances and offsets), and be
 * small enough for the 100 KB first load.
 */
describe('web: the Nastaliq cut', () => {
  it('shapes every interface text as the whole face does, in about half the bytes of a codepoint subset', async () => {
    const source = await readFile(SOURCE);
    const cut = await cutFont(source, fontCharacters(), fontTexts());
    process.stdout.write(`Nastaliq cut: ${cut.length} bytes woff2 (whole face ${source.length})\n`);
    expect(cut.subarray(0, 4).toString('latin1')).toBe('wOF2');
    expect(cut.length).toBeLessThan(70 * 1024);
    const [whole, ours] = await Promise.all([toTrueType(source), toTrueType(cut)]);
    const differ: string[] = [];
    for (const text of fontTexts()) {
      const [a, b] = await Promise.all([shapedOutlines(whole, text), shapedOutlines(ours, text)]);
      if (a.join(';') !== b.join(';')) differ.push(text);
    }
    expect(differ).toEqual([]);
  }, 120_000);
});
