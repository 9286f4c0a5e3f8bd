import { RabtaError } from './problems.js';

/**
 * The legal-basis contract between whoever discloses personal data (the
 * exchange for a service call, events for a publication) and whoever checks
 * it (consent). It sits here so that neither side imports the other.
 */

/** What the legal-basis step knows about a call once it is authorised. */
export interface LegalBasisQuestion {
  clientId: string;
  serviceId: string;
  purpose: { code: string; legalBasis: 'consent' | 'statute'; statute: string | null };
  /** normalised CNICs; empty for a service that is not personal */
  subjects: string[];
  at: number;
}

export interface LegalBasisAnswer {
  legalBasis: 'consent' | 'statute';
  /** e.g. the statute's name or the consent artefact ids */
  reference: string | null;
}

/**
 * The legal-basis step of the exchange and of publishing. The consent module
 * supplies the real check for `consent` purposes; without it such calls are
 * refused (`statuteOnly`).
 */
export interface LegalBasisCheck {
  check(question: LegalBasisQuestion): Promise<LegalBasisAnswer>;
}

export const statuteOnly: LegalBasisCheck = {
  async check(question) {
    if (question.purpose.legalBasis === 'statute') return { legalBasis: 'statute', reference: question.purpose.statute };
    throw new RabtaError('consent-required', `purpose ${question.purpose.code} rests on the citizen’s consent, which this instance cannot check yet`, {
      extensions: { purpose: question.purpose.code },
    });
  },
};
