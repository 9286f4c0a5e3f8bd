/**
 * The ledger module's one face, in two parts. First the pure transparency-log
 * library: RFC 9162 Merkle trees and the C2SP formats (signed-note,
 * tlog-checkpoint, tlog-cosignature, tlog-tiles, tlog-witness, tlog-proof);
 * see README.md in this folder for how storage plugs in. Then Rabta's log
 * over the store (append, sequencer, checkpoints, receipts, witnessing, the
 * registry's public journal, the `/ledger` routes), its leaf encoding, and the
 * witness and verifier the `rabta` command runs.
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
export { utf8 } from './encoding.js';
export { writeFileAtomic } from './atomic-file.js';
export { verifyLog } from './verify-log.js';
export type { LogFetch, LogFetchResponse, SeenCheckpoint, VerifyLogInput, VerifyLogResult, WitnessSeen } from './verify-log.js';
export { pushCheckpoint, WitnessPushError } from './witness-client.js';
export type { PushCheckpointInput, PushCheckpointResult, WitnessHttpCall, WitnessHttpRequest, WitnessHttpResponse, WitnessPushFailure } from './witness-client.js';
export { createWitness, logsFromVkeys, startWitnessServer, TLOG_SIZE_CONTENT_TYPE } from './witness-server.js';
export type { RunningWitness, Witness, WitnessedLog, WitnessEvent, WitnessOptions, WitnessReply, WitnessServerOptions } from './witness-server.js';
export { openWitnessState, WitnessStateError } from './witness-state.js';
export type { CosignedCheckpoint, StateStep, WitnessStateStore } from './witness-state.js';

// Rabta's log over the store.
export { LEAF_KIND, LEAF_VERSION, canonicalJson, commitment, decodeLeaf, encodeLeaf } from './canonical.js';
export type { LeafContent, LeafKind } from './canonical.js';
export { createLedger } from './service.js';
export type { AppendInput, Ledger, LedgerDeps, Receipt } from './service.js';
export { ledgerMigrations } from './migrations.js';
export type { LedgerTables } from './tables.js';
export { createWitnessing } from './witnessing.js';
export type { Witnessing, WitnessingDeps, WitnessTarget } from './witnessing.js';
export { ledgerRoutes } from './routes.js';
// The registry's public journal: every registry change, in clear, beside its ledger leaf.
export { journalMigrations, journalRecorder, listChanges } from './journal.js';
export type { JournalTables } from './journal-tables.js';
