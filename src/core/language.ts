/** The languages every citizen-facing text exists in: Urdu and English. */
export type Language = 'ur' | 'en';
