// What the page's WebCodecs video reader (site/js/engine/video-decode.js) uses of mediabunny
// (MPL-2.0, unmodified), bundled by build/vendor.mjs into
// site/vendor/mediabunny.js: reading a file's container and decoding its
// video track with the browser's WebCodecs.
export {
  ALL_FORMATS, BlobSource, Input, UnsupportedInputFormatError, VideoSample, VideoSampleSink,
} from 'mediabunny';
