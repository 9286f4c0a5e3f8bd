/**
 * Crash-safe replacement of a small state file (a witness's latest cosigned
 * checkpoints, a verifier's last seen checkpoint). A reader sees the old
 * content or the new one, never a torn mix: the new bytes go to a temporary
 * file in the same directory, are fsynced, and replace the old file by
 * rename(2), which is atomic within one file system; the directory is fsynced
 * too, or a power cut could forget the rename after we acted on it.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const file = await open(temp, 'wx', mode);
    try {
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncDirectory(dir);
}

async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Some platforms (Windows, some network file systems) cannot fsync a
    // directory; the rename is still atomic there, only its durability is weaker.
  } finally {
    await handle?.close();
  }
}
