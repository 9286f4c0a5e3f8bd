// subset-font ships no types; this is the part of its API the web uses.
declare module 'subset-font' {
  interface SubsetFontOptions {
    targetFormat?: 'woff2' | 'woff' | 'truetype' | 'sfnt';
    noHinting?: boolean;
    noLayoutClosure?: boolean;
    preserveNameIds?: number[];
    /** keep every glyph (a format conversion); the text must then be empty */
    keepAllGlyphs?: boolean;
  }
  export default function subsetFont(font: Buffer | Uint8Array, text: string, options?: SubsetFontOptions): Promise<Uint8Array>;
}
