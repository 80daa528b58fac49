// One fit run on a model in this thread, as the calling thread and the worker both drive it:
// the task and loop set up from fit's options, a stop flag, and checkpoints of where it is.
import { saveCheckpoint } from '../checkpoint.js';
import type { AnyModel } from '../models/model-file.js';
import { Adam, AdamW, SGD, type AdamOptions, type Optimizer, type SGDOptions } from '../optim.js';
import { Random } from '../random.js';
import { trainLoop, type FitProgress, type FitResult } from './loop.js';
import type { OptimizerSpec, RunSpec } from './protocol.js';
import { makeTask } from './tasks.js';

/** The optimizer a spec describes, on `model`, without state (its options are checked here). */
export function makeOptimizer(model: AnyModel, spec: OptimizerSpec): Optimizer {
  const Kind = { SGD, Adam, AdamW }[spec.name];
  return new Kind(model, spec.options as unknown as SGDOptions & AdamOptions);
}

export class Run {
  #stopping = false;
  readonly #rng: Random;
  #step = 0;
  #epoch = 0;

  constructor(readonly model: AnyModel, readonly optimizer: Optimizer, readonly spec: RunSpec) {
    this.#rng = new Random(spec.seed);
  }

  /** Trains; `batches` supplies the caller's batches when the spec says they are streamed. */
  async train(progress: (p: FitProgress) => void, batches?: () => AsyncIterator<unknown>): Promise<FitResult> {
    const s = this.spec;
    const task = makeTask(this.model, s.streamed ? undefined : s.data, s.validation, { batchSize: s.batchSize, bptt: s.bptt });
    const result = await trainLoop(this.model, this.optimizer, task, { epochs: s.epochs, clipGradNorm: s.clipGradNorm, rng: s.shuffle ? this.#rng : null, batches }, {
      progress: (p) => {
        if (p.epochEnd) this.#epoch = p.epoch + 1;
        progress(p);
      },
      stopping: () => this.#stopping,
      stepped: (step) => (this.#step = step),
    });
    this.#step = result.steps;
    this.#epoch = result.epochs;
    return result;
  }

  stop(): void {
    this.#stopping = true;
  }

  /** A checkpoint of the run as it stands (between two steps). */
  checkpoint(): Uint8Array {
    return saveCheckpoint({ model: this.model, optimizer: this.optimizer, step: this.#step, epoch: this.#epoch, rng: this.#rng });
  }
}
