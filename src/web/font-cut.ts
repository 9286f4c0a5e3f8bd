import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import subsetFont from 'subset-font';

/**
 * A glyph-level cut of a font: only the glyphs that shaping the given texts
 * actually passes through (every intermediate of every substitution, taken
 * from harfbuzz's shaping trace, not just the final glyphs), with the
 * substitution closure switched off. A codepoint subset keeps every
 * contextual form its letters could ever take; Nastaliq has thousands, so
 * this is what brings the face from ~106 KB to about half.
 *
 * What it cannot do: shape text it was not given. Words written elsewhere
 * (names, notices, a complaint) are set in the installed or system Urdu face
 * (`.free` in site.css, `Free` in layout.tsx).
 */

type Harfbuzz = typeof import('harfbuzzjs');

/** The harfbuzz shaper, loaded when a font is cut (its wasm is not needed otherwise). */
const shaper = (() => {
  let loaded: Promise<Harfbuzz> | undefined;
  return () => (loaded ??= import('harfbuzzjs'));
})();

interface SubsetWasm {
  memory: WebAssembly.Memory;
  _initialize(): void;
  malloc(size: number): number;
  free(ptr: number): void;
  hb_blob_create(data: number, length: number, mode: number, user: number, destroy: number): number;
  hb_blob_destroy(blob: number): void;
  hb_blob_get_data(blob: number, length: number): number;
  hb_blob_get_length(blob: number): number;
  hb_face_create(blob: number, index: number): number;
  hb_face_destroy(face: number): void;
  hb_face_reference_blob(face: number): number;
  hb_subset_input_create_or_fail(): number;
  hb_subset_input_destroy(input: number): void;
  hb_subset_input_set(input: number, which: number): number;
  hb_subset_input_unicode_set(input: number): number;
  hb_subset_input_glyph_set(input: number): number;
  hb_subset_input_get_flags(input: number): number;
  hb_subset_input_set_flags(input: number, flags: number): void;
  hb_subset_or_fail(face: number, input: number): number;
  hb_set_add(set: number, value: number): void;
  hb_set_clear(set: number): void;
  hb_set_invert(set: number): void;
}

const subsetter = (() => {
  let loaded: Promise<SubsetWasm> | undefined;
  return () =>
    (loaded ??= (async () => {
      const wasm = await readFile(createRequire(import.meta.url).resolve('harfbuzzjs/dist/harfbuzz-subset.wasm'));
      const { instance } = await WebAssembly.instantiate(wasm);
      const exports = instance.exports as unknown as SubsetWasm;
      exports._initialize();
      return exports;
    })());
})();

/** The font as TrueType (harfbuzz reads neither woff nor woff2). */
export async function toTrueType(font: Buffer): Promise<Buffer> {
  return Buffer.from(await subsetFont(font, '', { keepAllGlyphs: true, targetFormat: 'truetype' }));
}

/** Every glyph that shaping these texts passes through, the final ones and every intermediate. */
export async function glyphsOfTexts(ttf: Buffer, texts: readonly string[]): Promise<Set<number>> {
  const hb = await shaper();
  const blob = new hb.Blob(ttf);
  const face = new hb.Face(blob);
  const font = new hb.Font(face);
  const glyphs = new Set<number>([0]);
  for (const text of texts) {
    const buffer = new hb.Buffer();
    buffer.addText(text);
    buffer.guessSegmentProperties();
    for (const step of hb.shapeWithTrace(font, buffer, [], 0, hb.TracePhase.DONT_STOP)) {
      if (step.glyphs) for (const g of step.t as Array<{ g: number }>) glyphs.add(g.g);
    }
    for (const info of buffer.getGlyphInfos()) glyphs.add(info.codepoint);
  }
  return glyphs;
}

