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

/**
 * Where a schema issue is, for messages: its path, extended by the unknown
 * keys when the issue is about keys ('base.pretrain.stepz'); '(root)' for neither.
 */
export function issueField(issue: { path: readonly PropertyKey[]; keys?: readonly string[] }): string {
  return [issue.path.map(String).join('.'), issue.keys?.join(', ')].filter(Boolean).join('.') || '(root)';
}
