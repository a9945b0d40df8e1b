// nir.write / nir.read: the NIR file layout exactly as the NIR Python package (nir/serialization.py)
// writes it, over h5wasm (HDF5 compiled to WebAssembly):
//   /version            variable-length UTF-8 string
//   /node/type          'NIRGraph'
//   /node/nodes/<name>/ one group per node: 'type' string, one dataset per parameter (float arrays
//                       keep their dtype, integers are int64), 'metadata' group when not empty
//   /node/edges         [n, 2] variable-length UTF-8 strings
import { promises as fs } from 'node:fs';
import type { Dataset as H5Dataset, Group as H5Group } from 'h5wasm';
import { isArray, isGraph, NIR_VERSION, type NIRArray, type NIRGraph, type NIRNode, type NIRValue } from './graph.js';
import { NIRError, validateGraph } from './validate.js';

type H5 = typeof import('h5wasm');
let h5: Promise<H5> | null = null;
/** h5wasm loads its WebAssembly module on first use. */
function loadH5(): Promise<H5> {
  h5 ??= import('h5wasm/node').then(async (m) => {
    const lib = (m as unknown as { default?: H5 }).default ?? (m as unknown as H5);
    await lib.ready;
    return lib;
  });
  return h5;
}

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

function writeValue(group: H5Group, key: string, v: NIRValue): void {
  if (typeof v === 'string') {
    group.create_dataset({ name: key, data: v });
    return;
  }
  group.create_dataset({ name: key, data: v.data, shape: [...v.shape] });
}

function writeNode(group: H5Group, node: NIRNode): void {
  group.create_dataset({ name: 'type', data: node.type });
  if (isGraph(node)) {
    const nodes = group.create_group('nodes');
    for (const [name, child] of Object.entries(node.nodes)) writeNode(nodes.create_group(name), child);
    const flat = node.edges.flatMap(([a, b]) => [a, b]);
    if (flat.length > 0) group.create_dataset({ name: 'edges', data: flat, shape: [node.edges.length, 2] });
    else group.create_dataset({ name: 'edges', data: new Float64Array(0), shape: [0] });
  } else {
    for (const [k, v] of Object.entries(node.params)) writeValue(group, k, v);
  }
  const meta = Object.entries(node.metadata);
  if (meta.length > 0) {
    const m = group.create_group('metadata');
    for (const [k, v] of meta) writeValue(m, k, v);
  }
}

/** Writes a NIR graph to an HDF5 file that the NIR Python package's nir.read loads. */
export async function write(path: string, graph: NIRGraph): Promise<void> {
  if (typeof path !== 'string' || path === '') throw new TypeError(`nir.write: path must be a non-empty string, got ${String(path)}`);
  if (!graph || !isGraph(graph as NIRNode)) throw new TypeError('nir.write: graph must be a NIRGraph (see nir.NIRGraph)');
  validateGraph(graph);
  const lib = await loadH5();
  // Written beside the target then renamed, so a failure never leaves a half-written file in place.
  const tmp = `${path}.${process.pid}.tmp`;
  const f = new lib.File(tmp, 'w');
  try {
    f.create_dataset({ name: 'version', data: NIR_VERSION });
    writeNode(f.create_group('node'), graph);
  } catch (e) {
    f.close();
    await fs.rm(tmp, { force: true });
    throw e;
  }
  f.close();
  await fs.rename(tmp, path);
}

function readArray(ds: H5Dataset, where: string): NIRValue {
  const v = ds.value;
  const shape = ds.shape ?? [];
  if (typeof v === 'string') return v;
  if (v instanceof Float32Array || v instanceof Float64Array || v instanceof BigInt64Array || v instanceof Int32Array)
    return { data: v, shape };
  const dt = String(ds.dtype);
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') {
    const x = Number(v);
    if (/f$/.test(dt)) return { data: Float32Array.of(x), shape };
    if (/d$/.test(dt)) return { data: Float64Array.of(x), shape };
    if (/[qQ]$/.test(dt)) return { data: BigInt64Array.of(BigInt(x)), shape };
    return { data: Int32Array.of(x), shape };
  }
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    const src = v as unknown as ArrayLike<number | bigint>;
    if (v instanceof BigUint64Array) return { data: BigInt64Array.from(src as ArrayLike<bigint>), shape };
    if (/f$|d$/.test(dt)) return { data: Float64Array.from(src as ArrayLike<number>), shape };
    return { data: BigInt64Array.from(Array.from(src, (x) => BigInt(x))), shape };
  }
  throw new NIRError(`${where}: dataset of dtype ${dt} is not a number array or string`);
}

function readStrings(ds: H5Dataset, where: string): string[] {
  const v = ds.value;
  const list = Array.isArray(v) ? v : [v];
  return list.map((s) => {
    if (typeof s === 'string') return s;
    if (s instanceof Uint8Array) return new TextDecoder().decode(s);
    throw new NIRError(`${where}: expected strings`);
  });
}

