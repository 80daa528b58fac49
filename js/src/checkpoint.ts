// Checkpoints: a training run in one .safetensors file, the model's stateDict() under 'model.',
// the optimizer's state in PyTorch's layout under 'optimizer.', and the counters and the
// seeded generator in the metadata. rnn_wasm.checkpoint in Python reads and writes the same
// file, so a run moves between the browser and PyTorch in either direction.
import { RnnError } from './errors.js';
import type { Trainable } from './module.js';
import { checkFileFormat, modelFromState, type AnyModel } from './models/model-file.js';
import { Adam, AdamW, SGD, type Optimizer, type OptimizerStateDict } from './optim.js';
import { Random } from './random.js';
import { loadSafetensors, saveSafetensors } from './safetensors.js';
import { Tensor, preview, quote } from './tensor.js';

/** The checkpoint format this version writes and reads. */
export const CHECKPOINT_FORMAT_VERSION = 1;

const FORMAT = 'rnn-wasm-checkpoint';
const OPTIMIZERS = { SGD, Adam, AdamW } as const;
type OptimizerName = keyof typeof OPTIMIZERS;

/** A model that can be saved whole: its parameters and how to load them back. */
type Restorable = Trainable & { loadStateDict(dict: Record<string, Tensor>, options?: { strict?: boolean }): void };

/** What a checkpoint holds. */
export interface Checkpoint<M extends Trainable = AnyModel> {
  model: M;
  /** The optimizer, with its state (moments, momentum buffers, step counts) and hyperparameters. */
  optimizer?: Optimizer;
  /** Optimizer steps taken so far. */
  step: number;
  /** Epochs completed so far. */
  epoch: number;
  /** The seeded generator of the run (shuffling, dropout), at the moment of saving. */
  rng?: Random;
  /** Your own string entries saved with it (a vocabulary, a tokenizer's rules...). */
  metadata: Record<string, string>;
}

/** Metadata entries the format uses, which `metadata` may not set. */
const RESERVED = ['format', 'formatVersion', 'kind', 'config', 'step', 'epoch', 'rng', 'optimizer', 'optimizer.param_groups'];

function counter(value: unknown, name: string, owner: string): number {
  if (value === undefined) return 0;
  if (!(typeof value === 'number' && Number.isSafeInteger(value) && value >= 0)) {
    throw new RnnError('argument', `${owner}: ${name} must be a non-negative integer, got ${preview(value)}`);
  }
  return value;
}

function optimizerName(optimizer: Optimizer): OptimizerName {
  const name = optimizer.typeName as OptimizerName;
  if (!Object.hasOwn(OPTIMIZERS, name)) throw new RnnError('argument', `saveCheckpoint: optimizer ${preview(optimizer)} is not an optim.SGD, Adam or AdamW`);
  return name;
}

/**
 * Writes a training run as one `.safetensors` file: the model's `stateDict()` under `model.`,
 * the optimizer's state under `optimizer.` in PyTorch's layout (`optimizer.state.<i>.<name>`,
 * the hyperparameters as `param_groups` in the metadata), `step`, `epoch`, the generator's
 * state, and your own string `metadata`. PyTorch continues it with `rnn_wasm.load_checkpoint`.
 *
 * @example
 * const bytes = saveCheckpoint({ model, optimizer, step: 100, epoch: 1, rng });
 * const { model: resumed, optimizer: opt } = loadCheckpoint(bytes);
 */
