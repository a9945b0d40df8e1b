// The junk sweep's child process: sweeps the group named by SNN_SWEEP_GROUP and prints its report as
// one line, `SWEEP {json}`. A crash here ends only this process (the test sees its signal or status).
import { Sweeper } from './sweep_core.js';
import { GROUPS } from './sweep_groups.js';

const group = process.env.SNN_SWEEP_GROUP ?? '';
const run = GROUPS[group];
if (!run) throw new Error(`SNN_SWEEP_GROUP must be one of ${Object.keys(GROUPS).join(', ')}; got "${group}"`);
const s = new Sweeper(group);
run(s);
const report = await s.finish();
process.stdout.write('\nSWEEP ' + JSON.stringify(report) + '\n');
