// GPU benchmark (run by scripts/gpu-check.sh; needs a CUDA build and a GPU):
//  1. the fused CUDA neuron step at a [4096, 4096] state: achieved GB/s against the device's
//     theoretical memory bandwidth (and against a device-to-device copy), fused vs composed step;
//  2. the tutorial network (fc1 -> RLeaky -> fc2 -> RLeaky, batch 128, T=10) trained one epoch on
//     MNIST (60k images) with scripts/train-mnist.ts's train() on 'cuda': seconds and samples/s.
// Targets (measured and reported, never asserted): fused step >= 70% of the theoretical bandwidth;
// a tutorial epoch < 2 s on an H200.
// Usage: tsx scripts/bench/gpu.ts [--json FILE] [--quick] [--epochs N] [--skip-train]
// The theoretical bandwidth comes from $SNN_GPU_PEAK_GBPS, else the driver (libcuda through
// python3's ctypes: memory clock x bus width), else a table of known parts by name.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { torch, snn } from '../../lib/index.js';
// The raw binding (lib/native.ts, the internal entry point for timing a kernel without the wrappers).
import { native } from '../../lib/native.js';
import { median, printTable } from './stats.js';

const { values } = parseArgs({
  options: {
    json: { type: 'string' },
    quick: { type: 'boolean', default: false },
    epochs: { type: 'string', default: '2' },
    'skip-train': { type: 'boolean', default: false },
    engines: { type: 'string', default: 'sequence,step' },
  },
});

interface DeviceInfo {
  name: string | null;
  peak_gbps: number | null;
  peak_source: string;
  memory_clock_khz?: number;
  bus_width_bits?: number;
}

// Theoretical bandwidth of common data-centre parts (GB/s, vendor figures), by name fragment.
const KNOWN: [RegExp, number][] = [
  [/H200/i, 4800],
  [/GH200/i, 4000],
  [/H100.*(SXM|HBM3)/i, 3350],
  [/H100.*NVL/i, 3900],
  [/H100.*PCIe/i, 2000],
  [/H100/i, 3350],
  [/B200/i, 8000],
  [/A100.*80GB/i, 2039],
  [/A100/i, 1555],
  [/L40S/i, 864],
  [/L4\b/i, 300],
  [/A10\b/i, 600],
];

// Driver attributes through ctypes (no CUDA toolkit or torch needed): CU_DEVICE_ATTRIBUTE_
// MEMORY_CLOCK_RATE (36, kHz) and GLOBAL_MEMORY_BUS_WIDTH (37, bits); peak = 2 * clock * width / 8.
const PY_DEVICE = `
import ctypes, json
out = {}
try:
    cu = ctypes.CDLL("libcuda.so.1")
    assert cu.cuInit(0) == 0
    dev = ctypes.c_int()
    assert cu.cuDeviceGet(ctypes.byref(dev), 0) == 0
    name = ctypes.create_string_buffer(256)
    cu.cuDeviceGetName(name, 256, dev)
    out["name"] = name.value.decode()
    v = ctypes.c_int()
    if cu.cuDeviceGetAttribute(ctypes.byref(v), 36, dev) == 0: out["clock_khz"] = v.value
    if cu.cuDeviceGetAttribute(ctypes.byref(v), 37, dev) == 0: out["bus_bits"] = v.value
except Exception as e:
    out["error"] = str(e)
print(json.dumps(out))
`;

