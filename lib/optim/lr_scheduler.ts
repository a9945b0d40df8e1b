// optim.lr_scheduler: StepLR and CosineAnnealingLR with PyTorch's (chainable) update rules, so the
// learning rates follow PyTorch's step for step. They set group.lr, which writes through to LibTorch.
import { checkInt, checkNumber, checkOptions, invalid } from '../torch/check.js';
import { Optimizer } from './optimizer.js';

export interface SchedulerOptions {
  /** The index of the last epoch when resuming (-1: start fresh). */
  last_epoch?: number;
}

export type SchedulerStateDict = Record<string, number | number[]>;

/** What a scheduler needs of an optim.Optimizer (any of them: each has an lr per group). */
export interface SchedulerTarget {
  readonly param_groups: { lr: number; initial_lr?: number }[];
}

export abstract class LRScheduler {
  readonly optimizer: SchedulerTarget;
  base_lrs: number[];
  last_epoch: number;
  protected _step_count = 0;
  protected _last_lr: number[] = [];

  protected constructor(optimizer: SchedulerTarget, last_epoch: number) {
    if (!(optimizer instanceof Optimizer)) throw invalid('optimizer', 'an optim.Optimizer', optimizer);
    this.optimizer = optimizer;
    this.last_epoch = checkInt('last_epoch', last_epoch, -1);
    const groups = this.#groups();
    if (last_epoch === -1) {
      for (const g of groups) if (g.initial_lr === undefined) g.initial_lr = g.lr;
    } else {
      groups.forEach((g, i) => {
        if (g.initial_lr === undefined)
          throw new RangeError(`param 'initial_lr' is not specified in param_groups[${i}] when resuming an optimizer`);
      });
    }
    this.base_lrs = groups.map((g) => g.initial_lr!);
  }

  /** Subclass constructors call this last (PyTorch's _initial_step): the first step() sets epoch 0's rates. */
  protected _initial_step(): void {
    this._step_count = 0;
    this.step();
  }

  /** The rates for this.last_epoch, from the current ones (PyTorch's chainable form). */
  abstract get_lr(): number[];

  /** Advances one epoch and writes the new rates into the optimizer's groups. */
  step(): void {
    this._step_count++;
    this.last_epoch++;
    const values = this.get_lr();
    const groups = this.#groups();
    groups.forEach((g, i) => {
      g.lr = values[i]!;
    });
    this._last_lr = groups.map((g) => g.lr);
  }

  /** The rates the last step() set, per group. */
  get_last_lr(): number[] {
    return [...this._last_lr];
  }

  protected _currentLrs(): number[] {
    return this.#groups().map((g) => g.lr);
  }

  /** Every field but the optimizer, as PyTorch's state_dict(). */
  state_dict(): SchedulerStateDict {
    return {
      ...this._hyperparameters(),
      base_lrs: [...this.base_lrs],
      last_epoch: this.last_epoch,
      _step_count: this._step_count,
      _last_lr: [...this._last_lr],
    };
  }

  load_state_dict(state_dict: unknown): void {
    const m =
      state_dict instanceof Map
        ? state_dict
        : state_dict !== null && typeof state_dict === 'object'
          ? new Map(Object.entries(state_dict))
          : null;
    if (!m) throw invalid('state_dict', 'a Map or an object', state_dict);
    const n = this.#groups().length;
    const list = (k: string): number[] => {
      const v = m.get(k);
      if (!Array.isArray(v) || v.length !== n || !v.every((x) => typeof x === 'number'))
        throw invalid(`state_dict.${k}`, `an array of ${n} numbers`, v);
      return v as number[];
    };
    const base = list('base_lrs');
    const last = list('_last_lr');
    const epoch = checkInt('state_dict.last_epoch', Number(m.get('last_epoch')), -1);
    const count = checkInt('state_dict._step_count', Number(m.get('_step_count')), 0);
    this._loadHyperparameters(m);
    this.base_lrs = [...base];
    this._last_lr = [...last];
    this.last_epoch = epoch;
    this._step_count = count;
  }

  protected abstract _hyperparameters(): Record<string, number>;
  protected abstract _loadHyperparameters(m: Map<unknown, unknown>): void;

  #groups(): { lr: number; initial_lr?: number }[] {
    return this.optimizer.param_groups;
  }
}

/** Multiplies each group's rate by gamma every step_size epochs. */
export class StepLR extends LRScheduler {
  step_size: number;
  gamma: number;

  constructor(optimizer: SchedulerTarget, step_size: number, opts?: SchedulerOptions & { gamma?: number }) {
    const o = checkOptions<SchedulerOptions & { gamma?: number }>('StepLR options', opts, ['gamma', 'last_epoch']);
    super(optimizer, o.last_epoch ?? -1);
    this.step_size = checkInt('step_size', step_size, 1);
    this.gamma = checkNumber('gamma', o.gamma ?? 0.1, { finite: true });
    this._initial_step();
  }

  get_lr(): number[] {
    const lrs = this._currentLrs();
    if (this.last_epoch === 0 || this.last_epoch % this.step_size !== 0) return lrs;
    return lrs.map((lr) => lr * this.gamma);
  }

  protected _hyperparameters(): Record<string, number> {
    return { step_size: this.step_size, gamma: this.gamma };
  }
  protected _loadHyperparameters(m: Map<unknown, unknown>): void {
    this.step_size = checkInt('state_dict.step_size', m.get('step_size'), 1);
    this.gamma = checkNumber('state_dict.gamma', m.get('gamma'), { finite: true });
  }
}

/** Cosine annealing from each base rate down to eta_min over T_max epochs (PyTorch's recursive form, without restarts). */
export class CosineAnnealingLR extends LRScheduler {
  T_max: number;
  eta_min: number;

  constructor(optimizer: SchedulerTarget, T_max: number, opts?: SchedulerOptions & { eta_min?: number }) {
    const o = checkOptions<SchedulerOptions & { eta_min?: number }>('CosineAnnealingLR options', opts, ['eta_min', 'last_epoch']);
    super(optimizer, o.last_epoch ?? -1);
    this.T_max = checkInt('T_max', T_max, 1);
    this.eta_min = checkNumber('eta_min', o.eta_min ?? 0, { finite: true });
    this._initial_step();
  }

  get_lr(): number[] {
    const lrs = this._currentLrs();
    const { T_max, eta_min, last_epoch: e } = this;
    if (e === 0) return lrs;
    if (this._step_count === 1 && e > 0) {
      return this.base_lrs.map((base) => eta_min + ((base - eta_min) * (1 + Math.cos((e * Math.PI) / T_max))) / 2);
    }
    if ((e - 1 - T_max) % (2 * T_max) === 0) {
      return lrs.map((lr, i) => lr + ((this.base_lrs[i]! - eta_min) * (1 - Math.cos(Math.PI / T_max))) / 2);
    }
    return lrs.map(
      (lr) => ((1 + Math.cos((Math.PI * e) / T_max)) / (1 + Math.cos((Math.PI * (e - 1)) / T_max))) * (lr - eta_min) + eta_min,
    );
  }

  protected _hyperparameters(): Record<string, number> {
    return { T_max: this.T_max, eta_min: this.eta_min };
  }
  protected _loadHyperparameters(m: Map<unknown, unknown>): void {
    this.T_max = checkInt('state_dict.T_max', m.get('T_max'), 1);
    this.eta_min = checkNumber('state_dict.eta_min', m.get('eta_min'), { finite: true });
  }
}
