#!/usr/bin/env bash
# test-pack: the package as a user gets it. Run by CI after `npm ci` (needs the repo's node_modules).
#  1. npm run prebuildify: the prebuilt for the LibTorch discovery finds (Debian's 1.13 CPU in CI).
#  2. npm pack, and a check of what the tarball holds (and does not).
#  3. Installs the tarball into an empty temporary folder with cmake, cmake-js, C/C++ compilers and
#     nvcc hidden from PATH, so that a source build cannot happen: the prebuilt must be chosen.
#  4. A TypeScript consumer (type-checked with the project's tsc, run with tsx) and a CommonJS
#     consumer train the seed network (fc1 -> RLeaky -> fc2 -> RLeaky) for 5 steps; `npx snntorch-node
#     doctor` must report the prebuilt and OK.
#  5. The training CLI from the tarball: `npx snntorch-node train` trains a short run (report and
#     checkpoint written; tsx is not installed there), and a mistyped option is one line and exit 2.
# KEEP=1 keeps the temporary folder. SKIP_PREBUILDIFY=1 packs the prebuilds/ already there.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
step() { printf '\n== test-pack: %s\n' "$*"; }
die() { printf 'test-pack: FAILED: %s\n' "$*" >&2; exit 1; }
[ -x node_modules/.bin/tsc ] && [ -x node_modules/.bin/tsx ] || die "run npm ci first (needs the project's tsc and tsx)"

work="$(mktemp -d "${TMPDIR:-/tmp}/snntorch-test-pack.XXXXXX")"
if [ "${KEEP:-0}" != 1 ]; then trap 'rm -rf "$work"' EXIT; else echo "test-pack: keeping $work"; fi
start=$SECONDS

if [ "${SKIP_PREBUILDIFY:-0}" != 1 ]; then
  step "npm run prebuildify"
  rm -rf prebuilds
  npm run --silent prebuildify
fi
ls prebuilds/*/*/*.node >/dev/null 2>&1 || die "no prebuilt binary under prebuilds/"

step "npm pack"
tgz="$(npm pack --silent --pack-destination "$work" | tail -n 1)"
tgz="$work/$tgz"
[ -f "$tgz" ] || die "npm pack made no tarball"
tar -tzf "$tgz" | sed 's|^package/||' | sort > "$work/contents.txt"
echo "$(wc -l < "$work/contents.txt") files, $(du -h "$tgz" | cut -f1): $tgz"
for need in package.json dist/lib/index.js dist/lib/index.d.ts dist/lib/native.js dist/binding.d.ts binding.d.ts \
            CMakeLists.txt bin/snntorch-node.mjs scripts/libtorch.mjs scripts/build-native.mjs scripts/install.mjs \
            scripts/doctor.mjs lib/loader/plan.mjs lib/loader/plan.d.mts dist/lib/loader/plan.mjs dist/lib/loader/plan.d.mts \
            dist/lib/train/cli.js dist/lib/train/train.js \
            dist/examples/models/tutorial-net.js dist/examples/models/tutorial-sequence.js; do
  grep -qx "$need" "$work/contents.txt" || die "the tarball lacks $need"
done
grep -q '^prebuilds/linux-x64/libtorch-[^/]*/snntorch-node\.napi\.node$' "$work/contents.txt" || die "the tarball lacks the prebuilt"
grep -q '^native/binding/.*\.cpp$' "$work/contents.txt" || die "the tarball lacks native/ sources"
if grep -E '^(test|runs|build|build-[^/]*|node_modules)/|fixtures/|\.test\.|^scripts/(models|bench|report)/|\.tgz$' "$work/contents.txt"; then
  die "the tarball holds tests, fixtures, runs or build outputs (listed above)"
fi

step "a PATH without cmake, cmake-js, compilers or nvcc"
hidden="$work/bin"
mkdir -p "$hidden"
IFS=: read -r -a dirs <<< "$PATH"
for d in "${dirs[@]}"; do
  [ -d "$d" ] || continue
  for f in "$d"/*; do
    n="${f##*/}"
    case "$n" in
      cmake*|ccmake|cpack|ctest|cmake-js|g++*|gcc*|c++*|cc|clang*|nvcc*|*-linux-gnu-g++*|*-linux-gnu-gcc*|*-linux-gnu-c++*|ccache|make|ninja) continue ;;
    esac
    [ -e "$hidden/$n" ] || [ ! -x "$f" ] || [ -d "$f" ] || ln -s "$f" "$hidden/$n"
  done