function deviceInfo(): DeviceInfo {
  let name: string | null = null;
  const env = Number(process.env.SNN_GPU_PEAK_GBPS);
  const py = spawnSync(process.env.PYTHON || 'python3', ['-c', PY_DEVICE], { encoding: 'utf8', timeout: 30000 });
  let info: { name?: string; clock_khz?: number; bus_bits?: number } = {};
  try {
    info = JSON.parse(py.stdout.trim().split('\n').pop() ?? '{}');
  } catch {
    info = {};
  }
  name = info.name ?? null;
  if (!name) {
    const smi = spawnSync('nvidia-smi', ['--query-gpu=name', '--format=csv,noheader'], { encoding: 'utf8', timeout: 30000 });
    if (smi.status === 0) name = smi.stdout.trim().split('\n')[0] ?? null;
  }
  const base = { name, memory_clock_khz: info.clock_khz, bus_width_bits: info.bus_bits };
  if (Number.isFinite(env) && env > 0) return { ...base, peak_gbps: env, peak_source: 'SNN_GPU_PEAK_GBPS' };
  if (info.clock_khz && info.bus_bits) {
    return {
      ...base,
      peak_gbps: (2 * info.clock_khz * 1e3 * (info.bus_bits / 8)) / 1e9,
      peak_source: 'driver: 2 x memory clock x bus width',
    };
  }
  for (const [re, gbps] of KNOWN) if (name && re.test(name)) return { ...base, peak_gbps: gbps, peak_source: `table (${name})` };
  return { ...base, peak_gbps: null, peak_source: 'unknown' };
}

/** Milliseconds per call of fn, GPU work included: warm up, synchronize, run reps, synchronize. */
function timeGpu(fn: () => void, reps: number, warmup = 5): number {
  for (let i = 0; i < warmup; i++) fn();
  torch.cuda.synchronize();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) fn();
  torch.cuda.synchronize();
  return (performance.now() - t0) / reps;
}

/** Median over rounds of timeGpu. */
function timeMedian(fn: () => void, reps: number, rounds: number): number {
  const xs: number[] = [];
  for (let r = 0; r < rounds; r++) xs.push(timeGpu(fn, reps, r === 0 ? 5 : 1));
  return median(xs);
}

type Row = Record<string, string | number>;

