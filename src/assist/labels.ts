/** The institutions a grievance can be routed to: the one that must take the next action. */
export const LABELS = ['BISP', 'BANK', 'NADRA', 'TELCO', 'ELECTRICITY', 'WATER_SANITATION', 'POLICE', 'HEALTH', 'EDUCATION', 'LAND_REVENUE'] as const;
export type Label = (typeof LABELS)[number];

export const LANGS = ['en', 'roman', 'ur'] as const;
export type Lang = (typeof LANGS)[number];

export function isLabel(value: unknown): value is Label {
  return typeof value === 'string' && (LABELS as readonly string[]).includes(value);
}

export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGS as readonly string[]).includes(value);
}
