import type { Dialect } from 'kysely';

/**
 * What the core needs from a database besides SQL: how to build the Kysely
 * dialect, the few type names that differ, and a cross-node lock. One folder per
 * database implements it; nothing outside those folders imports a driver.
 */
export interface StoreDialect {
  readonly name: 'sqlite' | 'postgres';
  createKyselyDialect(): Dialect;
  /** Column type for raw bytes. */
  readonly binaryType: 'blob' | 'bytea';
  /** Whether `SELECT … FOR UPDATE SKIP LOCKED` is available (several workers share a queue). */
  readonly supportsSkipLocked: boolean;
  /**
   * Runs `fn` while holding a named lock that no other node can hold; returns
   * undefined without running it if another holder has it.
   */
  tryWithLock<T>(name: string, fn: () => Promise<T>): Promise<T | undefined>;
  close(): Promise<void>;
}
