// Saves text as a file through a Blob URL and an <a download>: no network, and the CSP allows it.
export function downloadText(fileName: string, text: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
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

/** A file name from a task name and what the file holds, without characters file systems refuse. */
export function fileNameFor(taskName: string, what: string, extension = 'csv'): string {
  return `${taskName}-${what}`.replace(/[\\/:*?"<>|\s]+/g, '_').slice(0, 120) + `.${extension}`;
}
