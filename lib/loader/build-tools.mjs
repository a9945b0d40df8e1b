// The tools a source build needs, looked for before one starts (install, `snntorch-node build`,
// prebuildify, doctor), so that a missing one is named instead of failing deep inside cmake-js.
import { spawnSync } from 'node:child_process';

function probe(cmd, args, env) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 20000, env });
  if (r.error || r.status !== 0) return null;
  return (r.stdout || r.stderr || '').split('\n')[0].trim();
}

/** [{name, tool, found: string|null}] for cmake and the C++ compiler (CXX or c++/g++/clang++). */
export function checkBuildTools(env = process.env) {
  const cmake = probe('cmake', ['--version'], env);
  let cxx = null;
  for (const c of [env.CXX, 'c++', 'g++', 'clang++'].filter(Boolean)) {
    cxx = probe(c, ['--version'], env);
    if (cxx) break;
  }
  return [
    { name: 'cmake', tool: 'cmake (>= 3.18)', found: cmake },
    { name: 'c++', tool: 'a C++17 compiler (c++, g++ or clang++)', found: cxx },
  ];
}
