// `npx snntorch-node doctor`: what this machine's snntorch-node runs on, and whether it works.
// Prints LibTorch (path, version, CUDA), the binary in use (prebuilt or built, path; proved in a
// child process before this process loads it), threads and BLAS, CUDA devices, runs a tiny
// forward/backward, and ends with "OK" or "FAILED" and the remedies (exit code 1). The BLAS is timed
// (sgemm GFLOP/s through the addon); the reference BLAS (or one measured slow) is a failure.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { findLibTorch } from '../lib/loader/libtorch.mjs';
import { inspectBlas, FIX_BLAS } from '../lib/loader/blas.mjs';
import { planBinary } from '../lib/loader/plan.mjs';
import { proveBinary } from '../lib/loader/proof.mjs';
import { checkBuildTools } from '../lib/loader/build-tools.mjs';
import { remedies, FIX_BUILD, FIX_REBUILD, FIX_TOOLS } from '../lib/loader/remedies.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

export async function doctor({ env = process.env, out = console.log, blasFacts = null } = {}) {
  const problems = [];
  const fixes = [];
  const line = (k, v) => out(`${(k + ':').padEnd(14)}${v}`);
  out('snntorch-node doctor');
  line('package', root);
  line('node', `${process.version} (Node-API ${process.versions.napi}) ${process.platform}-${process.arch}`);

  // LibTorch, as the build and the loader find it.
  let lt = null;
  try {
    lt = findLibTorch({ env });
    line('LibTorch', `${lt.version} (${lt.cuda ? 'CUDA' : 'CPU'}), from ${lt.source}`);
    line('  path', lt.prefix);
    line('  libraries', lt.libDir);
    line('  CUDA', lt.cuda ? 'yes (libtorch_cuda present)' : 'no (CPU-only LibTorch)');
    if (env.LIBTORCH && lt.source !== 'LIBTORCH') {
      // The build and the loader go on to the next place; say that the setting was not used.
      line('  LIBTORCH', `${env.LIBTORCH} holds no LibTorch (no share/cmake/Torch/TorchConfig.cmake and lib/libtorch.so): ignored`);
      problems.push(`LIBTORCH=${env.LIBTORCH} holds no LibTorch; the ${lt.source} LibTorch is used instead`);
      fixes.push(
        'export LIBTORCH=/path/to/libtorch            # a folder holding share/cmake/Torch and lib/libtorch.so',
        `unset LIBTORCH                                # use the ${lt.source} LibTorch at ${lt.prefix}`,
      );
    }
  } catch (e) {
    line('LibTorch', 'NOT FOUND');
    out(
      String(e.message)
        .replace(/^snntorch-node: /, '')
        .split('\n')
        .map((l) => '    ' + l)
        .join('\n'),
    );
    problems.push('no LibTorch found');
    fixes.push(...remedies({ ltError: e }));
  }

  // The binary the loader would use.
  const plan = planBinary({ root, env });
  for (const n of plan.notes) line('note', n);
  const chosen = plan.candidates[0] ?? null;
  let proved = false;
  if (!chosen) {
    line('binary', 'NONE usable');
    problems.push('no native binary: no source build in the package and no prebuilt for this LibTorch');
    if (lt) {
      const tools = checkBuildTools(env);
      for (const t of tools) line('  ' + t.name, t.found ?? 'NOT FOUND');
      if (tools.some((t) => !t.found)) fixes.push(FIX_TOOLS);
      fixes.push(FIX_BUILD, FIX_REBUILD);
      if (plan.available.length)
        fixes.push(`or use a LibTorch that a prebuilt was made for (${plan.available.join(', ')}): export LIBTORCH=/path/to/it`);
    }
  } else {
    const kind = { explicit: 'explicit (SNNTORCH_NODE_BINARY)', built: 'built from source', prebuilt: `prebuilt (${chosen.tag})` }[
      chosen.kind
    ];
    line('binary', `${kind}`);
    line('  path', chosen.path);
    const proof = proveBinary(chosen.path, { env });
    if (proof.ok) {
      proved = true;
      line(
        '  loads',
        `yes (proved in a child process; compiled for LibTorch ${proof.config.libtorch_version}, C++11 ABI ${proof.config.cxx11_abi ? 'on' : 'off'})`,
      );
      if (lt && proof.config.libtorch_version !== lt.version.split('+')[0]) {
        line('  warning', `built for LibTorch ${proof.config.libtorch_version}, discovery finds ${lt.version}`);
      }
    } else {
      line('  loads', `NO: ${proof.message}`);
      const detail = proof.output.trim().split('\n').filter(Boolean).slice(-3);
      for (const d of detail) out('    ' + d);
      problems.push(`the ${chosen.kind} binary does not load (${proof.kind})`);
      fixes.push(...remedies({ ltError: null, failures: [{ kind: chosen.kind }] }));
    }
  }

  // In this process: threads, BLAS, CUDA, a tiny forward/backward. Only with a LibTorch and a proved binary.
  if (proved && lt) {
    const dist = join(root, 'dist', 'lib', 'index.js');
    if (!existsSync(dist)) {
      problems.push('dist/ is missing (the compiled library)');
      fixes.push('npm run build:ts                 # compile lib/ to dist/ (a git checkout only)');
    } else {
      try {
        const { nativeInfo } = await import(pathToFileURL(join(root, 'dist', 'lib', 'native.js')).href);
        const { torch, nn, snn } = await import(pathToFileURL(dist).href);
        const c = torch.__config__();
        line('in use', `${nativeInfo.kind} ${nativeInfo.path}${nativeInfo.proof ? ` (proof ${nativeInfo.proof})` : ''}`);
        line('threads', `intra-op ${c.num_threads}, inter-op ${c.num_interop_threads}`);
        // blasFacts (tests) replaces the measurement; the verdict is the one `npm run train` prints.
        const { judgeBlas, blasFacts: measureBlas } = await import(pathToFileURL(join(root, 'dist', 'lib', 'train', 'blas.js')).href);
        const blas = judgeBlas(blasFacts ?? measureBlas());
        line('BLAS', blas.summary);
        const linked = inspectBlas(lt, { env });
        if (linked.linksGenericBlas) line('  linked', `libblas.so.3 -> ${linked.resolved ?? 'not found'} (${linked.kind})`);
        if (!blas.ok) {
          line('  slow', blas.problem);
          problems.push(`slow BLAS: ${blas.problem.split('; fix:')[0]}`);
          fixes.push(FIX_BLAS);
        }
        line(
          'CUDA devices',
          c.cuda_available ? `${c.cuda_device_count}` : `none (${c.cuda_compiled ? 'CUDA build, no device visible' : 'CPU build'})`,
        );
        const r = torch.tidy(() => {
          torch.manual_seed(0);
          const fc = new nn.Linear(4, 3);
          const lif = new snn.Leaky({ beta: 0.9 });
          const x = torch.randn([2, 4]);
          let mem = lif.init_leaky();
          let acc = torch.zeros([2, 3]);
          for (let t = 0; t < 3; t++) {
            [, mem] = lif.forward(fc.forward(x), mem);
            acc = acc.add(mem);
          }
          const loss = acc.pow(2).mean();
          loss.backward();
          const g = fc.weight.grad;
          const gradNorm = g ? g.norm().item() : NaN;
          return { loss: loss.item(), gradOk: g !== null && Number.isFinite(gradNorm) && gradNorm > 0, gradNorm };
        });
        if (Number.isFinite(r.loss) && r.gradOk) {
          line('forward/back', `OK (Linear(4,3) + Leaky, 3 steps: loss ${r.loss.toFixed(4)}, |grad| ${r.gradNorm.toFixed(4)})`);
        } else {
          line('forward/back', `FAILED (loss ${r.loss}, finite grad ${r.gradOk})`);
          problems.push('the forward/backward check gave non-finite values');
          fixes.push(FIX_BUILD);
        }
      } catch (e) {
        line('forward/back', `FAILED: ${String(e?.message ?? e).split('\n')[0]}`);
        problems.push('loading or running the library failed: ' + String(e?.message ?? e));
        fixes.push(FIX_BUILD, FIX_REBUILD);
      }
    }
  } else {
    line('forward/back', 'skipped (needs a LibTorch and a binary that loads)');
  }

  out('');
  if (problems.length === 0) {
    out('OK');
    return 0;
  }
  out('FAILED:');
  for (const p of problems) out('  - ' + p);
  out('Remedies:');
  for (const f of [...new Set(fixes)]) out('  ' + f);
  return 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await doctor();
}
