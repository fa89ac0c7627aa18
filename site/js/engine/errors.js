// @ts-check
/** The engine's errors that both its sides know (no TF.js here: the page imports it). */

/** A problem with the input itself (a damaged or too large picture): its message is for the user. */
export class InputError extends Error {
  name = 'InputError';
}
