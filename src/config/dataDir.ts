/**
 * The embedded database's directory, checked while the configuration is read, so a path that
 * can never hold it (a file, a place the user cannot write) is a configuration problem with
 * a hint, not a failure deep inside the database's start.
 */
import fs from 'node:fs';
import path from 'node:path';

function statOrNull(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch {
    return null;
  }
}

function writable(dir: string): boolean {
  try {
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * What is wrong with `dir` as the data directory, or null. It may not exist yet: then its
 * nearest existing parent must be a directory the process can write (it will be created).
 * `checkWritable` is off for the default directory, so commands that never open the
 * database still run where the default is not writable.
 */
export function dataDirProblem(dir: string, checkWritable: boolean): string | null {
  const own = statOrNull(dir);
  if (own) {
    if (!own.isDirectory()) return `"${dir}" is a file, not a directory`;
    return checkWritable && !writable(dir) ? `"${dir}" is not writable by this user` : null;
  }
  let parent = path.dirname(dir);
  for (;;) {
    const st = statOrNull(parent);
    if (st) {
      if (!st.isDirectory()) return `"${dir}" cannot be created: "${parent}" is a file`;
      if (checkWritable && !writable(parent))
        return `"${dir}" cannot be created: "${parent}" is not writable by this user`;
      return null;
    }
    const up = path.dirname(parent);
    if (up === parent) return null;
    parent = up;
  }
}
