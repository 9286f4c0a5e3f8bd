/**
 * The kinds of leaf in Rabta's log. Every module that makes evidence names its
 * kind (the ledger encodes it in the leaf's type byte), so the list is shared.
 */
export const LEAF_KIND = {
  registryChange: 1,
  exchange: 2,
  consentChange: 3,
  event: 4,
  caseTransition: 5,
  /** an open-data release's digest: public figures, in clear */
  openDataRelease: 6,
} as const;

export type LeafKind = (typeof LEAF_KIND)[keyof typeof LEAF_KIND];
