// Kept apart (no imports) so the CLI entry point can recognise it without loading the store.

/** The state directory cannot be written at all at start (read-only, not ours): a one-line error. */
export class StateDirError extends Error {
  constructor(
    readonly dir: string,
    readonly code: string,
    detail: string,
  ) {
    super(
      `state directory ${dir} is not writable (${detail}); make it writable, or point stateDir / --state-dir at one that is`,
    );
    this.name = 'StateDirError';
  }
}
