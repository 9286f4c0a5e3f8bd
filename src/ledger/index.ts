/**
 * The pure transparency-log library: RFC 9162 Merkle trees and the C2SP formats
 * (signed-note, tlog-checkpoint, tlog-cosignature, tlog-tiles, tlog-witness,
 * tlog-proof). See README.md in this folder for how storage plugs in.
 */
export { HASH_SIZE, emptyRoot, leafHash, nodeHash, sha256 } from './hash.js';
export {
  consistencyProof,
  consistencyProofNodes,
  consistencyProofRanges,
  hashRange,
  hashSourceFrom,
  inclusionProof,
  inclusionProofNodes,
  inclusionProofRanges,
  memoryHashSource,
  nodeKey,
  perfectSubtreeRoot,
  rangeNodes,
  rootHash,
  rootNodes,
} from './merkle.js';
export type { HashSource, LeafRange, NodeId } from './merkle.js';
export { verifyConsistency, verifyInclusion } from './merkle-verify.js';

export {
  SIGNATURE_TYPE,
  computeKeyId,
  decodeSignerKey,
  decodeVerifierKey,
  encodeSignerKey,
  encodeVerifierKey,
  isValidKeyName,
} from './keys.js';
export type { DecodedKey } from './keys.js';
export {
  DEFAULT_NOTE_LIMITS,
  formatNote,
  formatSignatureLine,
  generateNoteKey,
  noteSignerFromSeed,
  openNote,
  parseNote,
  parseNoteSignerKey,
  parseNoteVerifierKey,
  parseSignatureLine,
  parseSignatureLines,
  signNote,
  verifyNote,
} from './note.js';
export type {
  Ed25519NoteSigner,
  Ed25519NoteVerifier,
  Note,
  NoteLimits,
  NoteSignature,
  NoteSigner,
  NoteVerification,
  NoteVerifier,
  VerifiedSignature,
} from './note.js';

export { formatCheckpoint, openCheckpoint, parseCheckpoint, signCheckpoint } from './checkpoint.js';
export type { Checkpoint, CheckpointVerification, OpenCheckpointOptions } from './checkpoint.js';
export {
  COSIGNATURE_SIZE,
  cosignatureMessage,
  cosignatureTimestamp,
  cosignerFromSeed,
  generateCosignerKey,
  parseCosignatureVerifierKey,
  parseCosignerKey,
  verifyCosignature,
} from './cosignature.js';
export type { CosignatureCheck, CosignatureVerdict, CosignatureVerifier, Cosigner, CosignerOptions } from './cosignature.js';

export {
  MAX_TILE_LEVEL,
  TILE_HEIGHT,
  TILE_WIDTH,
  bundlesBetween,
  entriesPath,
  formatTileIndex,
  hashesAtLevel,
  locateNode,
  parseTile,
  parseTilePath,
  tileData,
  tileHashSource,
  tileKey,
  tilePath,
  tilesBetween,
  tilesForNodes,
  treeTiles,
} from './tiles.js';
export type { BundleId, NodeLocation, ParsedTilePath, TileId } from './tiles.js';
export { MAX_ENTRY_SIZE, encodeEntryBundle, parseEntryBundle } from './bundles.js';
export { appendEntries, appendReads } from './append.js';
export type { AppendResult, TileReader } from './append.js';

export { TLOG_PROOF_HEADER, formatTlogProof, parseTlogProof, verifyTlogProof } from './proof.js';
export type { TlogProof, TlogProofFailure, TlogProofResult, VerifyTlogProofInput, WitnessCosignature } from './proof.js';
export {
  MAX_CONSISTENCY_LINES,
  addCosignatures,
  checkAddCheckpoint,
  formatAddCheckpointRequest,
  formatConflictBody,
  parseAddCheckpointRequest,
  parseAddCheckpointResponse,
  parseConflictBody,
} from './witness.js';
export type { AddCheckpointDecision, AddCheckpointRequest, WitnessLogState } from './witness.js';

export { decodeBase64, encodeBase64 } from './encoding.js';
export { LedgerFormatError, OK, fail } from './errors.js';
export type { LedgerFormat, Refusal, Verdict } from './errors.js';
export { asReceipt, verifyReceipt } from './receipt-verify.js';
export type { ReceiptDocument, ReceiptVerification } from './receipt-verify.js';