function benchStep(peak: number | null, quick: boolean): { rows: Row[]; copy_gbps: number; summary: Record<string, number | null> } {
  const reps = quick ? 20 : 50;
  const rounds = quick ? 3 : 5;
  const shape = [4096, 4096];
  const n = shape[0]! * shape[1]!;
  const rows: Row[] = [];
  const pct = (gbps: number) => (peak ? (100 * gbps) / peak : NaN);

  // A device-to-device copy: the practical ceiling of a streaming kernel (read + write).
  const big = torch.rand([64 * 1024 * 1024], { device: 'cuda' });
  const dst = torch.empty([64 * 1024 * 1024], { device: 'cuda' });
  const copyMs = timeMedian(() => void dst.copy_(big), reps, rounds);
  const copy_gbps = (2 * 4 * big.numel()) / (copyMs * 1e-3) / 1e9;
  rows.push({ case: 'copy 256 MiB (reference)', dtype: 'float32', ms: copyMs, GBps: copy_gbps, pct_peak: pct(copy_gbps), vs_composed: '' });
  big.dispose();
  dst.dispose();

  const summary: Record<string, number | null> = {};
  for (const dtype of ['float32', 'float16', 'bfloat16'] as const) {
    const es = dtype === 'float32' ? 4 : 2;
    torch.tidy(() => {
      const x = torch.rand(shape, { device: 'cuda' }).mul(1.5).to(dtype);
      const u = torch.rand(shape, { device: 'cuda' }).to(dtype);
      const beta = torch.tensor(0.9, { device: 'cuda' });
      const th = torch.tensor(1.0, { device: 'cuda' });
      const g = torch.tensor(1.0, { device: 'cuda' });
      // The kernel alone through the binding (one N-API call per step): the bandwidth figure.
      const nativeFwd = () => {
        const [s, m] = native.snn_leaky_step(x.handle, u.handle, beta.handle, th.handle, g.handle, {
          reset: 'subtract',
          reset_delay: true,
          surrogate: 'atan',
          surrogate_param: 2.0,
          surrogate_disable: false,
        });
        s.dispose();
        m.dispose();
      };
      const fwdMs = torch.no_grad(() => timeMedian(nativeFwd, reps, rounds));
      const fwdGbps = (4 * es * n) / (fwdMs * 1e-3) / 1e9; // reads x, u; writes spk, mem
      // The public module, fused vs composed, forward only and forward + backward.
      const neuron = new snn.Leaky({ beta: 0.9 }).to('cuda');
      const xg = x.detach().requires_grad_(true);
      const ug = u.detach().requires_grad_(true);
      const gS = torch.randn(shape, { device: 'cuda' }).to(dtype);
      const gM = torch.randn(shape, { device: 'cuda' }).to(dtype);
      const moduleFwd = () => torch.tidy(() => void neuron.forward(x, u));
      const moduleFwdBwd = () =>
        torch.tidy(() => {
          const [s, m] = neuron.forward(xg, ug) as [torch.Tensor, torch.Tensor];
          torch.autograd.grad([s, m], [xg, ug], { grad_outputs: [gS, gM] });
        });
      const t: Record<string, number> = {};
      for (const impl of ['fused', 'composed'] as const) {
        snn.with_step_impl(impl, () => {
          t[`${impl}_fwd`] = torch.no_grad(() => timeMedian(moduleFwd, reps, rounds));
          t[`${impl}_fwdbwd`] = timeMedian(moduleFwdBwd, reps, rounds);
        });
      }
      neuron.dispose();
      // Bytes the fused kernels must move: forward 4 arrays; backward reads u, v, gS, gM and writes gx, gu.
      const fwdBytes = 4 * es * n;
      const fwdBwdBytes = 10 * es * n;
      const gb = (bytes: number, ms: number) => bytes / (ms * 1e-3) / 1e9;
      rows.push({ case: 'Leaky step fwd, kernel via binding', dtype, ms: fwdMs, GBps: fwdGbps, pct_peak: pct(fwdGbps), vs_composed: '' });
      rows.push({
        case: 'Leaky.forward fused',
        dtype,
        ms: t.fused_fwd!,
        GBps: gb(fwdBytes, t.fused_fwd!),
        pct_peak: pct(gb(fwdBytes, t.fused_fwd!)),
        vs_composed: t.composed_fwd! / t.fused_fwd!,
      });
      rows.push({ case: 'Leaky.forward composed', dtype, ms: t.composed_fwd!, GBps: '', pct_peak: '', vs_composed: 1 });
      rows.push({
        case: 'Leaky fwd+bwd fused',
        dtype,
        ms: t.fused_fwdbwd!,
        GBps: gb(fwdBwdBytes, t.fused_fwdbwd!),
        pct_peak: pct(gb(fwdBwdBytes, t.fused_fwdbwd!)),
        vs_composed: t.composed_fwdbwd! / t.fused_fwdbwd!,
      });
      rows.push({ case: 'Leaky fwd+bwd composed', dtype, ms: t.composed_fwdbwd!, GBps: '', pct_peak: '', vs_composed: 1 });
      if (dtype === 'float32') {
        summary.fused_fwd_gbps = fwdGbps;
        summary.fused_fwd_pct_peak = peak ? (100 * fwdGbps) / peak : null;
        summary.fused_fwd_pct_copy = (100 * fwdGbps) / copy_gbps;
        summary.fused_fwdbwd_gbps = gb(fwdBwdBytes, t.fused_fwdbwd!);
        summary.fused_fwdbwd_pct_peak = peak ? (100 * gb(fwdBwdBytes, t.fused_fwdbwd!)) / peak : null;
        summary.speedup_fwd = t.composed_fwd! / t.fused_fwd!;
        summary.speedup_fwdbwd = t.composed_fwdbwd! / t.fused_fwdbwd!;
      }
    });
  }
  return { rows, copy_gbps, summary };
}

interface EpochResult {
  engine: string;
  epochs: { epoch: number; seconds: number; samples_per_s: number; test_accuracy: number }[];
  best_epoch_seconds: number | null;
  total_seconds: number;
  accuracy: number;
  error?: string;
}

