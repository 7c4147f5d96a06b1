// The server's files: the one spec a command reads, and writing outputs (formatted specs, run results, the
// language server's run history) whole, never half written.
import { existsSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';

/** Why `path` is not one spec file for `ouro <command>` (missing, or a folder), or undefined when it is. */
export function notOneSpec(path: string, command: string): string | undefined {
  if (!existsSync(path)) return `ouro: ${path}: no such file or directory`;
  if (statSync(path).isDirectory())
    return `ouro ${command}: ${path} is a folder; give one spec file (\`ouro check\` and \`ouro fmt\` take folders)`;
  return undefined;
}

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
