// Type tests: tsc compiles test/types/checkpoint_types.ts, where torch.save takes state dicts,
// optimizer state dicts and nested containers, net.load_state_dict(torch.load(p)) needs no cast,
// and @ts-expect-error lines prove that functions, symbols and object keys are refused.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('checkpoint types', function () {
  this.timeout(120_000);
  it('torch.save / torch.load fit state_dict(), optimizer state dicts and nested containers with no cast', () => {
    const r = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', join(ROOT, 'test', 'types', 'tsconfig.json')], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 110_000,
    });
    expect(r.status, `${r.stdout}${r.stderr}${r.error ?? ''}`).to.equal(0);
  });
});
