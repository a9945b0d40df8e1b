// `node scripts/libtorch.mjs` prints what LibTorch discovery (lib/loader/libtorch.mjs) finds, as JSON.
import { findLibTorch } from '../lib/loader/libtorch.mjs';

try {
  console.log(JSON.stringify(findLibTorch(), null, 2));
} catch (e) {
  console.error(e.message);
  process.exit(1);
}