done
for t in cmake cmake-js g++ gcc c++ cc nvcc clang++; do
  if PATH="$hidden" command -v "$t" >/dev/null 2>&1; then die "$t is still on the hidden PATH"; fi
done
echo "hidden: cmake cmake-js g++ gcc c++ cc nvcc clang++ make ninja ccache"

step "install the tarball into an empty folder"
app="$work/app"
mkdir -p "$app"
cd "$app"
cat > package.json <<'JSON'
{ "name": "snntorch-consumer", "version": "1.0.0", "private": true, "type": "module" }
JSON
PATH="$hidden" npm install --prefer-offline --no-audit --no-fund --foreground-scripts "$tgz" 2>&1 | tee "$work/install.log"
[ "${PIPESTATUS[0]}" = 0 ] || die "npm install of the tarball failed"
pkg="$app/node_modules/snntorch-node"
[ -d "$pkg" ] || die "snntorch-node is not in node_modules"
[ ! -e "$pkg/build" ] || die "a source build happened ($pkg/build exists)"

step "TypeScript consumer: tsc, then tsx"
cat > tsconfig.json <<JSON
{
  "compilerOptions": {
    "target": "es2022", "module": "nodenext", "moduleResolution": "nodenext", "strict": true,
    "noEmit": true, "skipLibCheck": false, "types": ["node"], "typeRoots": ["$root/node_modules/@types"]
  },
  "include": ["train.ts", "require-types.cts"]
}
JSON
cat > train.ts <<'TS'
import { torch, nn, optim, snn, SF } from 'snntorch-node';

class Net extends nn.Module {
  fc1 = new nn.Linear(784, 128);
  rlif1 = new snn.RLeaky({ beta: 0.9, linear_features: 128 });
  fc2 = new nn.Linear(128, 10);
  rlif2 = new snn.RLeaky({ beta: 0.9, linear_features: 10 });
  forward(x: torch.Tensor): torch.Tensor {
    let [spk1, mem1] = this.rlif1.init_rleaky();
    let [spk2, mem2] = this.rlif2.init_rleaky();
    const spk2_rec: torch.Tensor[] = [];
    for (let step = 0; step < 10; step++) {
      [spk1, mem1] = this.rlif1.forward(this.fc1.forward(x), spk1, mem1) as [torch.Tensor, torch.Tensor];
      [spk2, mem2] = this.rlif2.forward(this.fc2.forward(spk1), spk2, mem2) as [torch.Tensor, torch.Tensor];
      spk2_rec.push(spk2);
    }
    return torch.stack(spk2_rec);
  }
}

torch.manual_seed(0);
const net = new Net();
const loss_fn = SF.mse_count_loss({ correct_rate: 0.8, incorrect_rate: 0.2 });
const optimizer = new optim.Adam(net.parameters(), { lr: 1e-3 });
const losses: number[] = [];
for (let i = 0; i < 5; i++) {
  const x = torch.rand([16, 784]);
  const y = torch.randint(0, 10, [16]);
  const loss = loss_fn(net.forward(x), y);
  optimizer.zero_grad();
  loss.backward();
  optimizer.step();
  losses.push(loss.item());
}
console.log('ts losses:', losses.map((l) => l.toFixed(4)).join(' '));
if (losses.length !== 5 || !losses.every(Number.isFinite)) throw new Error('non-finite loss');
TS
cat > require-types.cts <<'TS'
// require() of the package from CommonJS TypeScript is typed too.
import sn = require('snntorch-node');
const t: sn.torch.Tensor = sn.torch.zeros([2, 3]);
const lif: sn.snn.RLeaky = new sn.snn.RLeaky({ beta: 0.9, linear_features: 3 });
export const shape: number[] = [...t.shape, lif.linear_features ?? 0];
TS
PATH="$hidden" "$root/node_modules/.bin/tsc" -p . || die "the TypeScript consumer does not type-check"
echo "tsc: OK"
PATH="$hidden" "$root/node_modules/.bin/tsx" train.ts || die "the TypeScript consumer failed"

