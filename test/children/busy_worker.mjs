// A worker thread that loads the library and then stays inside native calls until it is stopped.
// workerData: { lib: URL of lib/index.ts, tsx: URL of tsx's ESM API }.
import { parentPort, workerData } from 'node:worker_threads';

const { register } = await import(workerData.tsx);
register();
const { torch } = await import(workerData.lib);
const a = torch.rand(96, 96);
parentPort.postMessage('ready');
for (;;) {
  const b = a.matmul(a);
  const c = b.sigmoid();
  b.dispose();
  c.dispose();
}
