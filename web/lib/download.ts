// Saves files through a Blob URL and an <a download>: no network, and the CSP allows it.
export function downloadBlob(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked after the click has been handled, or the download may find the URL gone.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function downloadText(fileName: string, text: string, type = 'text/csv;charset=utf-8'): void {
  downloadBlob(fileName, new Blob([text], { type }));
}

/**
 * The bytes of a base64 data: URL (a chart's PNG) as a Blob. Decoded here rather than fetched:
 * the CSP's connect-src does not allow data: URLs.
 */
export function dataUrlBlob(dataUrl: string): Blob {
  const match = /^data:([^;,]+)?(;base64)?,(.*)$/s.exec(dataUrl);
  if (!match) throw new TypeError('Not a data: URL');
  const [, type = 'application/octet-stream', base64, body] = match;
  if (!base64) return new Blob([decodeURIComponent(body)], { type });
  const binary = atob(body);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Blob([bytes], { type });
}

/** A file name from a name and an extension, without characters file systems refuse. */
export function safeFileName(name: string, extension: string): string {
  return name.replace(/[\\/:*?"<>|\s]+/g, '_').slice(0, 120) + `.${extension}`;
}

/** A file name from a task name and what the file holds. */
export function fileNameFor(taskName: string, what: string, extension = 'csv'): string {
  return safeFileName(`${taskName}-${what}`, extension);
}