step "CommonJS consumer: require('snntorch-node')"
cat > train.cjs <<'JS'
const { torch, nn, optim, snn, SF } = require('snntorch-node');

class Net extends nn.Module {
  constructor() {
    super();
    this.fc1 = new nn.Linear(784, 128);
    this.rlif1 = new snn.RLeaky({ beta: 0.9, linear_features: 128 });
    this.fc2 = new nn.Linear(128, 10);
    this.rlif2 = new snn.RLeaky({ beta: 0.9, linear_features: 10 });
  }
  forward(x) {
    let [spk1, mem1] = this.rlif1.init_rleaky();
    let [spk2, mem2] = this.rlif2.init_rleaky();
    const spk2_rec = [];
    for (let step = 0; step < 10; step++) {
      [spk1, mem1] = this.rlif1.forward(this.fc1.forward(x), spk1, mem1);
      [spk2, mem2] = this.rlif2.forward(this.fc2.forward(spk1), spk2, mem2);
      spk2_rec.push(spk2);
    }
    return torch.stack(spk2_rec);
  }
}

torch.manual_seed(0);
const net = new Net();
const loss_fn = SF.mse_count_loss(0.8, 0.2);
const optimizer = new optim.Adam(net.parameters(), { lr: 1e-3 });
const losses = [];
for (let i = 0; i < 5; i++) {
  const x = torch.rand([16, 784]);
  const y = torch.randint(0, 10, [16]);
  const loss = loss_fn(net.forward(x), y);
  optimizer.zero_grad();
  loss.backward();
  optimizer.step();
  losses.push(loss.item());
}
console.log('cjs losses:', losses.map((l) => l.toFixed(4)).join(' '));
if (losses.length !== 5 || !losses.every(Number.isFinite)) throw new Error('non-finite loss');
JS
PATH="$hidden" node train.cjs || die "the CommonJS consumer failed"

step "npx snntorch-node doctor"
PATH="$hidden" npx --no-install snntorch-node doctor | tee "$work/doctor.log" || die "doctor did not report OK"
grep -q '^binary: *prebuilt' "$work/doctor.log" || die "doctor does not report the prebuilt binary"
grep -qx 'OK' "$work/doctor.log" || die "doctor did not end with OK"

step "npx snntorch-node train (the training CLI from the tarball)"
[ ! -e "$app/node_modules/tsx" ] || die "tsx is installed in the consumer: the CLI must run without it"
set +e
PATH="$hidden" npx --no-install snntorch-node train --epoch 1 >/dev/null 2>"$work/train-usage.err"
rc=$?
set -e
cat "$work/train-usage.err"
[ "$rc" = 2 ] || die "snntorch-node train --epoch 1 exited $rc, not 2"
[ "$(cat "$work/train-usage.err")" = 'snntorch-node train: unknown option --epoch; did you mean --epochs?' ] || die "train --epoch 1 did not print the one-line usage error"
PATH="$hidden" npx --no-install snntorch-node train --limit 1280 --epochs 1 --no-progress \
  --report "$work/train-report" --save "$work/train.pt" 2>&1 | tee "$work/train.log"
[ "${PIPESTATUS[0]}" = 0 ] || die "snntorch-node train failed"
grep -q '^BLAS: ' "$work/train.log" || die "the training header does not name the BLAS"
grep -q 'The total accuracy on the test set is: ' "$work/train.log" || die "snntorch-node train printed no accuracy"
[ -f "$work/train-report/metrics.json" ] || die "snntorch-node train wrote no metrics.json"
[ -f "$work/train.pt" ] || die "snntorch-node train --save wrote no checkpoint"
[ ! -e "$pkg/build" ] || die "a source build happened ($pkg/build exists)"

printf '\ntest-pack: OK in %ss: prebuilt chosen and proved, no compiler on PATH, TS (tsc + tsx) and CommonJS consumers trained 5 steps, the training CLI ran\n' "$((SECONDS - start))"
