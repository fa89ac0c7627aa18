// @ts-check
/**
 * Files onto the page and off it: each file added gets its card and its row
 * at once (from a drop of many, a few cards per task), then what it is is
 * read from its first bytes (formats.js) and it joins the pipeline in the
 * order added, as a picture (images.js) or a video (videos.js), or gets its
 * error card. A file named as a picture, with none before it waiting, joins
 * at once, its bytes read as the engine starts on it (a photo's verdict
 * does not wait for the page to draw its card). A file analysed again with
 * the model in use goes into the same card; "Clear results" takes every
 * file off the page, after the jobs already asked for, and lets go of what
 * their cards held.
 */
import { CARDS_PER_TASK } from '../domain/config.js';
import { HEAD_BYTES, jpegLooksComplete, namedPictureFormat, sniffFormat } from '../domain/formats.js';
import { createCard, resetCard, setFileFacts } from '../views/card.js';
import { $, READY_TEXT, setStatus } from './page.js';

/** What a file that can no longer be read gets (moved, deleted or changed since it was chosen). */
const UNREADABLE = 'This file could not be read: it was moved, deleted or changed after it was chosen. Add it again.';

/** A promise settled in a later task (the page draws and answers events between). */
const nextTask = () => new Promise((resolve) => { setTimeout(resolve, 0); });

/**
 * @typedef {import('./state.js').Entry} Entry
 * @typedef {import('../domain/records.js').FileResult} FileResult
 * @typedef {import('./state.js').FileKind} FileKind
 *
 * @typedef {object} Files
 * @property {(files: File[]) => void} add files onto the page, each to the pipeline in the order added
 * @property {(entry: Entry) => void} reanalyse the same file again with the model in use, into the same card
 */

/**
 * @param {{ state: import('./state.js').PageState, pipeline: import('./state.js').Pipeline,
 *   entries: import('./entries.js').Entries, overview: import('./overview.js').Overview,
 *   imageJob: import('./images.js').ImageJob, videoJob: ReturnType<typeof import('./videos.js').createVideoJob> }} parts
 * @returns {Files}
 */
