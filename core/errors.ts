/**
 * An error meant for the person running molt: the CLI prints its message as
 * one line (no stack trace unless --verbose) and exits non-zero.
 * `subject` names the file, field, plugin or checkpoint at fault.
 */
export class MoltError extends Error {
  constructor(message: string, readonly subject?: string) {
    super(message);
    this.name = 'MoltError';
  }
}

export function isMoltError(e: unknown): e is MoltError {
  return e instanceof Error && e.name === 'MoltError';
}
