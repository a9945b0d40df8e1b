// Prebuilt binaries: their names, and which one fits a LibTorch.
//
// Layout: prebuilds/<platform>-<arch>/libtorch-<version>-<flavour>/snntorch-node.napi.node,
// e.g. prebuilds/linux-x64/libtorch-1.13.0-cpu/snntorch-node.napi.node. The LibTorch tag is a folder
// on purpose: node-gyp-build only reads the files directly in prebuilds/<platform>-<arch>/ and would
// load any *.napi.node there whatever LibTorch it was built for; it never looks into sub-folders, so
// only this loader chooses a prebuilt, by LibTorch version and flavour.
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

export const PREBUILT_FILE = 'snntorch-node.napi.node';
export const BUILT_REL = 'build/Release/snntorch_node.node';

/** '1.13.0+cu117' -> '1.13.0'. */
export function normVersion(v) {
  return String(v).split('+')[0].trim();
}

/** The LibTorch part of a prebuilt's tag: 'libtorch-1.13.0-cpu' or 'libtorch-2.11.0-cuda'. */
export function libtorchTag(lt) {
  return `libtorch-${normVersion(lt.version)}-${lt.cuda ? 'cuda' : 'cpu'}`;
}

export function platformTag(platform = process.platform, arch = process.arch) {
  return `${platform}-${arch}`;
}

/** Where `npm run prebuildify` puts the prebuilt for this LibTorch (relative to prebuilds/). */
export function prebuiltRelPath(lt, platform = process.platform, arch = process.arch) {
  return `${platformTag(platform, arch)}/${libtorchTag(lt)}/${PREBUILT_FILE}`;
}

/**
 * Parses a path relative to prebuilds/ ('linux-x64/libtorch-1.13.0-cpu/snntorch-node.napi.node').
 * Returns {file, platform, arch, version, flavour} or null when it is not a prebuilt of ours.
 */
export function parsePrebuilt(rel) {
  const parts = rel.split(/[\\/]/);
  if (parts.length !== 3 || parts[2] !== PREBUILT_FILE) return null;
  const pa = /^([a-z0-9]+)-([a-z0-9_]+)$/.exec(parts[0]);
  const lt = /^libtorch-(\d+\.\d+\.\d+[^-]*)-(cpu|cuda)$/.exec(parts[1]);
  if (!pa || !lt) return null;
  return { file: rel, platform: pa[1], arch: pa[2], version: lt[1], flavour: lt[2] };
}

/**
 * Pure: picks the prebuilt for a LibTorch among `files` (paths relative to prebuilds/).
 * target: {version, cuda, platform?, arch?}. Version and flavour must match exactly (LibTorch has no
 * stable C++ ABI across releases; a CPU build against a CUDA LibTorch would lose CUDA).
 * Returns {file, tag, available} where file is null when none fits; available lists what exists for
 * this platform (for the error message).
 */
export function selectPrebuilt(files, target) {
  const platform = target.platform ?? process.platform;
  const arch = target.arch ?? process.arch;
  const want = { version: normVersion(target.version), flavour: target.cuda ? 'cuda' : 'cpu' };
  const parsed = files.map(parsePrebuilt).filter((p) => p && p.platform === platform && p.arch === arch);
  const hit = parsed.find((p) => p.version === want.version && p.flavour === want.flavour);
  return {
    file: hit ? hit.file : null,
    tag: `${platform}-${arch}/libtorch-${want.version}-${want.flavour}`,
    available: parsed.map((p) => `libtorch-${p.version}-${p.flavour}`),
  };
}

/** Every file under <root>/prebuilds, as '/'-separated paths relative to prebuilds/. */
export function listPrebuilds(root) {
  const base = join(root, 'prebuilds');
  const out = [];
  const walk = (d, depth) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory() && depth < 4) walk(p, depth + 1);
      else if (e.isFile()) out.push(relative(base, p).split(sep).join('/'));
    }
  };
  walk(base, 0);
  return out.sort();
}
