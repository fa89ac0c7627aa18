// @ts-check
/**
 * The page's jobs in the order they were added (pure: no DOM, no TF.js;
 * tests/js/pipeline.test.js). A job `start`s (asks the engine), then
 * `finish`es with start's outcome (shows it). Finishes run one at a time,
 * in order. Starts run ahead of them, in order, so the engine always has the
 * next picture while the page draws the last: at most `window` jobs are
 * started and not yet finished. A job marked `alone` (a video, a model
 * switch) starts only once every earlier job has finished, and no later job
 * starts before it has finished: a model switch never overtakes a picture
 * added before it, nor is overtaken by one added after.
 */

/**
 * @template T
 * @typedef {object} Job
 * @property {() => Promise<T>|T} start
 * @property {(outcome: { ok: boolean, value?: T, error?: unknown }) => Promise<void>|void} finish
 * @property {boolean} [alone]
 */

/**
 * @param {number} window most jobs started and not finished (at least 1)
 */
export function createPipeline(window) {
  /** @type {{ job: Job<any>, started: boolean, outcome: Promise<any>|null, begin: () => void }[]} */
  const pending = [];
  /** @type {Promise<void>} */
  let finishing = Promise.resolve();

  function pump() {
    let running = 0;
    for (let i = 0; i < pending.length; i += 1) {
      const entry = pending[i];
      if (!entry.started) {
        if (running >= window || (entry.job.alone && i > 0)) return;
        entry.begin();
      }
      running += 1;
      if (entry.job.alone) return;
    }
  }

  return {
    /**
     * @template T
     * @param {Job<T>} job
     * @returns {Promise<void>} resolves once the job has finished
     */
    add(job) {
      /** @type {(outcome: Promise<any>) => void} */
      let started = () => {};
      const outcome = new Promise((resolve) => { started = resolve; });
      const entry = {
        job, started: false, outcome: null,
        begin() {
          entry.started = true;
          started(Promise.resolve().then(job.start).then(
            (value) => ({ ok: true, value }), (error) => ({ ok: false, error })));
        },
      };
      pending.push(entry);
      const done = finishing.then(async () => {
        try {
          await job.finish(await outcome);
        } finally {
          pending.shift();
          pump();
        }
      });
      finishing = done.catch(() => {});
      pump();
      return done;
    },
    /** Jobs added and not finished. */
    get size() { return pending.length; },
  };
}
