// One error handler for the whole client: cancellations are not errors, and problems with the
// user's own input (a broken file, a damaged model file, a mistyped formula) are shown, not logged.
export function isAbortError(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

/** Errors the engine raises about the user's input; their messages say what and where. */
const INPUT_ERRORS = new Set(['TableError', 'ModelFileError', 'SpecError', 'ExpressionError', 'ProblemError', 'DesignError', 'SystemError']);

/** Returns the message to show (null when the user cancelled); logs only unexpected errors. */
export function handleError(error: unknown, message: string): string | null {
  if (isAbortError(error)) return null;
  const expected = error instanceof Error && INPUT_ERRORS.has(error.name);
  if (!expected) console.error(message, error);
  const detail = error instanceof Error ? error.message : String(error);
  return `${message}: ${detail}`;
}
