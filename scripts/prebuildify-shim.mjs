#!/usr/bin/env node
// `npm run prebuildify`: builds the prebuilt binary for the LibTorch that discovery finds, with
// prebuildify driving cmake-js, and files it as
//   prebuilds/<platform>-<arch>/libtorch-<version>-<cpu|cuda>/snntorch-node.napi.node
//
// prebuildify 6 only knows node-gyp: it runs `<node-gyp> rebuild --target=.. --devdir=.. --arch=..
// --release` in its working folder and takes the result from <that folder>/build/Release. This file
// is that node-gyp: invoked with `rebuild` it runs cmake-js (scripts/build-native.mjs) on the
// package's sources with the output in <working folder>/build. The working folder is build-prebuild/
// (never the developer's build/). Without arguments it runs prebuildify itself, then moves the result
// into its LibTorch-tagged folder and proves it in a child process.
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findLibTorch, describe } from '../lib/loader/libtorch.mjs';
import { prebuiltRelPath, PREBUILT_FILE } from '../lib/loader/naming.mjs';
import { proveBinary } from '../lib/loader/proof.mjs';
import { checkBuildTools } from '../lib/loader/build-tools.mjs';
import { FIX_TOOLS } from '../lib/loader/remedies.mjs';

const self = fileURLToPath(import.meta.url);
const root = dirname(dirname(self));

async function asNodeGyp(args) {
  // node-gyp's other verbs (configure, clean...) are not used by prebuildify.
  if (args[0] !== 'rebuild') {
    console.error(`prebuildify-shim: unsupported node-gyp command "${args.join(' ')}" (only "rebuild")`);
    process.exit(1);
  }
  // --target/--devdir/--arch are node-gyp's: with Node-API (binary.napi_versions in package.json)
  // cmake-js builds against node-api-headers for every Node version, so they are not needed.
  const { buildNative } = await import('./build-native.mjs');
  buildNative({ rebuild: true, debug: args.includes('--debug'), out: join(process.cwd(), 'build') });
}

async function main() {
  const lt = findLibTorch();
  const missing = checkBuildTools().filter((t) => !t.found);
  if (missing.length) {
    console.error(`prebuildify: missing ${missing.map((t) => t.tool).join(' and ')}.\nFix: ${FIX_TOOLS}`);
    process.exit(1);
  }
  const rel = prebuiltRelPath(lt);
  console.log(`prebuildify: building ${rel}\n  for ${describe(lt)}`);
  const stage = join(root, 'build-prebuild');
  mkdirSync(stage, { recursive: true });
  const require = createRequire(join(root, 'package.json'));
  const prebuildify = require('prebuildify');
  const platformDir = join(root, 'prebuilds', `${process.platform}-${process.arch}`);
  const raw = join(platformDir, 'snntorch-node.node');
  rmSync(raw, { force: true });
  const q = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
  await new Promise((resolve, reject) =>
    prebuildify(
      {
        napi: true,
        strip: true,
        cwd: stage,
        out: root,
        name: 'snntorch-node',
        nodeGyp: `${q(process.execPath)} ${q(self)}`,
        shell: '/bin/sh',
        targets: [],
      },
      (err) => (err ? reject(err) : resolve()),
    ),
  );
  // prebuildify names a Node-API build <name>.node in prebuilds/<platform>-<arch>/ (where
  // node-gyp-build would load it for any LibTorch): move it into its LibTorch folder.
  const made = [raw, join(platformDir, 'snntorch-node.napi.node')].find((f) => existsSync(f));
  if (!made) throw new Error(`prebuildify: no binary produced in ${platformDir}`);
  const dest = join(root, 'prebuilds', rel);
  mkdirSync(dirname(dest), { recursive: true });
  renameSync(made, dest);
  const proof = proveBinary(dest);
  if (!proof.ok) throw new Error(`prebuildify: ${dest} failed its proof: ${proof.message}\n${proof.output}`);
  console.log(
    `prebuildify: ${dest} (${(statSync(dest).size / 1e6).toFixed(1)} MB, ${PREBUILT_FILE} for LibTorch ${proof.config.libtorch_version}) loads OK`,
  );
}

const args = process.argv.slice(2);
try {
  if (args.length) await asNodeGyp(args);
  else await main();
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
}