/** How texts come out of a font: per glyph its outline and its advance and offsets. For comparing a cut with its source. */
export async function shapedOutlines(ttf: Buffer, text: string): Promise<string[]> {
  const hb = await shaper();
  const font = new hb.Font(new hb.Face(new hb.Blob(ttf)));
  const buffer = new hb.Buffer();
  buffer.addText(text);
  buffer.guessSegmentProperties();
  hb.shape(font, buffer);
  const positions = buffer.getGlyphPositions();
  // A glyph the face lacks (.notdef) is the same nothing in both; the browser takes it from the next font.
  return buffer.getGlyphInfos().map((g, i) => (g.codepoint === 0 ? 'notdef' : `${font.glyphToPath(g.codepoint)}|${positions[i]?.xAdvance},${positions[i]?.yAdvance},${positions[i]?.xOffset},${positions[i]?.yOffset}`));
}

const HB_MEMORY_MODE_WRITABLE = 2;
const HB_SUBSET_SETS_LAYOUT_FEATURE_TAG = 6;
const HB_SUBSET_FLAGS_NO_HINTING = 0x1;
const HB_SUBSET_FLAGS_NO_LAYOUT_CLOSURE = 0x200;

/** hb-subset with explicit glyphs and no layout closure: the cmap of `chars`, exactly `glyphs`, every layout feature. */
export async function cutTrueType(ttf: Buffer, chars: string, glyphs: Set<number>): Promise<Buffer> {
  const hb = await subsetter();
  const heap = () => new Uint8Array(hb.memory.buffer);
  const input = hb.hb_subset_input_create_or_fail();
  if (input === 0) throw new Error('harfbuzz: no subset input');
  const data = hb.malloc(ttf.byteLength);
  heap().set(ttf, data);
  const blob = hb.hb_blob_create(data, ttf.byteLength, HB_MEMORY_MODE_WRITABLE, 0, 0);
  const face = hb.hb_face_create(blob, 0);
  hb.hb_blob_destroy(blob);
  try {
    const features = hb.hb_subset_input_set(input, HB_SUBSET_SETS_LAYOUT_FEATURE_TAG);
    hb.hb_set_clear(features);
    hb.hb_set_invert(features);
    hb.hb_subset_input_set_flags(input, hb.hb_subset_input_get_flags(input) | HB_SUBSET_FLAGS_NO_HINTING | HB_SUBSET_FLAGS_NO_LAYOUT_CLOSURE);
    const unicodes = hb.hb_subset_input_unicode_set(input);
    for (const ch of chars) hb.hb_set_add(unicodes, ch.codePointAt(0) as number);
    const glyphSet = hb.hb_subset_input_glyph_set(input);
    for (const g of glyphs) hb.hb_set_add(glyphSet, g);
    const cut = hb.hb_subset_or_fail(face, input);
    if (cut === 0) throw new Error('harfbuzz: the subset failed');
    const out = hb.hb_face_reference_blob(cut);
    const offset = hb.hb_blob_get_data(out, 0);
    const bytes = Buffer.from(heap().slice(offset, offset + hb.hb_blob_get_length(out)));
    hb.hb_blob_destroy(out);
    hb.hb_face_destroy(cut);
    return bytes;
  } finally {
    hb.hb_face_destroy(face);
    hb.hb_subset_input_destroy(input);
    hb.free(data);
  }
}

/** The woff2 a browser downloads, from a cut TrueType (all its glyphs kept, so nothing more is dropped). */
export async function toWoff2(ttf: Buffer): Promise<Buffer> {
  return Buffer.from(await subsetFont(ttf, '', { keepAllGlyphs: true, targetFormat: 'woff2' }));
}

/** The whole cut: source font (woff2) → the glyphs of these texts → woff2. */
export async function cutFont(source: Buffer, chars: string, texts: readonly string[]): Promise<Buffer> {
  const ttf = await toTrueType(source);
  return toWoff2(await cutTrueType(ttf, chars, await glyphsOfTexts(ttf, texts)));
}
