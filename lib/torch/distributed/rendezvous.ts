// Rendezvous: which c10d store an init_method names, where Gloo binds, and the membership checks
// that turn a stray or misconfigured process into a clear error instead of a hang.
//
// Stores: 'tcp://host:port' and 'env://' (MASTER_ADDR, MASTER_PORT) give c10d's TCPStore, served by
// rank 0; 'file:///path' gives c10d's FileStore. LibTorch 1.13's TCPStore server listens on every
// interface and has no bind address, so `snntorch-node run` on one machine rendezvouses through a
// FileStore in a private (0700) folder instead (SNNTORCH_STORE_FILE) and no rendezvous port is open.
import { randomBytes } from 'node:crypto';
import { networkInterfaces, hostname } from 'node:os';
import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';
import { native, type NativeStore } from '../../native.js';
import { invalid, isInt, outOfRange } from '../check.js';

export interface Rendezvous {
  kind: 'tcp' | 'file';
  /** tcp: the master's address and port. */
  host: string;
  port: number;
  /** file: the store's path. */
  path: string;
  rank: number;
  world_size: number;
  /** For messages. */
  description: string;
}

function envInt(name: string, env: NodeJS.ProcessEnv): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!isInt(n))
    throw new TypeError(
      `Error initializing torch.distributed using env:// rendezvous: environment variable ${name} must be an integer, got ${JSON.stringify(v)}`,
    );
  return n;
}

function checkPort(name: string, v: unknown): number {
  if (!isInt(v) || v < 1 || v > 65535) throw outOfRange(name, 'a TCP port in [1, 65535]', v);
  return v;
}

function checkRankAndSize(rank: number | undefined, world_size: number | undefined, from: string): { rank: number; world_size: number } {
  if (world_size === undefined) throw new TypeError(`world_size is required for ${from} (pass world_size, or set WORLD_SIZE with env://)`);
  if (rank === undefined) throw new TypeError(`rank is required for ${from} (pass rank, or set RANK with env://)`);
  if (!isInt(world_size) || world_size < 1) throw outOfRange('world_size', 'an integer >= 1 (the number of processes)', world_size);
  if (!isInt(rank) || rank < 0 || rank >= world_size)
    throw outOfRange('rank', `an integer in [0, ${world_size - 1}] (world_size is ${world_size})`, rank);
  return { rank, world_size };
}

