// --store takes a directory or a file:// URL naming one. The URL form is for
// worker fleets, where the store is a shared directory every machine mounts
// (`molt worker --store file:///shared/store`); both mean the same path here.
import { fileURLToPath } from 'node:url';
import { MoltError } from '../errors';

/** The store directory a --store value names: a plain path as given, a file:// URL as its path. */
export function storeDir(value: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return value;
  if (!value.toLowerCase().startsWith('file://')) {
    throw new MoltError(`--store '${value}': only directories and file:// URLs are stores (a shared directory every worker mounts)`, 'store');
  }
  try {
    return fileURLToPath(value);
  } catch (e) {
    throw new MoltError(`--store '${value}': not a usable file:// URL (${(e as Error).message})`, 'store');
  }
}
