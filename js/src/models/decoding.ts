// Choosing tokens from logits: sampling (temperature, top-k, top-p, seeded) for LanguageModel,
// and greedy or beam-search decoding for Seq2Seq and SequenceGenerator, with their options.
import { softmax } from '../activations.js';
import type { Embedding } from '../embedding.js';
import { RnnError } from '../errors.js';
import type { Linear } from '../linear.js';
import { Random } from '../random.js';
import type { RecurrentState } from '../recurrent.js';
import { Tensor } from '../tensor.js';
import type { RecurrentLayer } from './model.js';

export interface SampleOptions {
  /** Divides the logits; below 1 sharper, above 1 flatter; 0 picks the most likely token. Default 1. */
  temperature?: number;
  /** Sample among the k most likely tokens only (0: all). */
  topK?: number;
  /** Sample among the smallest set of tokens whose probabilities reach topP (1: all). */
  topP?: number;
  /** Seed for a reproducible draw; without it, Math.random. */
  seed?: number;
  /** Token ids never to pick (e.g. <unk>, padding). */
  exclude?: ArrayLike<number>;
}

export interface GenerateOptions extends SampleOptions {
  /** Tokens to generate at most. Default 20. */
  maxTokens?: number;
  /** Stop after generating one of these (it is included in the result). */
  stopIds?: ArrayLike<number>;
}

export function probabilitiesOf(logits: Float32Array, temperature: number): Float32Array {
  const scaled = temperature === 1 ? logits : logits.map((v) => v / temperature);
  return softmax(new Tensor(scaled, [scaled.length])).data;
}

/** Token ids by decreasing probability (ties: lower id first). */
export function rank(p: Float32Array): number[] {
  return Array.from(p.keys()).sort((a, b) => p[b] - p[a] || a - b);
}

export function sampleFrom(logits: Float32Array, options: SampleOptions, random: () => number): number {
  const { temperature = 1, topK = 0, topP = 1 } = options;
  if (!(temperature >= 0)) throw new RnnError('argument', `sample: temperature must be >= 0, got ${temperature}`);
  if (!(topP > 0 && topP <= 1)) throw new RnnError('argument', `sample: topP must be in (0, 1], got ${topP}`);
  const excluded = new Set(Array.from(options.exclude ?? []));
  let ids = rank(probabilitiesOf(logits, 1)).filter((id) => !excluded.has(id));
  if (ids.length === 0) throw new RnnError('argument', 'sample: every token is excluded');
  if (temperature === 0) return ids[0];
  const p = probabilitiesOf(logits, temperature);
  if (topK > 0) ids = ids.slice(0, topK);
  if (topP < 1) {
    let mass = 0;
    const total = ids.reduce((s, id) => s + p[id], 0);
    const kept: number[] = [];
    for (const id of ids) {
      kept.push(id);
      mass += p[id] / total;
      if (mass >= topP) break;
    }
    ids = kept;
  }
  const total = ids.reduce((s, id) => s + p[id], 0);
  let r = random() * total;
  for (const id of ids) {
    r -= p[id];
    if (r < 0) return id;
  }
  return ids[ids.length - 1];
}

/** A draw in [0, 1): seeded (`Random`) when a seed is given, else Math.random. */
export function makeRandom(seed: number | undefined): () => number {
  if (seed === undefined) return Math.random;
  const random = new Random(seed >>> 0);
  return () => random.next();
}

export interface DecodeOptions {
  /** Tokens to produce at most. Default 50. */
  maxLen?: number;
  /** The token the decoder starts from. */
  bosId: number;
  /** The token that ends a hypothesis (included in the result when produced). */
  eosId: number;
  /** 1: greedy. Default 1. */
  beamSize?: number;
  /** Hypotheses are ranked by logp / length^lengthPenalty. Default 1 (mean log-probability). */
  lengthPenalty?: number;
}

export interface Decoded {
  /** Token ids without bosId; eosId last when it was produced. */
  ids: number[];
  /** logp / length^lengthPenalty of this hypothesis (natural log). */
  score: number;
}

export interface Decoder {
  embedding: Embedding;
  rnn: RecurrentLayer;
  output: Linear;
}

function logSoftmax(logits: Float32Array): Float64Array {
  let max = -Infinity;
  for (const v of logits) max = Math.max(max, v);
  let sum = 0;
  for (const v of logits) sum += Math.exp(v - max);
  const log = max + Math.log(sum);
  return Float64Array.from(logits, (v) => v - log);
}

/**
 * Greedy and beam search, the same algorithm as `decode` in python/rnn_wasm/models.py: each step
 * expands every beam by its beamSize most likely tokens (ties: lower id); candidates ranked by
 * summed log-probability are taken in order, those ending in eosId as finished, the rest live,
 * until beamSize live. It stops after maxLen steps, when no beam lives, or when beamSize have
 * finished; the best finished (else live) hypothesis by logp / length^lengthPenalty wins.
 * `initial` is not changed.
 */
export function decode(decoder: Decoder, initial: RecurrentState, options: DecodeOptions, where: string): Decoded {
  const { maxLen = 50, beamSize = 1, lengthPenalty = 1, bosId, eosId } = options ?? ({} as DecodeOptions);
  if (!Number.isInteger(beamSize) || beamSize < 1) throw new RnnError('argument', `${where}: beamSize must be a positive integer, got ${beamSize}`);
  if (!Number.isInteger(maxLen) || maxLen < 1) throw new RnnError('argument', `${where}: maxLen must be a positive integer, got ${maxLen}`);
  for (const [name, id] of [['bosId', bosId], ['eosId', eosId]] as const) {
    if (!Number.isInteger(id) || id < 0 || id >= decoder.output.outFeatures) {
      throw new RnnError('argument', `${where}: ${name} must be a token id in [0, ${decoder.output.outFeatures}), got ${id}`);
    }
  }
  type Hypothesis = { ids: number[]; logp: number; state: RecurrentState };
  let beams: Hypothesis[] = [{ ids: [], logp: 0, state: initial.clone() }];
  const finished: Omit<Hypothesis, 'state'>[] = [];
  try {
    for (let step = 0; step < maxLen; step++) {
      const candidates: { ids: number[]; logp: number; parent: Hypothesis }[] = [];
      for (const beam of beams) {
        const x = decoder.embedding.forward([beam.ids.length ? beam.ids[beam.ids.length - 1] : bosId]);
        const logprobs = logSoftmax(decoder.output.forward(decoder.rnn.step(x, beam.state)).data);
        const order = Array.from(logprobs.keys()).sort((a, b) => logprobs[b] - logprobs[a] || a - b).slice(0, beamSize);
        for (const t of order) candidates.push({ ids: [...beam.ids, t], logp: beam.logp + logprobs[t], parent: beam });
      }
      candidates.sort((a, b) => b.logp - a.logp); // stable: equal scores keep expansion order
      const live: Hypothesis[] = [];
      for (const c of candidates) {
        if (live.length === beamSize) break;
        if (c.ids[c.ids.length - 1] === eosId) finished.push(c);
        else live.push({ ids: c.ids, logp: c.logp, state: c.parent.state.clone() });
      }
      for (const beam of beams) beam.state.dispose();
      beams = live;
      if (beams.length === 0 || finished.length >= beamSize) break;
    }
    const pool = finished.length ? finished : beams;
    const scored = pool.map((h) => ({ ids: h.ids, score: h.logp / h.ids.length ** lengthPenalty }));
    return scored.reduce((best, h) => (h.score > best.score ? h : best));
  } finally {
    for (const beam of beams) beam.state.dispose();
  }
}