export function setupFiles({ state, pipeline, entries, overview, imageJob, videoJob }) {
  /** Files added so far: each card's number. */
  let added = 0;

  /** Cards still to be made, and the promise that makes them in order (CARDS_PER_TASK). */
  let unmade = 0;
  let making = Promise.resolve();

  /** Steps waiting on state.adding (files being read, a clear): while any is, a file added waits its turn. */
  let waiting = 0;

  /**
   * A step after the ones asked for before it: files join the pipeline in the order added.
   * @param {() => Promise<void>|void} step
   */
  function afterAdding(step) {
    waiting += 1;
    state.adding = state.adding.then(step).catch((error) => { console.error(error); }).finally(() => { waiting -= 1; });
  }

  /**
   * Files onto the page in the order given: a few (at most CARDS_PER_TASK,
   * when none are waiting) get their cards at once; more get them a batch
   * per task, from the next task on, so that the event that brought them
   * (a change, a drop) ends at once. The few go to the engine at once when
   * named as pictures (addNow); a batch's files wait for their first bytes,
   * which spaces their analyses out (started together, 2 drops of 60 in 3
   * had a task over 50 ms as their results were drawn; none otherwise).
   * @param {File[]} files
   */
  function addFiles(files) {
    for (let i = 0; i < files.length; i += CARDS_PER_TASK) {
      const some = files.slice(i, i + CARDS_PER_TASK);
      if (i === 0 && unmade === 0 && files.length <= CARDS_PER_TASK) {
        addNow(some, true);
        continue;
      }
      unmade += some.length;
      const made = making.then(nextTask).then(() => {
        unmade -= some.length;
        addNow(some);
      });
      // a failure is reported (unhandled) and the files after it still get their cards
      making = made.catch(() => {});
    }
  }

  /**
   * Cards for these files, then each into the pipeline.
   * @param {File[]} files
   * @param {boolean} [soon] a few files added by a person: those named as pictures go to the engine at once
   */
  function addNow(files, soon = false) {
    /** @type {Entry[]} */
    const fresh = files.map((file) => {
      added += 1;
      const id = `result-${added}`;
      const kind = file.type.startsWith('video/') ? 'video' : 'image';
      const card = createCard($('results'), file.name, kind, id);
      /** @type {Entry} */
      const entry = { id, order: added, file, card, result: freshResult(file, kind), row: /** @type {any} */ (null),
        facts: { size: file.size, label: file.type || 'file', type: file.type || null, sha256: null },
        kind: null, model: null, hashing: null, removed: false };
      setFileFacts(card, entry.facts);
      state.entries.push(entry);
      overview.touch(entry);
      return entry;
    });
    // A file named as a picture, with none before it still waiting, joins the
    // pipeline at once: the engine starts on it while its first bytes are
    // read, and its analysis counts if they say the same (imageJob).
    let early = 0;
    for (; soon && early < fresh.length && waiting === 0; early += 1) {
      const entry = fresh[early];
      const guess = namedPictureFormat(entry.file.type);
      if (!guess) break;
      const kind = readKind(entry.file).then((read) => learn(entry, read));
      pipeline.add(imageJob(entry, { kind, guess, otherwise: (read) => route(entry, read) }));
    }
    // The others: what each file is, from its bytes, then each joins the pipeline in the order added.
    const rest = fresh.slice(early);
    if (!rest.length) return;
    afterAdding(async () => {
      const kinds = await Promise.all(rest.map((entry) => readKind(entry.file)));
      rest.forEach((entry, i) => enqueue(entry, kinds[i]));
    });
  }

  /**
   * @param {File} file
   * @param {'image'|'video'} kind
   * @returns {FileResult}
   */
  function freshResult(file, kind) {
    return {
      file: file.name, kind, state: 'queued', verdict: null, p_real: null, mode: null,
      model: null, backend: null, detect_ms: null, faces: [], error: null,
      sha256: null, size: file.size, type: file.type || null,
    };
  }

  /**
   * A file whose kind is known joins the pipeline (or gets its error card).
   * @param {Entry} entry
   * @param {FileKind} kind
   */
  function enqueue(entry, kind) {
    if (entry.removed) return;
    route(entry, learn(entry, kind));
  }

  /**
   * What a file's bytes are, onto its entry and card.
   * @param {Entry} entry
   * @param {FileKind} kind
   * @returns {FileKind}
   */
  function learn(entry, kind) {
    entry.kind = kind;
    const { sniffed } = kind;
    if (sniffed.type) {
      Object.assign(entry.facts, { type: sniffed.type, label: sniffed.label ?? sniffed.type });
      entry.result.type = sniffed.type;
      setFileFacts(entry.card, entry.facts);
    }
    if (sniffed.kind === 'video' || sniffed.kind === 'image') {
      // What the bytes are, whatever the name says (a JPEG named .mp4 is a picture).
      entry.card.dataset.kind = sniffed.kind;
      entry.result.kind = sniffed.kind;
    }
    return kind;
  }

  /**
   * A file to the job its bytes call for, or its error card.
   * @param {Entry} entry
   * @param {FileKind} kind
   */
  function route(entry, kind) {
    if (entry.removed) return;
    const { sniffed } = kind;
    if (sniffed.kind === 'video') pipeline.add(videoJob(entry));
    else if (sniffed.kind === 'image') pipeline.add(imageJob(entry, { kind }));
    else entries.fail(entry, sniffed.message || 'Unsupported file.');
  }

  /**
   * What a file is (formats.js) and what to say about it.
   * @param {File} file
   * @returns {Promise<FileKind>}
   */
  async function readKind(file) {
    let head;
    let tail;
    try {
      // the first bytes say what it is, the last whether a JPEG is complete: read both at once
      [head, tail] = await Promise.all([file.slice(0, HEAD_BYTES), file.slice(-64)].map((b) => b.arrayBuffer()));
    } catch {
      return { sniffed: { kind: 'unsupported', format: 'unknown', message: UNREADABLE }, notes: [] };
    }
    const sniffed = sniffFormat(new Uint8Array(head), file.type);
    /** @type {string[]} */
    const notes = [];
    if (sniffed.format === 'jpeg' && !jpegLooksComplete(new Uint8Array(tail))) {
      notes.push('This JPEG looks truncated: part of the picture may be missing (grey), which can change the score.');
    }
    return { sniffed, notes };
  }

  /**
   * The same file again, through the pipeline with the model in use, into the same card.
   * @param {Entry} entry
   */
  function reanalyse(entry) {
    if (entry.removed) return;
    release(entry.card);
    resetCard(entry.card);
    const hashed = entry.result.sha256;
    entry.result = freshResult(entry.file, entry.result.kind);
    Object.assign(entry.result, { sha256: hashed, type: entry.facts.type });
    entry.model = null;
    overview.touch(entry);
    afterAdding(async () => enqueue(entry, entry.kind ?? await readKind(entry.file)));
  }

  /** What a card holds on to (its video's URL and thumbnails, its maps' sources). @param {HTMLElement} card */
  function release(card) {
    state.explainable.delete(card);
    for (const [detail] of state.frameDetails) if (card.contains(detail)) state.frameDetails.delete(detail);
    const video = state.videos.get(card);
    if (video) {
      video.video.close();
      video.thumbs.forEach((t) => t.close());
      state.videos.delete(card);
    }
  }

  $('clear').addEventListener('click', () => {
    // After the files added before it have their cards and have joined the
    // pipeline, and after every job before it.
    making.then(() => {
      afterAdding(() => {
        pipeline.add({
          alone: true,
          start: () => {},
          finish: () => {
            for (const entry of state.entries) {
              entry.removed = true;
              release(entry.card);
            }
            $('results').replaceChildren();
            state.entries = [];
            state.frameDetails.clear();
            overview.clear();
            $('timing').textContent = '';
            if ($('status').dataset.state === 'ready') setStatus('ready', READY_TEXT);
          },
        });
      });
    });
  });

  return { add: addFiles, reanalyse };
}