export function saveCheckpoint(checkpoint: { model: Trainable; optimizer?: Optimizer; step?: number; epoch?: number; rng?: Random; metadata?: Record<string, string> }): Uint8Array {
  const owner = 'saveCheckpoint';
  if (checkpoint === null || typeof checkpoint !== 'object') throw new RnnError('argument', `${owner}: expected { model, optimizer?, step?, epoch?, rng?, metadata? }, got ${preview(checkpoint)}`);
  const { model, optimizer, rng } = checkpoint;
  if (model === null || typeof model !== 'object' || typeof (model as Partial<Trainable>).stateDict !== 'function') {
    throw new RnnError('argument', `${owner}: model must be a model or module, got ${preview(model)}`);
  }
  if (rng !== undefined && !(rng instanceof Random)) throw new RnnError('argument', `${owner}: rng must be a Random, got ${preview(rng)}`);
  const extra = checkpoint.metadata ?? {};
  if (extra === null || typeof extra !== 'object' || !Object.values(extra).every((v) => typeof v === 'string')) {
    throw new RnnError('argument', `${owner}: metadata must map names to strings, got ${preview(extra)}`);
  }
  const taken = Object.keys(extra).find((k) => RESERVED.includes(k));
  if (taken !== undefined) throw new RnnError('argument', `${owner}: metadata may not set ${quote(taken)}, which the format uses`);
  const metadata: Record<string, string> = {
    ...extra,
    format: FORMAT, formatVersion: String(CHECKPOINT_FORMAT_VERSION),
    step: String(counter(checkpoint.step, 'step', owner)), epoch: String(counter(checkpoint.epoch, 'epoch', owner)),
  };
  const described = model as Partial<{ kind: string; config: unknown }>;
  if (typeof described.kind === 'string' && described.config !== undefined) {
    metadata.kind = described.kind;
    metadata.config = JSON.stringify(described.config);
  }
  if (rng) metadata.rng = JSON.stringify({ algorithm: 'mulberry32', state: rng.state });
  const tensors: Record<string, Tensor> = {};
  for (const [name, tensor] of Object.entries(model.stateDict())) tensors[`model.${name}`] = tensor;
  if (optimizer !== undefined) {
    if (optimizer === null || typeof optimizer !== 'object' || typeof (optimizer as Partial<Optimizer>).stateDict !== 'function') {
      throw new RnnError('argument', `${owner}: optimizer must be an optim.SGD, Adam or AdamW, got ${preview(optimizer)}`);
    }
    if (optimizer.module !== model) throw new RnnError('argument', `${owner}: the optimizer updates another model than the one given`);
    metadata.optimizer = optimizerName(optimizer);
    const dict = optimizer.stateDict();
    metadata['optimizer.param_groups'] = JSON.stringify(dict.param_groups);
    for (const [i, entries] of Object.entries(dict.state)) {
      for (const [name, value] of Object.entries(entries)) {
        // PyTorch 1.13 keeps `step` as a 0-dimensional float32 tensor.
        tensors[`optimizer.state.${i}.${name}`] = typeof value === 'number' ? new Tensor([value], []) : value;
      }
    }
  }
  return saveSafetensors(tensors, metadata);
}

/**
 * Restores a checkpoint written by `saveCheckpoint` or `rnn_wasm.save_checkpoint`. Without
 * `into`, it builds the model (from the kind and config in the file) and the optimizer; with
 * `into.model` / `into.optimizer`, it loads into those (the optimizer must be of the saved
 * kind, with the same hyperparameters but `lr`). Everything is checked before anything changes:
 * a file that does not fit is RnnError 'weights'.
 *
 * @example
 * const { model, optimizer, step, epoch, rng } = loadCheckpoint(bytes);
 * loadCheckpoint(bytes, { model: myModel, optimizer: myOptimizer }); // into existing ones
 */
