// snntorch.functional: bad input gives a clear error (named argument, expected vs received), never a crash.
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import * as SF from '../lib/functional/index.js';

const rec = (): torch.Tensor => torch.rand(5, 4, 6); // [T=5, B=4, C=6]
const labels = (): torch.Tensor => torch.tensor([0, 1, 2, 5]);

type Loss = (spk: torch.Tensor, y: torch.Tensor) => torch.Tensor;
const LOSSES: [string, () => Loss][] = [
  ['mse_count_loss', () => SF.mse_count_loss(0.8, 0.2)],
  ['mse_membrane_loss', () => SF.mse_membrane_loss()],
  ['ce_rate_loss', () => SF.ce_rate_loss()],
  ['ce_count_loss', () => SF.ce_count_loss()],
  ['ce_max_membrane_loss', () => SF.ce_max_membrane_loss()],
  ['mse_temporal_loss', () => SF.mse_temporal_loss()],
  ['ce_temporal_loss', () => SF.ce_temporal_loss()],
  ['accuracy_rate', () => (s, y) => torch.tensor(SF.accuracy_rate(s, y))],
  ['accuracy_temporal', () => (s, y) => torch.tensor(SF.accuracy_temporal(s, y))],
];

describe('functional: bad input', () => {
  for (const [name, make] of LOSSES) {
    describe(name, () => {
      it('works on good input (the baseline the other checks break)', () => {
        expect(() => make()(rec(), labels())).to.not.throw();
      });
      it('rejects a record that is not [T, B, C]', () => {
        expect(() => make()(torch.rand(4, 6), labels())).to.throw(
          RangeError,
          /Expected a 3-D Tensor \[T, B, C\].*received a Tensor of shape \[4, 6\]/,
        );
        expect(() => make()(torch.rand(5, 4, 2, 6), labels())).to.throw(RangeError, /shape \[5, 4, 2, 6\]/);
        expect(() => make()(torch.rand(0, 4, 6), labels())).to.throw(RangeError, /non-empty/);
        expect(() => make()([[1]] as unknown as torch.Tensor, labels())).to.throw(
          TypeError,
          /Expected a Tensor of shape \[T, B, C\].* but received \[object\] of type array/,
        );
      });
      it('rejects targets of the wrong length', () => {
        expect(() => make()(rec(), torch.tensor([0, 1, 2]))).to.throw(
          RangeError,
          /Expected a 1-D Tensor of 4 class indices .* for targets but received a Tensor of shape \[3\]/,
        );
        expect(() => make()(rec(), torch.tensor([[0, 1, 2, 3]]))).to.throw(RangeError, /shape \[1, 4\]/);
      });
      it('rejects targets of the wrong dtype', () => {
        expect(() => make()(rec(), torch.tensor([0, 1, 2, 3], { dtype: 'float32' }))).to.throw(
          TypeError,
          /Expected an integer Tensor .* for targets but received a Tensor of shape \[4\] and dtype float32/,
        );
        expect(() => make()(rec(), [0, 1, 2, 3] as unknown as torch.Tensor)).to.throw(
          TypeError,
          /for targets but received \[0, 1, 2, 3\] of type array/,
        );
      });
      it('rejects class indices out of range', () => {
        expect(() => make()(rec(), torch.tensor([0, 1, 6, 3]))).to.throw(
          RangeError,
          /Expected class indices in \[0, 5\] for targets but received 6 at index 2/,
        );
        expect(() => make()(rec(), torch.tensor([0, -1, 2, 3]))).to.throw(RangeError, /received -1 at index 1/);
      });
    });
  }

  describe('population codes', () => {
    it('num_classes must divide the number of outputs', () => {
      const y = torch.tensor([0, 1, 2, 3]);
      expect(() => SF.mse_count_loss({ population_code: true, num_classes: 4 })(rec(), y)).to.throw(
        RangeError,
        /Expected a divisor of the number of outputs C=6 .* for num_classes but received 4 of type number/,
      );
      expect(() => SF.ce_count_loss({ population_code: true, num_classes: 4 })(rec(), y)).to.throw(RangeError, /num_classes/);
      expect(() => SF.accuracy_rate(rec(), y, { population_code: true, num_classes: 4 })).to.throw(RangeError, /num_classes/);
      expect(SF.mse_count_loss({ population_code: true, num_classes: 3 })(rec(), torch.tensor([0, 1, 2, 0])).shape).to.deep.equal([]);
    });
    it('num_classes is required, and labels must be below it', () => {
      expect(() => SF.mse_count_loss({ population_code: true })(rec(), labels())).to.throw(TypeError, /num_classes must be specified/);
      expect(() => SF.ce_count_loss({ population_code: true, num_classes: 3 })(rec(), torch.tensor([0, 1, 2, 3]))).to.throw(
        RangeError,
        /\[0, 2\]/,
      );
    });
    it('num_classes must be a positive integer', () => {
      expect(() => SF.mse_count_loss({ population_code: true, num_classes: 2.5 })).to.throw(
        TypeError,
        /Expected an integer for num_classes but received 2.5/,
      );
      expect(() => SF.mse_count_loss({ population_code: true, num_classes: 0 })).to.throw(RangeError, /num_classes/);
    });
    it('ce_rate_loss population_code says it is not supported', () => {
      expect(() => SF.ce_rate_loss({ population_code: true, num_classes: 3 })).to.throw(TypeError, /not supported/);
    });
  });

  describe('options', () => {
    it('unknown option names, too many positional arguments and duplicates are errors', () => {
      expect(() => SF.mse_count_loss({ correct_rte: 0.8 } as unknown as SF.MseCountLossOptions)).to.throw(
        TypeError,
        /Unknown option 'correct_rte'/,
      );
      expect(() => (SF.mse_count_loss as unknown as (...a: unknown[]) => unknown)(1, 0, false, false, 'mean', null, 7)).to.throw(
        TypeError,
        /at most 6 positional/,
      );
      expect(() => (SF.mse_count_loss as unknown as (...a: unknown[]) => unknown)(0.8, { correct_rate: 0.9 })).to.throw(
        TypeError,
        /multiple values for argument 'correct_rate'/,
      );
    });
    it('bad values name the option', () => {
      expect(() => SF.mse_count_loss({ correct_rate: Number.NaN })).to.throw(TypeError, /for correct_rate but received NaN/);
      expect(() => SF.mse_count_loss('0.8' as unknown as number)).to.throw(
        TypeError,
        /Expected a number for correct_rate but received "0.8" of type string/,
      );
      expect(() => SF.ce_count_loss({ reduction: 'avg' as 'mean' })).to.throw(
        TypeError,
        /Expected one of 'mean', 'sum', 'none' for ce_count_loss reduction but received "avg"/,
      );
      expect(() => SF.mse_membrane_loss({ on_target: Infinity })).to.throw(TypeError, /finite number for on_target/);
      expect(() => SF.ce_temporal_loss({ inverse: 'invert' as 'negate' })).to.throw(TypeError, /inverse/);
      expect(() => SF.mse_temporal_loss({ multi_spike: true })).to.throw(TypeError, /array of spike times/);
      expect(() => SF.mse_temporal_loss({ multi_spike: true, on_target: [0, 1], off_target: [3] })).to.throw(RangeError, /same length/);
      expect(() => SF.l1_rate_sparsity('big' as unknown as number)).to.throw(TypeError, /for Lambda/);
    });
    it('weight must be 1-D float with one value per class', () => {
      expect(() => SF.ce_count_loss({ weight: torch.ones(2, 3) })).to.throw(TypeError, /Expected a 1-D float Tensor for weight/);
      expect(() => SF.ce_count_loss({ weight: [1, Number.NaN] })).to.throw(TypeError, /for weight/);
      expect(() => SF.ce_count_loss({ weight: [1, 2, 3] })(rec(), labels())).to.throw(
        RangeError,
        /Expected one weight per class \(6\) for weight but received a Tensor of shape \[3\]/,
      );
    });
    it("the MSE losses' weight needs B == C (snnTorch's broadcast), said plainly", () => {
      const w = [1, 2, 3, 4, 5, 6];
      expect(() => SF.mse_count_loss({ weight: w })(rec(), labels())).to.throw(RangeError, /needs B == C .* received B=4, C=6/);
      expect(() => SF.mse_membrane_loss({ weight: w })(rec(), labels())).to.throw(RangeError, /B == C/);
    });
    it('mse_membrane_loss time_var_targets needs T <= B', () => {
      expect(() => SF.mse_membrane_loss({ time_var_targets: true })(rec(), labels())).to.throw(RangeError, /T <= B; received T=5, B=4/);
    });
    it('float records only for the losses; l1_rate_sparsity wants a Tensor', () => {
      const intRec = torch.ones(5, 4, 6, { dtype: 'int64' });
      expect(() => SF.mse_count_loss()(intRec, labels())).to.throw(TypeError, /floating point Tensor .* dtype int64/);
      expect(SF.accuracy_rate(intRec, labels())).to.equal(0.25);
      expect(() => SF.l1_rate_sparsity()(5 as unknown as torch.Tensor)).to.throw(
        TypeError,
        /Expected a Tensor for spk_out but received 5 of type number/,
      );
    });
  });
});
