// @ts-check
/**
 * The webcam live mode: camera, frame loop and its DOM (the "Webcam"
 * section of index.html). Per analysed frame: createImageBitmap(video) ->
 * the engine's liveFrame (faces found on every analysed frame, as in a
 * photo, and scored, off this thread) -> tracks and smoothing (live.js) ->
 * overlay and [data-testid=live-score]. A frame that arrives while the
 * previous one is still being processed is dropped, never queued; when that
 * one is done, the frame the video shows then is taken at once. The camera
 * is released on stop and whenever the page is hidden. The bookkeeping is
 * in live.js (pure).
 */
import { boxText } from '../domain/faces.js';
import { createFpsCounter, createFrameGate, createTracker } from '../domain/live.js';
import { VERDICT_LABELS, mostSuspiciousIndex, verdictFor } from '../domain/verdict.js';

/**
 * Frames in a row whose picture cannot be taken before the page says so. A
 * single one happens on a busy machine (the video has no frame ready when
 * its callback runs) and is skipped; about two seconds of them is a camera
 * that delivers nothing.
 */
const UNREADABLE_LIMIT = 30;

/** What the page asks the camera for: a webcam's usual size, no sound. */
const CAMERA_CONSTRAINTS = Object.freeze({
  audio: false,
  video: { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: 'user' },
});

/** Messages per getUserMedia failure (DOMException name). */
const CAMERA_ERRORS = Object.freeze({
  NotAllowedError: 'Camera access was denied. Allow the camera for this site in the browser\'s address bar, then press Start webcam again.',
  SecurityError: 'Camera access was denied. Allow the camera for this site in the browser\'s address bar, then press Start webcam again.',
  NotFoundError: 'No camera was found. Connect a camera, then press Start webcam again.',
  OverconstrainedError: 'No camera was found that can deliver video. Connect another camera, then press Start webcam again.',
  NotReadableError: 'The camera is in use by another application (or could not be started). Close the other application, then press Start webcam again.',
  AbortError: 'The camera could not be started. Press Start webcam to try again.',
});
const NO_MEDIA_DEVICES = 'The camera cannot be used here: this page needs a secure connection (https or localhost) for the browser to offer the camera.';
const HIDDEN_MESSAGE = 'The webcam was stopped because the page was hidden; the camera is released. Press Start webcam to resume.';

/**
 * @typedef {object} WebcamDeps
 * @property {Promise<unknown>} ready resolves when the engine has its model
 * @property {Promise<import('../domain/engine-api.js').Engine>} engine
 * @property {() => import('../domain/verdict.js').Thresholds} thresholds the model in use now's
 * @property {() => string} backend
 */

/**
 * Wire the webcam section. Everything it does stays inside that section.
 * @param {WebcamDeps} deps
 */
