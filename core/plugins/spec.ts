import { isAbsolute } from 'node:path';

/**
 * Whether a plugin spec names a file (relative or absolute path, or a .js/.ts
 * file name) rather than an installed package. A path resolves against the
 * directory it was given in (the cwd, or a config file's folder); a package
 * name is looked up from there.
 */
export function isPluginPath(spec: string): boolean {
  return spec.startsWith('.') || isAbsolute(spec) || /\.(c|m)?[jt]s$/.test(spec);
}
