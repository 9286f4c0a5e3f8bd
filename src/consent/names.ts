import { memberIdOf } from '../core/index.js';
import type { Registry } from '../registry/index.js';
import type { Language } from '../core/index.js';

export interface MemberName {
  id: string;
  nameEn: string;
  nameUr: string;
}

export interface PurposeName {
  code: string;
  nameEn: string;
  nameUr: string;
  legalBasis: 'consent' | 'statute' | null;
  statute: string | null;
}

/**
 * Names a citizen reads: institutions and purposes, in both languages. Read
 * outside any transaction (SQLite has one connection, which a transaction
 * holds); a name that cannot be found falls back to its id rather than
 * failing a reply.
 */
export interface Names {
  member(id: string): Promise<MemberName>;
  purpose(code: string): Promise<PurposeName>;
}

export function registryNames(registry: Registry): Names {
  return {
    async member(id) {
      const memberId = memberIdOf(id);
      try {
        const member = await registry.getMember(memberId);
        return { id: memberId, nameEn: member.nameEn, nameUr: member.nameUr };
      } catch {
        return { id: memberId, nameEn: memberId, nameUr: memberId };
      }
    },
    async purpose(code) {
      const purpose = await registry.findPurpose(code).catch(() => undefined);
      if (!purpose) return { code, nameEn: code, nameUr: code, legalBasis: null, statute: null };
      return { code, nameEn: purpose.nameEn, nameUr: purpose.nameUr, legalBasis: purpose.legalBasis, statute: purpose.statute };
    },
  };
}

/** The same lookups, each made once: for pages that name the same institutions many times. */
export function memoNames(names: Names): Names {
  const members = new Map<string, Promise<MemberName>>();
  const purposes = new Map<string, Promise<PurposeName>>();
  return {
    member(id) {
      const key = memberIdOf(id);
      let hit = members.get(key);
      if (!hit) members.set(key, (hit = names.member(key)));
      return hit;
    },
    purpose(code) {
      let hit = purposes.get(code);
      if (!hit) purposes.set(code, (hit = names.purpose(code)));
      return hit;
    },
  };
}

export const inLanguage = (name: { nameEn: string; nameUr: string }, language: Language): string => (language === 'ur' ? name.nameUr : name.nameEn);

/** A date as a citizen in Pakistan reads it (PKT, UTC+5, no daylight saving). */
export function pakistanDate(ms: number): string {
  return new Date(ms + 5 * 3_600_000).toISOString().slice(0, 10);
}