export function loadCheckpoint<M extends Trainable = AnyModel>(bytes: Uint8Array | ArrayBuffer, into: { model?: M; optimizer?: Optimizer } = {}): Checkpoint<M> {
  const owner = 'loadCheckpoint';
  const fail = (message: string): never => {
    throw new RnnError('weights', `${owner}: ${message}`);
  };
  const { tensors, metadata } = loadSafetensors(bytes);
  checkFileFormat(metadata, { format: FORMAT, version: CHECKPOINT_FORMAT_VERSION, what: 'checkpoint', writer: 'saveCheckpoint or rnn_wasm.save_checkpoint' }, owner);
  const count = (name: 'step' | 'epoch'): number => {
    const value = Number(metadata[name] ?? 0);
    if (!Number.isSafeInteger(value) || value < 0) fail(`metadata '${name}' is ${preview(metadata[name])}, not a non-negative integer`);
    return value;
  };
  const step = count('step'), epoch = count('epoch');
  const extra = Object.fromEntries(Object.entries(metadata).filter(([k]) => !RESERVED.includes(k)));
  const rng = metadata.rng === undefined ? undefined : randomOf(metadata.rng, fail);

  const weights: Record<string, Tensor> = {};
  const state: OptimizerStateDict['state'] = {};
  for (const [name, tensor] of Object.entries(tensors)) {
    if (name.startsWith('model.')) {
      weights[name.slice('model.'.length)] = tensor;
      continue;
    }
    const match = /^optimizer\.state\.(\d+)\.([A-Za-z_]+)$/.exec(name);
    if (!match) fail(`unexpected tensor ${quote(name)} (a checkpoint holds model.* and optimizer.state.<i>.<name>)`);
    const [, i, key] = match!;
    // Entries, then Object.fromEntries: '__proto__' stays a plain (and then refused) name.
    state[Number(i)] = Object.fromEntries([...Object.entries(state[Number(i)] ?? {}), [key, key === 'step' ? stepOf(tensor, name, fail) : tensor]]);
  }
  const saved = metadata.optimizer;
  if (saved !== undefined && !Object.hasOwn(OPTIMIZERS, saved)) fail(`unknown optimizer ${preview(saved)}; this version reads ${Object.keys(OPTIMIZERS).join(', ')}`);
  if (saved === undefined && Object.keys(state).length) fail("optimizer state without metadata 'optimizer'");
  let groups: Record<string, unknown>[] = [];
  if (saved !== undefined) {
    try {
      groups = JSON.parse(metadata['optimizer.param_groups'] ?? '');
    } catch {
      fail("metadata 'optimizer.param_groups' is not valid JSON");
    }
    if (!Array.isArray(groups) || groups.length !== 1 || groups[0] === null || typeof groups[0] !== 'object') {
      fail(`metadata 'optimizer.param_groups' must hold one parameter group, got ${preview(groups)}`);
    }
  }
  if (into.optimizer !== undefined) {
    if (saved === undefined) fail('the file holds no optimizer state to load into the given optimizer');
    if (into.optimizer.typeName !== saved) fail(`the file holds ${saved} state, the given optimizer is ${into.optimizer.typeName}`);
    if (into.model !== undefined && into.optimizer.module !== into.model) throw new RnnError('argument', `${owner}: the given optimizer updates another model than the given one`);
  }

  const model = (into.model ?? into.optimizer?.module ?? (metadata.kind === undefined
    ? fail("the file names no model kind (it was saved from a module); pass loadCheckpoint(bytes, { model })")
    : modelFromState(metadata.kind, metadata.config, weights, owner))) as M & Restorable;
  const built = into.model === undefined && into.optimizer === undefined;
  const before = built ? undefined : model.stateDict();
  try {
    if (!built) {
      if (typeof model.loadStateDict !== 'function') throw new RnnError('argument', `${owner}: the given model has no loadStateDict`);
      model.loadStateDict(weights, { strict: true });
    }
    if (saved === undefined) return { model, optimizer: into.optimizer, step, epoch, rng, metadata: extra };
    const optimizer = into.optimizer ?? makeOptimizer(saved as OptimizerName, model, groups[0], fail);
    try {
      optimizer.loadStateDict({ state, param_groups: groups });
    } catch (e) {
      if (optimizer !== into.optimizer) optimizer.dispose();
      throw e;
    }
    return { model, optimizer, step, epoch, rng, metadata: extra };
  } catch (e) {
    // Nothing changes on failure: a model built here is freed, a given one gets its weights back.
    if (built) (model as Partial<{ dispose(): void }>).dispose?.();
    else if (before) model.loadStateDict(before, { strict: true });
    throw e;
  }
}

function stepOf(tensor: Tensor, name: string, fail: (message: string) => never): number {
  if (tensor.size !== 1) fail(`${quote(name)} must hold one number, got shape [${tensor.shape.join(', ')}]`);
  return tensor.data[0];
}

function randomOf(text: string, fail: (message: string) => never): Random {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fail("metadata 'rng' is not valid JSON");
  }
  const { algorithm, state } = (parsed ?? {}) as { algorithm?: unknown; state?: unknown };
  if (algorithm !== 'mulberry32') fail(`metadata 'rng' has algorithm ${preview(algorithm)}, expected "mulberry32"`);
  const random = new Random(0);
  try {
    random.state = state as number;
  } catch (e) {
    return fail(`metadata 'rng': ${(e as Error).message}`);
  }
  return random;
}

/** A fresh optimizer of the saved kind with the saved hyperparameters (PyTorch's keys). */
function makeOptimizer(name: OptimizerName, model: Trainable, group: Record<string, unknown>, fail: (message: string) => never): Optimizer {
  const g = group as { lr?: number; momentum?: number; dampening?: number; weight_decay?: number; nesterov?: boolean; betas?: [number, number]; eps?: number; amsgrad?: boolean };
  try {
    if (name === 'SGD') return new SGD(model, { lr: g.lr as number, momentum: g.momentum, dampening: g.dampening, weightDecay: g.weight_decay, nesterov: g.nesterov });
    return new OPTIMIZERS[name](model, { lr: g.lr, betas: g.betas, eps: g.eps, weightDecay: g.weight_decay, amsgrad: g.amsgrad });
  } catch (e) {
    if (e instanceof RnnError && e.code === 'argument') return fail(`param_groups: ${e.message}`);
    throw e;
  }
}
