// nn.Sequential and nn.ModuleList. Sequential: children registered as '0', '1', ... (or by the names given), so state dict keys
// read `0.weight` as in PyTorch; forward() feeds each child's output to the next.
import { checkInt, invalid } from '../torch/check.js';
import type { Tensor } from '../torch/tensor.js';
import { Module } from './module.js';

/** A module whose forward takes and returns one value (what Sequential chains). */
interface Chainable {
  forward(input: unknown): unknown;
}

export class Sequential extends Module {
  /** new Sequential(a, b, c), or new Sequential(new Map([['conv', a], ['relu', b]])) / ({conv: a, relu: b}). */
  constructor(...modules: Module[] | [Map<string, Module> | Record<string, Module>]) {
    super();
    const first: unknown = modules[0];
    if (modules.length === 1 && first !== null && typeof first === 'object' && !(first instanceof Module)) {
      const entries = first instanceof Map ? [...(first as Map<string, Module>)] : Object.entries(first as Record<string, Module>);
      for (const [name, m] of entries) {
        if (!(m instanceof Module)) throw invalid(`Sequential module '${name}'`, 'an nn.Module', m);
        this.register_module(name, m);
      }
    } else {
      modules.forEach((m, i) => {
        if (!(m instanceof Module)) throw invalid(`Sequential argument ${i}`, 'an nn.Module', m);
        this.register_module(String(i), m);
      });
    }
  }

  get length(): number {
    return [...this.children()].length;
  }

  /** The child at index i (negative counts from the end), as seq[i] in PyTorch. */
  at(index: number): Module {
    const list = [...this.children()];
    const i = checkInt('index', index, -list.length, list.length - 1);
    return list[i < 0 ? i + list.length : i]!;
  }

  /** Appends a module under the next index. */
  append(module: Module): this {
    if (!(module instanceof Module)) throw invalid('module', 'an nn.Module', module);
    this.register_module(String(this.length), module);
    return this;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.children();
  }

  forward(input: Tensor): Tensor {
    let x: unknown = input;
    for (const m of this.children()) x = (m as unknown as Chainable).forward(x);
    return x as Tensor;
  }
}

/**
 * nn.ModuleList: modules held in a list, registered as '0', '1', ... (so state dict keys read
 * `0.weight`). It has no forward of its own; index it with at(i) or iterate it.
 */
export class ModuleList extends Module {
  constructor(modules: Iterable<Module> = []) {
    super();
    this.extend(modules);
  }
  get length(): number {
    return [...this.children()].length;
  }
  /** The module at index i (negative counts from the end), as list[i] in PyTorch. */
  at(index: number): Module {
    const list = [...this.children()];
    const i = checkInt('index', index, -list.length, list.length - 1);
    return list[i < 0 ? i + list.length : i]!;
  }
  /** Replaces the module at index i (list[i] = module). */
  set(index: number, module: Module): void {
    const n = this.length;
    const i = checkInt('index', index, -n, n - 1);
    if (!(module instanceof Module)) throw invalid('module', 'an nn.Module', module);
    this.register_module(String(i < 0 ? i + n : i), module);
  }
  append(module: Module): this {
    if (!(module instanceof Module)) throw invalid('module', 'an nn.Module', module);
    this.register_module(String(this.length), module);
    return this;
  }
  extend(modules: Iterable<Module>): this {
    if (modules === null || typeof (modules as Iterable<Module>)[Symbol.iterator] !== 'function')
      throw invalid('modules', 'an iterable of nn.Module', modules);
    for (const m of modules) this.append(m);
    return this;
  }
  /** Inserts before index (as list.insert), renumbering the modules after it. */
  insert(index: number, module: Module): void {
    if (!(module instanceof Module)) throw invalid('module', 'an nn.Module', module);
    const list = [...this.children()];
    const n = list.length;
    let i = checkInt('index', index);
    i = i < 0 ? Math.max(0, i + n) : Math.min(i, n);
    list.splice(i, 0, module);
    list.forEach((m, k) => this.register_module(String(k), m));
  }
  [Symbol.iterator](): Iterator<Module> {
    return this.children();
  }
  forward(): never {
    throw new Error('ModuleList has no forward(); call its modules (list.at(i).forward(x), or iterate it)');
  }
}