function child(group: H5Group, key: string): H5Group | H5Dataset | null {
  return group.keys().includes(key) ? (group.get(key) as H5Group | H5Dataset | null) : null;
}

function isDataset(x: unknown): x is H5Dataset {
  return !!x && typeof x === 'object' && 'dtype' in (x as object) && 'shape' in (x as object);
}

function readMetadata(group: H5Group, where: string): Record<string, NIRValue> {
  const m = child(group, 'metadata');
  const out: Record<string, NIRValue> = {};
  if (!m || isDataset(m)) return out;
  for (const k of m.keys()) {
    const d = m.get(k);
    if (isDataset(d)) out[k] = readArray(d, `${where} metadata '${k}'`);
  }
  return out;
}

function readNode(group: H5Group, where: string): NIRNode {
  const t = child(group, 'type');
  if (!isDataset(t)) throw new NIRError(`${where}: no 'type' dataset`);
  const type = readStrings(t, `${where} type`)[0]!;
  const metadata = readMetadata(group, where);
  if (type === 'NIRGraph') {
    const nodesGroup = child(group, 'nodes');
    if (!nodesGroup || isDataset(nodesGroup)) throw new NIRError(`${where} (NIRGraph): no 'nodes' group`);
    const nodes: Record<string, NIRNode> = {};
    for (const name of nodesGroup.keys()) {
      const g = nodesGroup.get(name);
      if (!g || isDataset(g)) throw new NIRError(`${where}: node '${name}' is not a group`);
      nodes[name] = readNode(g as H5Group, `NIR node '${where === 'NIR file' ? '' : `${where.replace(/^NIR node '|'$/g, '')}.`}${name}'`);
    }
    const e = child(group, 'edges');
    const edges: [string, string][] = [];
    if (isDataset(e) && e.shape && e.shape.length === 2) {
      const flat = readStrings(e, `${where} edges`);
      for (let i = 0; i + 1 < flat.length; i += 2) edges.push([flat[i]!, flat[i + 1]!]);
    } else if (isDataset(e) && e.shape && e.shape.length === 1 && e.shape[0] !== 0) {
      throw new NIRError(`${where} (NIRGraph): edges must have shape [n, 2], got [${e.shape.join(', ')}]`);
    }
    return { type: 'NIRGraph', nodes, edges, metadata };
  }
  const params: Record<string, NIRValue> = {};
  for (const k of group.keys()) {
    if (k === 'type' || k === 'metadata') continue;
    const d = group.get(k);
    if (isDataset(d)) params[k] = readArray(d, `${where} parameter '${k}'`);
  }
  return { type, params, metadata };
}

/** Reads a NIR file (as the NIR Python package writes it) and checks the graph. */
export async function read(path: string): Promise<NIRGraph> {
  if (typeof path !== 'string' || path === '') throw new TypeError(`nir.read: path must be a non-empty string, got ${String(path)}`);
  let head: Buffer;
  try {
    const fh = await fs.open(path, 'r');
    try {
      const { size } = await fh.stat();
      head = Buffer.alloc(Math.min(8, size));
      await fh.read(head, 0, head.length, 0);
    } finally {
      await fh.close();
    }
  } catch (e) {
    throw new NIRError(`nir.read('${path}'): cannot open the file: ${(e as Error).message}`);
  }
  if (head.length < 8 || HDF5_SIGNATURE.some((b, i) => head[i] !== b)) {
    throw new NIRError(`nir.read('${path}'): not an HDF5 file (no HDF5 signature at its start)`);
  }
  const lib = await loadH5();
  let f: InstanceType<H5['File']>;
  try {
    f = new lib.File(path, 'r');
  } catch (e) {
    throw new NIRError(`nir.read('${path}'): the HDF5 file cannot be opened (corrupt or truncated?): ${(e as Error).message}`);
  }
  if (!f.file_id || f.file_id < 0n) throw new NIRError(`nir.read('${path}'): the HDF5 file cannot be opened (corrupt or truncated?)`);
  try {
    let node: H5Group | H5Dataset | null;
    try {
      node = child(f, 'node');
    } catch (e) {
      throw new NIRError(`nir.read('${path}'): the HDF5 file cannot be read (corrupt or truncated?): ${(e as Error).message}`);
    }
    if (!node || isDataset(node)) throw new NIRError(`nir.read('${path}'): no 'node' group; not a NIR file`);
    let g: NIRNode;
    try {
      g = readNode(node, 'NIR file');
    } catch (e) {
      if (e instanceof NIRError) throw new NIRError(`nir.read('${path}'): ${e.message}`);
      throw new NIRError(`nir.read('${path}'): the HDF5 file cannot be read (corrupt or truncated?): ${(e as Error).message}`);
    }
    if (!isGraph(g)) throw new NIRError(`nir.read('${path}'): the top node is a ${g.type}, not a NIRGraph`);
    try {
      validateGraph(g);
    } catch (e) {
      throw new NIRError(`nir.read('${path}'): ${(e as Error).message}`);
    }
    return g;
  } finally {
    f.close();
  }
}

export { isArray };
export type { NIRArray };
