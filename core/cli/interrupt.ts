// Ctrl-C for long jobs: the first SIGINT asks the running training loop to
// save its state and stop after the current step; a second one quits at once.
let requested = false;
let installed = 0;

function onSigint(): void {
  if (requested) process.exit(130);
  requested = true;
  process.stderr.write('\nstopping after this step, saving state (Ctrl-C again to quit at once)\n');
}

/** Has Ctrl-C been pressed since the handler was installed? */
export function stopRequested(): boolean {
  return requested;
}

/** Install the handler for the duration of `fn` (nested calls share it). */
export async function withInterruptHandler<T>(fn: () => Promise<T>): Promise<T> {
  if (installed++ === 0) {
    requested = false;
    process.on('SIGINT', onSigint);
  }
  try {
    return await fn();
  } finally {
    if (--installed === 0) process.off('SIGINT', onSigint);
  }
}