async function benchEpoch(engine: 'sequence' | 'step', epochs: number): Promise<EpochResult> {
  const { train } = await import('../train-mnist.js');
  // train() logs one line per epoch ("Epoch 1/2: mean loss ..., test accuracy 93.1%, 1.2 s (50000 samples/s), ...");
  // read those lines (report: none writes no metrics file).
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => {
    lines.push(a.map(String).join(' '));
    log(...a);
  };
  const t0 = performance.now();
  try {
    const r = await train({
      epochs,
      batch_size: 128,
      hidden: 128,
      num_steps: 10,
      beta: 0.9,
      lr: 1e-3,
      seed: 0,
      threads: 1,
      device: 'cuda',
      dataset: 'mnist',
      limit: null,
      loss: 'count',
      engine,
      save: null,
      resume: null,
      report: null,
      progress: false,
    });
    const rows = lines
      .map((l) => /^Epoch (\d+)\/\d+: .*test accuracy ([\d.]+)%, ([\d.]+) s \((\d+) samples\/s\)/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ epoch: Number(m[1]), test_accuracy: Number(m[2]) / 100, seconds: Number(m[3]), samples_per_s: Number(m[4]) }));
    return {
      engine,
      epochs: rows,
      best_epoch_seconds: rows.length ? Math.min(...rows.map((e) => e.seconds)) : null,
      total_seconds: (performance.now() - t0) / 1000,
      accuracy: r.accuracy,
    };
  } catch (e) {
    return {
      engine,
      epochs: [],
      best_epoch_seconds: null,
      total_seconds: (performance.now() - t0) / 1000,
      accuracy: NaN,
      error: e instanceof Error ? e.message : String(e),
    };
  } finally {
    console.log = log;
  }
}

async function main(): Promise<void> {
  const conf = torch.__config__();
  if (!conf.cuda_available) {
    const msg = conf.cuda_compiled ? 'no CUDA device is available' : `this build uses LibTorch ${conf.libtorch_version} without CUDA`;
    console.error(`gpu bench: ${msg}`);
    if (values.json) writeFileSync(values.json, JSON.stringify({ ok: false, error: msg, config: conf }, null, 2));
    process.exit(2);
  }
  const dev = deviceInfo();
  console.log(
    `GPU: ${dev.name ?? 'unknown'}, theoretical bandwidth ${dev.peak_gbps?.toFixed(0) ?? '?'} GB/s (${dev.peak_source}); LibTorch ${conf.libtorch_version}`,
  );
  const result: Record<string, unknown> = { ok: true, device: dev, config: conf, node: process.version };

  console.log('\nFused neuron step at a [4096, 4096] state (median ms per call; GB/s = bytes the fused kernels must move / time)');
  const step = benchStep(dev.peak_gbps, values.quick!);
  printTable(step.rows);
  result.step = step;
  const pctPeak = step.summary.fused_fwd_pct_peak;
  console.log(
    `fused step forward: ${step.summary.fused_fwd_gbps!.toFixed(0)} GB/s = ` +
      `${pctPeak == null ? '?' : pctPeak.toFixed(1)}% of theoretical (target >= 70%), ${step.summary.fused_fwd_pct_copy!.toFixed(1)}% of a device copy`,
  );

  if (!values['skip-train']) {
    const epochs = Number(values.epochs);
    const trainRuns: EpochResult[] = [];
    for (const engine of values.engines!.split(',') as ('sequence' | 'step')[]) {
      console.log(`\nTutorial network, MNIST 60k, batch 128, T=10, ${epochs} epoch(s) on cuda, engine ${engine}`);
      const r = await benchEpoch(engine, epochs);
      if (r.error) console.log(`  failed: ${r.error}`);
      else
        console.log(
          `  best epoch ${r.best_epoch_seconds?.toFixed(2)} s (target < 2 s on an H200), accuracy ${(r.accuracy * 100).toFixed(2)}%`,
        );
      trainRuns.push(r);
    }
    result.train = trainRuns;
  }

  const best = ((result.train as EpochResult[] | undefined) ?? []).map((r) => r.best_epoch_seconds).filter((s): s is number => s !== null);
  result.targets = {
    fused_step_pct_peak: pctPeak,
    fused_step_meets_70pct: pctPeak == null ? null : pctPeak >= 70,
    best_epoch_seconds: best.length ? Math.min(...best) : null,
    epoch_under_2s: best.length ? Math.min(...best) < 2 : null,
  };
  console.log(`\nTargets: ${JSON.stringify(result.targets)}`);
  if (values.json) writeFileSync(values.json, JSON.stringify(result, null, 2));
}

await main();