export function setupWebcam({ ready, engine, thresholds, backend }) {
  const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (
    document.querySelector(`[data-testid=${id}]`));
  const toggle = /** @type {HTMLButtonElement} */ ($('webcam-toggle'));
  const video = /** @type {HTMLVideoElement} */ ($('webcam-video'));
  const overlay = /** @type {HTMLCanvasElement} */ ($('webcam-overlay'));
  const view = /** @type {HTMLElement} */ ($('webcam-view'));
  const score = $('live-score');
  const message = $('webcam-message');

  /**
   * @typedef {{ stream: MediaStream, gate: ReturnType<typeof createFrameGate>,
   *   tracker: ReturnType<typeof createTracker>, fps: ReturnType<typeof createFpsCounter>,
   *   stopped: boolean, lastTime: number, lastPresented: number, errors: number,
   *   unreadable: number }} Session
   */
  /**
   * The running session, null when off. Each start makes a new one, so a
   * frame still being processed when the camera stops cannot touch the next.
   * @type {Session|null}
   */
  let session = null;
  let starting = false;

  /** @param {string} text */
  function say(text) {
    message.textContent = text;
    message.hidden = text === '';
  }

  function showOff() {
    toggle.setAttribute('aria-pressed', 'false');
    toggle.textContent = 'Start webcam';
    view.hidden = true;
    score.dataset.state = 'off';
    clearFace();
    score.dataset.fps = '0';
    score.textContent = '';
  }

  /** No face reported: the attributes that describe one are removed. */
  function clearFace() {
    for (const key of ['pReal', 'verdict', 'box', 'faceBox']) delete score.dataset[key];
    score.dataset.faces = '0';
  }

  async function start() {
    if (session || starting) return;
    say('');
    if (!navigator.mediaDevices?.getUserMedia) {
      say(NO_MEDIA_DEVICES);
      return;
    }
    starting = true;
    toggle.disabled = true;
    score.dataset.state = 'starting';
    try {
      try {
        await ready;
      } catch {
        say('The model did not load, so the webcam cannot be analysed.');
        showOff();
        return;
      }
      let stream;
      try {
        stream = await navigator.mediaDevices.getUserMedia(CAMERA_CONSTRAINTS);
      } catch (error) {
        const name = error instanceof DOMException || error instanceof Error ? error.name : '';
        say(/** @type {Record<string, string>} */ (CAMERA_ERRORS)[name]
          || `The camera could not be started (${name || String(error)}).`);
        showOff();
        return;
      }
      if (document.visibilityState === 'hidden') { // hidden while the browser asked
        release(stream);
        showOff();
        say(HIDDEN_MESSAGE);
        return;
      }
      session = {
        stream, gate: createFrameGate(), tracker: createTracker(), fps: createFpsCounter(),
        stopped: false, lastTime: -1, lastPresented: -1, errors: 0, unreadable: 0,
      };
      video.srcObject = stream;
      view.hidden = false;
      toggle.setAttribute('aria-pressed', 'true');
      toggle.textContent = 'Stop webcam';
      score.dataset.state = 'on';
      score.textContent = 'Looking for a face…';
      writeCounts(session);
      schedule(session);
      await video.play().catch(() => {}); // a stop() before playback began interrupts it
    } finally {
      starting = false;
      toggle.disabled = false;
    }
  }

  /** @param {MediaStream} stream */
  function release(stream) {
    for (const track of stream.getTracks()) track.stop();
  }

  /** @param {string} [why] a message to leave in the page */
  function stop(why = '') {
    if (session) {
      session.stopped = true;
      release(session.stream);
      session = null;
    }
    video.pause();
    video.srcObject = null;
    overlay.getContext('2d')?.clearRect(0, 0, overlay.width, overlay.height);
    showOff();
    if (why) say(why);
  }

  /**
   * Ask for the next frame: requestVideoFrameCallback fires once per frame
   * the video presents (merged while the thread is busy: presentedFrames
   * says how many); requestAnimationFrame (fallback) once per repaint, so
   * there a frame counts only when the video's time moved.
   * @param {Session} s
   */
  function schedule(s) {
    if (s.stopped) return;
    if ('requestVideoFrameCallback' in HTMLVideoElement.prototype) {
      video.requestVideoFrameCallback((_, meta) => {
        const presented = s.lastPresented < 0 ? 1 : meta.presentedFrames - s.lastPresented;
        s.lastPresented = meta.presentedFrames;
        onFrame(s, presented);
      });
    } else {
      requestAnimationFrame(() => {
        if (video.currentTime === s.lastTime) {
          schedule(s);
          return;
        }
        s.lastTime = video.currentTime;
        onFrame(s, 1);
      });
    }
  }

  /** @param {Session} s @param {number} presented */
  function onFrame(s, presented) {
    if (s.stopped) return;
    schedule(s);
    const take = s.gate.offer(presented);
    writeCounts(s);
    if (take) run(s);
  }

  /**
   * Analyse the frame the video shows, then the one it shows by then if one
   * was presented meanwhile (createFrameGate).
   * @param {Session} s
   */
  function run(s) {
    processFrame(s).finally(() => {
      if (s.gate.done(!s.stopped)) {
        run(s);
        return;
      }
      if (!s.stopped) writeCounts(s);
      else if (!session) score.dataset.busy = 'false'; // no tensor of a frame is alive now
    });
  }

  /** @param {Session} s */
  async function processFrame(s) {
    if (video.videoWidth === 0) return;
    const e = await engine;
    let bitmap;
    try {
      bitmap = await createImageBitmap(video);
      s.unreadable = 0;
    } catch (error) {
      // No picture to take right now: the camera was stopped while the frame
      // was taken, or (seen on a busy machine) the video had no frame ready.
      // Skipped like a dropped frame; only a camera that stays unreadable is an error.
      s.unreadable += 1;
      if (!s.stopped && s.unreadable === UNREADABLE_LIMIT) {
        s.errors += 1;
        say(`The camera's picture could not be read (${error instanceof Error ? error.message : String(error)}).`);
      }
      return;
    }
    try {
      const started = performance.now();
      const { faces, detectMs, width, height } = await e.liveFrame(bitmap); // the engine takes the bitmap
      if (s.stopped) return;
      // This frame's timings, for bench/webcam.py and the curious.
      score.dataset.detectMs = detectMs.toFixed(1);
      score.dataset.classifyMs = faces.reduce((sum, f) => sum + f.ms, 0).toFixed(1);
      score.dataset.frameMs = (performance.now() - started).toFixed(1);
      const tracks = s.tracker.update(faces);
      s.fps.tick(performance.now());
      draw(tracks, width, height, thresholds());
      show(s, tracks, thresholds());
    } catch (error) {
      s.errors += 1;
      if (!s.stopped) say(`A frame could not be analysed (${error instanceof Error ? error.message : String(error)}).`);
    }
  }

  /** @param {Session} s */
  function writeCounts(s) {
    const c = s.gate.counts();
    score.dataset.frames = String(c.frames);
    score.dataset.callbacks = String(c.callbacks);
    score.dataset.processed = String(c.processed);
    score.dataset.dropped = String(c.dropped);
    score.dataset.errors = String(s.errors);
    score.dataset.busy = String(s.gate.busy);
  }

  /**
   * @param {Session} s
   * @param {import('../domain/live.js').Track[]} tracks
   * @param {import('../domain/verdict.js').Thresholds} thresholds
   */
  function show(s, tracks, thresholds) {
    const index = mostSuspiciousIndex(tracks, (t) => t.pReal);
    const worst = index < 0 ? null : tracks[index];
    score.dataset.faces = String(tracks.length);
    const fps = s.fps.fps(performance.now());
    score.dataset.fps = fps.toFixed(1);
    score.dataset.backend = backend();
    const rate = `${fps.toFixed(1)} frames/s`;
    if (!worst) {
      clearFace();
      score.textContent = `No face in view · ${rate}`;
      return;
    }
    const verdict = verdictFor(worst.pReal, thresholds);
    score.dataset.pReal = worst.pReal.toFixed(4);
    score.dataset.verdict = verdict;
    score.dataset.box = boxText(worst.box);
    score.dataset.faceBox = worst.face ? boxText(worst.face) : '';
    score.textContent = `${VERDICT_LABELS[verdict]} · P(real) ${(worst.pReal * 100).toFixed(1)}% · ${rate}`;
  }

  /**
   * The boxes and scores over the preview, in the video's pixels (the canvas
   * is scaled with the video by CSS).
   * @param {import('../domain/live.js').Track[]} tracks
   * @param {number} width
   * @param {number} height
   * @param {import('../domain/verdict.js').Thresholds} thresholds
   */
  function draw(tracks, width, height, thresholds) {
    if (overlay.width !== width) overlay.width = width;
    if (overlay.height !== height) overlay.height = height;
    const ctx = overlay.getContext('2d');
    if (!ctx) return;
    ctx.clearRect(0, 0, width, height);
    const colours = getComputedStyle(document.documentElement);
    const line = Math.max(2, Math.round(width / 240));
    ctx.font = `bold ${Math.max(14, Math.round(width / 32))}px system-ui, sans-serif`;
    ctx.textBaseline = 'bottom';
    for (const t of tracks) {
      const verdict = verdictFor(t.pReal, thresholds);
      const colour = colours.getPropertyValue(`--${verdict}`).trim() || '#000';
      const b = t.face || t.box;
      ctx.lineWidth = line;
      ctx.strokeStyle = colour;
      ctx.strokeRect(b.x, b.y, b.w, b.h);
      const label = `${(t.pReal * 100).toFixed(0)}% ${VERDICT_LABELS[verdict]}`;
      const textWidth = ctx.measureText(label).width;
      const top = b.y > 24 ? b.y : b.y + b.h + 24;
      ctx.fillStyle = colour;
      ctx.fillRect(b.x - line / 2, top - 24, textWidth + 8, 24);
      ctx.fillStyle = '#fff';
      ctx.fillText(label, b.x + 4, top - 3);
    }
  }

  toggle.addEventListener('click', () => {
    if (session) stop();
    else start();
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden' && session) stop(HIDDEN_MESSAGE);
  });
  showOff();
}