/** Parses init_method as PyTorch does; explicit rank / world_size win over the URL's and the environment's. */
export function parseInitMethod(
  init_method: string,
  rank: number | undefined,
  world_size: number | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Rendezvous {
  if (typeof init_method !== 'string')
    throw invalid('init_method', "a URL string ('env://', 'tcp://host:port' or 'file:///path')", init_method);
  if (init_method === 'env://' || init_method.startsWith('env://')) {
    const r = checkRankAndSize(rank ?? envInt('RANK', env), world_size ?? envInt('WORLD_SIZE', env), 'env://');
    const storeFile = env.SNNTORCH_STORE_FILE;
    if (storeFile) return { kind: 'file', host: '', port: 0, path: storeFile, ...r, description: `env:// (FileStore ${storeFile})` };
    const host = env.MASTER_ADDR;
    if (!host)
      throw new TypeError(
        'Error initializing torch.distributed using env:// rendezvous: environment variable MASTER_ADDR expected, but not set',
      );
    const portText = env.MASTER_PORT;
    if (!portText)
      throw new TypeError(
        'Error initializing torch.distributed using env:// rendezvous: environment variable MASTER_PORT expected, but not set',
      );
    const port = checkPort('MASTER_PORT', Number(portText));
    return { kind: 'tcp', host, port, path: '', ...r, description: `env:// (MASTER_ADDR=${host}, MASTER_PORT=${port})` };
  }
  let url: URL;
  try {
    url = new URL(init_method);
  } catch {
    throw invalid('init_method', "a URL ('env://', 'tcp://host:port' or 'file:///path')", init_method);
  }
  const q = url.searchParams;
  const qInt = (k: string): number | undefined => (q.has(k) ? Number(q.get(k)) : undefined);
  if (url.protocol === 'tcp:') {
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (!host) throw invalid('init_method', "'tcp://host:port' with a host", init_method);
    if (!url.port) throw invalid('init_method', "'tcp://host:port' with a port", init_method);
    const port = checkPort('init_method port', Number(url.port));
    const r = checkRankAndSize(rank ?? qInt('rank'), world_size ?? qInt('world_size'), init_method);
    return { kind: 'tcp', host, port, path: '', ...r, description: `tcp://${host}:${port}` };
  }
  if (url.protocol === 'file:') {
    const path = fileURLToPath(url);
    const r = checkRankAndSize(rank ?? qInt('rank'), world_size ?? qInt('world_size'), init_method);
    return { kind: 'file', host: '', port: 0, path, ...r, description: `file://${path}` };
  }
  throw invalid('init_method', 'a URL with scheme env://, tcp:// or file://', init_method);
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function ipv4ToInt(a: string): number {
  return a.split('.').reduce((acc, p) => (acc << 8) + Number(p), 0) >>> 0;
}

/**
 * Where this rank's Gloo device binds: GLOO_SOCKET_IFNAME's interface; loopback when the master is
 * on loopback (or there is no master: a FileStore on one machine); else this machine's address on
 * the master's subnet; else the hostname (Gloo's own default).
 */
export function glooAddress(rv: Rendezvous, env: NodeJS.ProcessEnv = process.env): { host: string | null; iface: string | null } {
  if (env.GLOO_SOCKET_IFNAME) return { host: null, iface: env.GLOO_SOCKET_IFNAME.split(',')[0] };
  const master = rv.kind === 'tcp' ? rv.host : (env.MASTER_ADDR ?? '127.0.0.1');
  if (isLoopback(master)) return { host: '127.0.0.1', iface: null };
  if (isIP(master) === 4) {
    const m = ipv4ToInt(master);
    for (const addrs of Object.values(networkInterfaces())) {
      for (const a of addrs ?? []) {
        if (a.family !== 'IPv4' || a.internal) continue;
        const mask = ipv4ToInt(a.netmask);
        if ((ipv4ToInt(a.address) & mask) === (m & mask)) return { host: a.address, iface: null };
      }
    }
  }
  return { host: hostname(), iface: null };
}

export function openStore(rv: Rendezvous, timeout: number): NativeStore {
  if (rv.kind === 'file') return native.dist_file_store(rv.path, rv.world_size);
  try {
    return native.dist_tcp_store(rv.host, rv.port, rv.rank === 0, rv.world_size, timeout);
  } catch (e) {
    const msg = (e as Error).message;
    if (rv.rank === 0 && /in use|EADDRINUSE|failed to listen/i.test(msg)) {
      throw new Error(
        `${msg}\nPort ${rv.port} on this machine is in use: pick a free MASTER_PORT (or let \`snntorch-node run\` choose one).`,
      );
    }
    if (rv.rank !== 0) {
      throw new Error(
        `${msg}\nRank ${rv.rank} could not reach the master at ${rv.host}:${rv.port} within the timeout: check MASTER_ADDR/MASTER_PORT, that rank 0 is running, and the network between the machines.`,
      );
    }
    throw e;
  }
}

/**
 * Before the process group connects: every process records its world size and claims its rank.
 * A process started with another world size, a second process claiming a taken rank, or more
 * processes than world_size get an Error naming the conflict, and the reason is left in the store
 * (key `abort`) so that the others name it too when their rendezvous times out.
 */
export function claimMembership(store: NativeStore, prefix: string, rank: number, world_size: number): void {
  const fail = (why: string): never => {
    native.dist_store_compare_set(store, `${prefix}abort`, '', why);
    throw new Error(`torch.distributed: rank ${rank}: init_process_group refused: ${why}`);
  };
  const ws = native.dist_store_compare_set(store, `${prefix}world_size`, '', String(world_size));
  if (ws !== String(world_size))
    fail(`this process has world_size=${world_size} but the group it joined was started with world_size=${ws}`);
  const nonce = randomBytes(8).toString('hex');
  const owner = native.dist_store_compare_set(store, `${prefix}rank/${rank}`, '', nonce);
  if (owner !== nonce) fail(`rank ${rank} is already taken by another process (each process needs its own rank in [0, ${world_size - 1}])`);
  const joined = native.dist_store_add(store, `${prefix}joined`, 1);
  if (joined > world_size) fail(`${joined} processes joined a group of world_size=${world_size}`);
}

/** The reason another process left in the store, if any (never waits). */
export function abortReason(store: NativeStore, prefix: string): string | null {
  try {
    return native.dist_store_check(store, `${prefix}abort`) ? native.dist_store_get(store, `${prefix}abort`) : null;
  } catch {
    return null;
  }
}
