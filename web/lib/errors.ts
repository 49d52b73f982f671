// One error handler for the whole client: cancellations are not errors.
export function isAbortError(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

/** Logs the error and returns the message to show, or null when the user cancelled. */
export function handleError(error: unknown, message: string): string | null {
  if (isAbortError(error)) return null;
  console.error(message, error);
  const detail = error instanceof Error ? error.message : String(error);
  return `${message}: ${detail}`;
}
