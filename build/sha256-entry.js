// The incremental SHA-256 bundled into site/vendor/sha256.js (build/vendor.mjs).
export { sha256 } from '@noble/hashes/sha2.js';
