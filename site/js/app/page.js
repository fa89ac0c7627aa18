// @ts-check
/**
 * What every app module uses of the page: its elements by `data-testid`, the
 * status line (loading, ready or error, and what it announces once ready),
 * and an error as the page words it.
 */

/** The status line once the page can analyse, with nothing to announce. */
export const READY_TEXT = 'Ready: add photos or videos.';

/** The page's element with this `data-testid`. */
export const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (
  document.querySelector(`[data-testid=${id}]`));

/** @param {'loading'|'ready'|'error'} s @param {string} text */
export function setStatus(s, text) {
  const status = $('status');
  status.dataset.state = s;
  status.textContent = text;
}

/** @param {unknown} error */
export const messageOf = (error) => (error instanceof Error ? error.message : String(error));

/** Says this on the status line, unless the page is still loading or broken. @param {string} text */
export function announce(text) {
  if ($('status').dataset.state === 'ready') $('status').textContent = text;
}
