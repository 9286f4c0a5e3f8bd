import { RabtaError } from './problems.js';

/**
 * X-Road style identifiers: instance/class/member[/subsystem[/service]].
 * Codes are short, URL-safe and case-sensitive.
 */
export const MEMBER_CLASSES = ['GOV', 'PROV', 'BANK', 'TELCO', 'NGO', 'PRIV'] as const;
export type MemberClass = (typeof MEMBER_CLASSES)[number];

const CODE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function isCode(value: string): boolean {
  return CODE.test(value);
}

export function assertCode(value: string, what: string): void {
  if (!CODE.test(value)) {
    throw new RabtaError('bad-request', `${what} "${value}" must be 1–64 letters, digits, '.', '_' or '-'`);
  }
}

export function isMemberClass(value: string): value is MemberClass {
  return (MEMBER_CLASSES as readonly string[]).includes(value);
}

export interface ParsedId {
  instance: string;
  memberClass: string;
  member: string;
  subsystem?: string;
  service?: string;
}

/** Parses an id of `parts` segments (3 member, 4 subsystem, 5 service or topic). */
export function parseId(id: string, parts: 3 | 4 | 5, what: string): ParsedId {
  const segments = id.split('/');
  if (segments.length !== parts || !segments.every(isCode)) {
    const shape = ['PK/GOV/BISP', 'PK/GOV/BISP/payments', 'PK/GOV/BISP/payments/beneficiary-status'][parts - 3];
    throw new RabtaError('bad-request', `${what} "${id}" is not an id of the form ${shape}`);
  }
  const [instance, memberClass, member, subsystem, service] = segments as [string, string, string, string?, string?];
  return { instance, memberClass, member, subsystem, service };
}

export const memberIdOf = (id: string): string => id.split('/').slice(0, 3).join('/');
export const subsystemIdOf = (id: string): string => id.split('/').slice(0, 4).join('/');
