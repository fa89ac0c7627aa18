// @ts-check
/**
 * The analysis engine's contract, in types only: what the page asks of it
 * and the records it answers with. engine/ implements it (client.js gives
 * an Engine); sources/, views/ and app/ use these types and never reach
 * into engine/ for them. Nothing here runs.
 */

/**
 * @typedef {import('./faces.js').Box} Box
 * @typedef {import('./video-choice.js').ReaderName} ReaderName
 * @typedef {import('./video-choice.js').Switch} Switch
 *
 * @typedef {{ box: Box, face: Box|null, confidence: number|null, pReal: number, ms: number }} ScoredFace
 * @typedef {{ mode: 'faces'|'tight'|'no-face'|'whole', faces: ScoredFace[], detectMs: number|null }} Analysis
 *   mode "whole": the whole image scored without a face search (faces switched off, or asked for)
 *
 * @typedef {{ values: Float32Array, size: number[] }} HeatMap a normalised Grad-CAM map
 *
 * @typedef {object} AnalyseOptions
 * @property {boolean} [faces] find faces (default true); false: score the whole picture
 * @property {boolean} [explain] also compute each face's Grad-CAM map
 * @property {boolean} [preview] also return the picture, at most the engine's PREVIEW_MAX_SIDE on its longer side
 * @property {number} [crops] also return the crops of this many faces, the most suspicious first
 * @property {string} [format] what the file is (formats.js), for messages
 *
 * @typedef {{ file: Blob, time: number }} VideoFrameRef a video file's frame at a time, decoded here
 *   with WebCodecs (the frame a WebCodecs read analysed)
 *
 * @typedef {object} OpenedVideo a video file open for WebCodecs reading, or why it is not
 * @property {number|null} id null: not read with WebCodecs (why says why)
 * @property {string|null} why
 * @property {number} [duration] seconds
 * @property {number} [width]
 * @property {number} [height]
 * @property {string} [codec]
 *
 * @typedef {{ index: number, time: number, error: string|null } & Partial<Result>} VideoFrameResult
 *   a video frame read with WebCodecs: its analysis, or error when the file has no frame there
 * @typedef {{ failed: string }} VideoFailure WebCodecs gave up on the rest of the video (a decoder
 *   error; the video is closed): the rest must be read by the <video>
 *
 * @typedef {object} Result one picture's analysis
 * @property {Analysis} analysis
 * @property {number} width
 * @property {number} height
 * @property {number} ms from the request to the scores (decoding included)
 * @property {HeatMap[]|null} maps per face, when asked for
 * @property {ImageBitmap|null} preview when asked for; the caller's to close
 * @property {(ImageBitmap|null)[]} crops per face, the engine's THUMB_SIDE square, when asked for (null beyond
 *   the count); the caller's to close
 *
 * @typedef {object} FrameResult
 * @property {number} index
 * @property {number} time seconds
 * @property {ReaderName} reader which reader read it
 * @property {Analysis|null} analysis null when the frame could not be read
 * @property {(ImageBitmap|null)[]} thumbs per scored face, its crop (the engine's THUMB_SIDE;
 *   null beyond the THUMBS_PER_FRAME most suspicious); the caller's to close
 * @property {number} ms time spent on this frame, from its arrival to its scores
 * @property {number} waitMs time spent waiting for this frame to be decoded
 * @property {string|null} error
 *
 * @typedef {object} VideoAnalysis
 * @property {FrameResult[]} frames
 * @property {'done'|'cancelled'|'failed'} ending
 * @property {string|null} failure
 * @property {ReaderName} reader the reader chosen for the video ('webcodecs' or 'video-element')
 * @property {string|null} readerWhy why not WebCodecs
 * @property {Switch|null} switched WebCodecs gave up part-way: from
 *   `time` on, the frames were read by the <video> (`why`)
 *
 * @typedef {object} Engine
 * @property {'worker'|'page'} where where the analyses run
 * @property {string|null} why on the page: why not in a worker
 * @property {string} backend the TF.js backend: 'webgl', 'wasm' or 'cpu'
 * @property {string} backendWhy why that backend: forced, measured faster, or the only one here
 * @property {number} threads the backend's threads (WASM's pool; 1 otherwise)
 * @property {(source: string|File[]) => Promise<import('./config.js').ModelMetadata>} setModel a model folder URL (ending in /)
 *   or the user's files (model.json, shards, metadata.json); resolves to its metadata.json. The
 *   model in use until then stays if this one cannot be loaded.
 * @property {(file: Blob, options?: AnalyseOptions) => Promise<Result>} analyseImage an image
 *   file, decoded in the engine; the result carries a preview (and, with maps, the faces' crops)
 * @property {(frame: ImageBitmap, options?: AnalyseOptions) => Promise<Result>} analyseFrame a
 *   video frame (moved into the engine: closed for the caller)
 * @property {(frame: ImageBitmap) => Promise<{ faces: ScoredFace[],
 *   detectMs: number, width: number, height: number }>} liveFrame a camera frame (moved):
 *   faces found and scored, nothing else
 * @property {(input: Blob|ImageBitmap|VideoFrameRef, boxes: Box[]) =>
 *   Promise<{ maps: HeatMap[], crops: ImageBitmap[] }>} explain Grad-CAM maps of faces already
 *   scored, with their crops (a bitmap is moved; a video frame is decoded in the engine)
 * @property {(file: Blob) => Promise<OpenedVideo>} openVideo a video file
 *   for WebCodecs reading in the engine (id), or why it cannot be read there (id null)
 * @property {(id: number, times: number[]) => Promise<void>} readVideo start decoding an open
 *   video's frames at these times (ascending)
 * @property {(id: number, options?: AnalyseOptions) => Promise<VideoFrameResult
 *   |VideoFailure|null>} videoFrame the next frame, decoded and analysed in the
 *   engine (as analyseFrame); null after the last; { failed } when WebCodecs gave up (closed)
 * @property {(id: number) => Promise<void>} closeVideo stop reading a video, free its decoder
 * @property {() => Promise<number>} tensors TF.js tensors alive in the engine
 * @property {() => void} dispose
 */

export {};
