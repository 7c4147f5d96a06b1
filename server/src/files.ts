// Writing files whole: the command line's outputs (formatted specs, run results) never appear half written.
import { renameSync, rmSync, writeFileSync } from 'node:fs';

/**
 * Writes `text` to `path` through a temporary file beside it and a rename, so that a reader (or a crash)
 * sees the old file or the new one, never a part. On failure the temporary file is removed and the error
 * thrown.
 */
export function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.ouro-${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** An error's message, for a one-line report. */
export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
