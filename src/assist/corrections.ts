import { isLabel } from './labels.js';
import type { Label, Lang } from './labels.js';

/**
 * Turning a triage officer's corrections into training lines for the next
 * model. The store itself comes with the cases module; this side only needs
 * the corrections as values, and writes lines in the corpus format with the
 * personal details a complainant puts in free text masked out.
 */

/** One stored correction: what the citizen wrote and the label an officer chose. */
export interface Correction {
  readonly text: string;
  /** the label the officer set, the one to learn */
  readonly label: Label;
  /** what the router had said, kept for the record */
  readonly predicted?: Label;
  readonly lang?: Lang;
  readonly correctedAt?: string;
}

/** What export-corrections reads from: the cases module provides one. */
export interface CorrectionSource {
  corrections(options?: { since?: string }): AsyncIterable<Correction> | Iterable<Correction>;
}

export interface TrainingLine {
  readonly label: Label;
  readonly lang: Lang;
  readonly text: string;
}

// CNIC with or without dashes; 13 digits standing alone.
const CNIC = /\b\d{5}[-‐–\s]?\d{7}[-‐–\s]?\d\b/g;
// Pakistani mobiles (03xx…, +92 3xx…, 0092…) and landlines with an area code.
const PHONE = /(?:\+|00)?92[-\s]?3\d{2}[-\s]?\d{7}\b|\b03\d{2}[-\s]?\d{7}\b|\b0\d{2,4}[-\s]?\d{6,8}\b/g;
const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.[\p{L}]{2,}/gu;
// Account numbers, IBANs, card numbers: long digit runs.
const IBAN = /\bPK\d{2}[A-Z]{4}\d{16}\b/gi;
const LONG_DIGITS = /\b\d[\d\s-]{9,}\d\b/g;
/**
 * Names are not recognisable in general; what can be masked reliably is a
 * name after the words that introduce one: "my name is", "s/o", "d/o", "w/o",
 * "walad", "bint", "ولد", "بنت", "زوجہ", and "mera naam … hai" / "میرا نام … ہے"
 * (up to three words before the verb, whatever their case, as phones type
 * names in lower case), plus a capitalised word after a title.
 */
const NAME_AFTER = /((?:[Mm]y name is|[Nn]ame:|[SsDdWw]\/[Oo]|[Ss]on of|[Dd]aughter of|[Ww]ife of|[Ww]idow of|walad|bint)\s*[:\-]?\s*)([A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2}|[a-z]+(?:\s+[a-z]+)?(?=\s*[,.]|$))/g;
const NAME_BEFORE_VERB = /((?:mera|meri|mere|hamara|humara)\s+(?:naam|nam|name)\s+)((?:[a-z]+\s+){0,2}[a-z]+)(?=\s+(?:hai|h|he|hy)\b)/gi;
const URDU_NAME_BEFORE_VERB = /(میرا نام\s+)((?:[\u0600-\u06FF]+\s+){0,2}[\u0600-\u06FF]+)(?=\s+ہے)/g;
const URDU_NAME_AFTER = /((?:ولد|بنت|زوجہ|بیوہ)\s+)([\u0600-\u06FF]+(?:\s+[\u0600-\u06FF]+)?)/g;
// Honorific forms that precede a name in complaints ("Mr Aslam", "Muhammad Riaz").
const TITLED = /\b(Mr\.?|Mrs\.?|Ms\.?|Miss|Dr\.?|Muhammad|Mohammad|Muhammed|Syed|Malik|Chaudhry|Ch\.|Rana|Mian|Haji|Sheikh|Bibi)\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)/g;

/** Masks personal details; the order matters (a CNIC is also a long digit run). */
export function maskPersonalDetails(text: string): string {
  return text
    .replace(EMAIL, '[EMAIL]')
    .replace(IBAN, '[ACCOUNT]')
    .replace(CNIC, '[CNIC]')
    .replace(PHONE, '[PHONE]')
    .replace(LONG_DIGITS, '[NUMBER]')
    .replace(NAME_AFTER, (_m, cue: string) => `${cue}[NAME]`)
    .replace(NAME_BEFORE_VERB, (_m, cue: string) => `${cue}[NAME]`)
    .replace(URDU_NAME_BEFORE_VERB, (_m, cue: string) => `${cue}[NAME]`)
    .replace(URDU_NAME_AFTER, (_m, cue: string) => `${cue}[NAME]`)
    .replace(TITLED, '[NAME]');
}

/** Which script a text is mostly in: Arabic letters → ur; Latin with Urdu words → roman; else en. */
const ROMAN_MARKERS = /\b(hai|nahi|nhi|kar|kr|mein|se|ke|ki|ka|ko|raha|rahi|gaya|gayi|tha|thi|hain|aur|bhi|koi|kya|kyun|mera|meri|hamara|humara|hamari|paise|bijli|pani|qist|zameen|bohat|din|sahab)\b/gi;

export function guessLang(text: string): Lang {
  const arabic = (text.match(/[\u0600-\u06FF]/g) ?? []).length;
  const latin = (text.match(/[A-Za-z]/g) ?? []).length;
  if (arabic > latin) return 'ur';
  const words = (text.match(/[A-Za-z]+/g) ?? []).length;
  const roman = (text.match(ROMAN_MARKERS) ?? []).length;
  return words > 0 && roman / words >= 0.15 ? 'roman' : 'en';
}

/** Corrections → corpus lines, masked, duplicates (same masked text and label) once. */
export async function exportCorrections(source: CorrectionSource, options: { since?: string } = {}): Promise<TrainingLine[]> {
  const out: TrainingLine[] = [];
  const seen = new Set<string>();
  for await (const c of source.corrections(options)) {
    const text = maskPersonalDetails(c.text).replace(/\s+/g, ' ').trim();
    if (text === '') continue;
    const key = `${c.label}\t${text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ label: c.label, lang: c.lang ?? guessLang(c.text), text });
  }
  return out;
}

/** A source over an array, for tests and for a JSON-lines file of corrections. */
export function arraySource(corrections: readonly Correction[]): CorrectionSource {
  return { corrections: () => corrections };
}

/** A case's triage decision as the cases module stores it: the category the officer set, the label the router had said. */
export interface TriageDecision {
  readonly text: string;
  readonly category: string;
  readonly predicted: string;
  readonly correctedAt: string;
}

/**
 * The cases module's stored triage decisions as corrections: only categories
 * that are router labels become training lines (a category of the
 * authority's own is not something the router can learn to say).
 */
export function triageSource(decisions: (options: { since?: string }) => AsyncIterable<TriageDecision> | Iterable<TriageDecision>): CorrectionSource {
  return {
    async *corrections(options = {}) {
      for await (const d of decisions(options)) {
        if (!isLabel(d.category)) continue;
        yield { text: d.text, label: d.category, ...(isLabel(d.predicted) ? { predicted: d.predicted } : {}), correctedAt: d.correctedAt };
      }
    },
  };
}
