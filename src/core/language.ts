/** The languages a citizen reads Rabta's texts in; one type for every module. */
export type Language = 'ur' | 'en';
export const LANGUAGES: readonly Language[] = ['ur', 'en'];

export function isLanguage(value: unknown): value is Language {
  return value === 'ur' || value === 'en';
}
