#!/usr/bin/env node
// npx snntorch-node <command>
//   doctor           LibTorch, the binary in use, threads, BLAS, CUDA, a tiny forward/backward; OK or remedies
//   build [--debug]  build the native addon from source (cmake-js) into the package's build/Release
//   train [options]  train the snnTorch tutorial network on MNIST (dist/lib/train/cli.js)
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const script = (name) => import(pathToFileURL(join(root, 'scripts', name)).href);
const loader = (name) => import(pathToFileURL(join(root, 'lib', 'loader', name)).href);
const USAGE = `usage: snntorch-node <command>
  doctor            check LibTorch, the native binary, threads, BLAS, CUDA; run a tiny forward/backward
  run [options] script [args]   torchrun: start --nproc-per-node ranks of a script (run --help)
  build [--debug]   build the native addon from source against the LibTorch discovery finds
                    (needs cmake >= 3.18 and a C++17 compiler: sudo apt-get install -y cmake g++)
  train [options]   train the tutorial's spiking network on MNIST (snntorch-node train --help)`;

const [cmd, ...rest] = process.argv.slice(2);
switch (cmd) {
  case 'doctor': {
    const { doctor } = await script('doctor.mjs');
    process.exitCode = await doctor();
    break;
  }
  case 'build': {
    const { checkBuildTools } = await loader('build-tools.mjs');
    const { FIX_TOOLS } = await loader('remedies.mjs');
    const { proveBinary } = await loader('proof.mjs');
    const { BUILT_REL } = await loader('naming.mjs');
    const missing = checkBuildTools().filter((t) => !t.found);
    if (missing.length) {
      console.error(`snntorch-node build: ${missing.map((t) => t.tool).join(' and ')} not found on PATH.\nFix: ${FIX_TOOLS}`);
      process.exit(1);
    }
    const { buildNative } = await script('build-native.mjs');
    try {
      buildNative({ rebuild: rest.includes('--rebuild'), debug: rest.includes('--debug') });
    } catch (e) {
      console.error(e instanceof Error ? e.message : String(e));
      process.exit(1);
    }
    const built = join(root, rest.includes('--debug') ? 'build/Debug/snntorch_node.node' : BUILT_REL);
    const proof = proveBinary(built);
    if (!proof.ok) {
      console.error(`snntorch-node build: ${built} was built but does not load: ${proof.message}\n${proof.output}`);
      process.exit(1);
    }
    console.log(`snntorch-node: built ${built}; it loads (LibTorch ${proof.config.libtorch_version})`);
    break;
  }
  case 'run': {
    // torchrun for Node (lib/torch/distributed/run.ts): the source through tsx in a checkout, else the built module.
    const src = join(root, 'lib', 'torch', 'distributed', 'run.ts');
    if (existsSync(src)) (await import('tsx/esm/api')).register();
    const { main } = await import(pathToFileURL(existsSync(src) ? src : join(root, 'dist', 'lib', 'torch', 'distributed', 'run.js')).href);
    process.exitCode = await main(rest);
    break;
  }
  case 'train': {
    const cli = join(root, 'dist', 'lib', 'train', 'cli.js');
    if (!existsSync(cli)) {
      console.error(
        `snntorch-node train: ${cli} is missing (the compiled library); in a git checkout run npm run build:ts, or use npm run train -- [options]`,
      );
      process.exit(1);
    }
    const { main } = await import(pathToFileURL(cli).href);
    process.exitCode = await main(rest, { relaunch: { script: fileURLToPath(import.meta.url), args: ['train'] } });
    break;
  }
  case undefined:
  case '-h':
  case '--help':
  case 'help':
    console.log(USAGE);
    break;
  default:
    console.error(`snntorch-node: unknown command "${cmd}"\n${USAGE}`);
    process.exit(2);
}
