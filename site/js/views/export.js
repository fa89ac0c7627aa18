// @ts-check
/** Saving what the page made (domain/records.js: the JSON and CSV texts) as a file. */

/**
 * Save text as a file, made in the page (a blob: URL, nothing sent anywhere).
 * @param {string} text
 * @param {string} name
 * @param {string} type
 */
export function download(text, name, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
