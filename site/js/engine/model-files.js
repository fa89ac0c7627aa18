// @ts-check
/**
 * Reading a converted model's files, from the site or from the user's disk,
 * and checking each against the sha256 listed in its metadata.json before
 * TF.js sees it: a tampered or truncated shard is an error, never a score.
 * model.json is parsed as JSON data only; nothing in a model is executed.
 */

import { sha256Hex } from '../domain/file-hash.js';

/** @typedef {(name: string) => Promise<ArrayBuffer>} FileSource */

/**
 * A site file's response, its failures said with the file's name.
 * @param {string|URL} url
 * @param {string} [name] how the message names the file (default: the URL)
 * @returns {Promise<Response>}
 */
async function fetchOk(url, name = String(url)) {
  let response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(`Could not load ${name}: ${error instanceof Error ? error.message : error}`);
  }
  if (!response.ok) throw new Error(`Could not load ${name}: HTTP ${response.status}`);
  return response;
}

/**
 * A JSON file of the site (the model list, the page's version).
 * @param {string|URL} url
 * @returns {Promise<any>}
 */
export async function fetchJson(url) {
  const response = await fetchOk(url);
  try {
    return await response.json();
  } catch {
    throw new Error(`${url} is not valid JSON`);
  }
}

/**
 * Files fetched relative to a folder URL.
 * @param {string} baseUrl ends with '/'
 * @returns {FileSource}
 */
export function urlSource(baseUrl) {
  return async (name) => (await fetchOk(new URL(name, baseUrl), name)).arrayBuffer();
}

/**
 * Files the user picked (a converted model's folder contents), by name.
 * @param {File[]} files
 * @returns {FileSource}
 */
export function fileSource(files) {
  const byName = new Map(files.map((file) => [file.name, file]));
  return async (name) => {
    const file = byName.get(name);
    if (!file) throw new Error(`The model file ${name} was not among the chosen files.`);
    return file.arrayBuffer();
  };
}

/**
 * Read one file and check it against metadata.files.
 * @param {FileSource} source
 * @param {string} name
 * @param {Record<string, string>} hashes
 */
async function verifiedFile(source, name, hashes) {
  const expected = hashes[name];
  if (!expected) throw new Error(`metadata.json lists no sha256 for ${name}; re-export the model.`);
  const buffer = await source(name);
  if (await sha256Hex(buffer) !== expected) {
    throw new Error(`The model file ${name} is damaged or was changed (its sha256 does not match metadata.json).`);
  }
  return buffer;
}

/**
 * metadata.json, then model.json and its weight shards, all verified.
 * @param {FileSource} source
 * @returns {Promise<{ metadata: any, artifacts: any }>} artifacts for tf.io's load()
 */
export async function readModel(source) {
  const text = new TextDecoder().decode(await source('metadata.json'));
  let metadata;
  try {
    metadata = JSON.parse(text);
  } catch {
    throw new Error('metadata.json is not valid JSON.');
  }
  if (!metadata || typeof metadata.files !== 'object' || !metadata.input) {
    throw new Error('metadata.json does not describe a converted MesoNet model.');
  }
  const modelJson = JSON.parse(new TextDecoder().decode(await verifiedFile(source, 'model.json', metadata.files)));
  const manifest = modelJson.weightsManifest || [];
  const paths = manifest.flatMap((/** @type {any} */ group) => group.paths);
  const shards = [];
  for (const path of paths) shards.push(new Uint8Array(await verifiedFile(source, path, metadata.files)));
  const weightData = new Uint8Array(shards.reduce((n, s) => n + s.length, 0));
  let offset = 0;
  for (const shard of shards) {
    weightData.set(shard, offset);
    offset += shard.length;
  }
  return {
    metadata,
    artifacts: {
      modelTopology: modelJson.modelTopology,
      format: modelJson.format,
      generatedBy: modelJson.generatedBy,
      convertedBy: modelJson.convertedBy,
      weightSpecs: manifest.flatMap((/** @type {any} */ group) => group.weights),
      weightData: weightData.buffer,
    },
  };
}
