// Tokenizers that turn raw typed text into the tokens a model was trained on, and ids.
import { RnnError } from './errors.js';

// Abbreviations whose period stays on the word in Penn-Treebank-style text (SST keeps "mr.").
const ABBREVIATIONS = new Set(['mr.', 'mrs.', 'ms.', 'dr.', 'st.', 'jr.', 'sr.', 'vs.', 'etc.', 'inc.', 'co.', 'prof.', 'gen.', 'lt.', 'sen.', 'rep.', 'gov.', 'no.']);

/**
 * Penn-Treebank-style tokens in lower case, as SST-2 (GLUE) is written: punctuation apart,
 * `doesn't` -> `does n't`, `can't` -> `ca n't`, `it's` -> `it 's`, double quotes as `` and '',
 * dashes as --, ellipses as ..., hyphenated words and abbreviations (mr.) kept whole.
 *
 * @example
 * tokenizeSst2("It's not bad at all!"); // ["it", "'s", "not", "bad", "at", "all", "!"]
 */
export function tokenizeSst2(text: string): string[] {
  let s = ` ${String(text).toLowerCase()} `;
  s = s.replace(/[\u2018\u2019\u02bc]/g, "'").replace(/[\u201c\u201d]/g, '"').replace(/\u2026/g, '...');
  s = s.replace(/[\u2013\u2014]/g, ' -- ').replace(/--+/g, ' -- ');
  // Double quotes: opening after a space or bracket, closing elsewhere.
  s = s.replace(/(^|[\s([{])"/g, '$1 `` ').replace(/"/g, " '' ");
  s = s.replace(/\.\.\.+/g, ' ... ');
  s = s.replace(/([,;:?!()[\]{}$&*%#@+=<>|\\/])/g, ' $1 ');
  // Single quotes that quote: ` at a word's start, ' at its end (before contractions are split,
  // which would put their apostrophes at a word's start).
  s = s.replace(/(\s)'(?=\w)/g, '$1` ').replace(/(\w)'(\s)/g, "$1 '$2");
  // Contractions: n't first (can't -> ca n't, won't -> wo n't), then 's 're 've 'll 'd 'm.
  // SST-2 writes cannot as two words, can not, as the Penn Treebank does.
  s = s.replace(/\bcannot\b/g, 'can not');
  s = s.replace(/\b(ca|wo)n't\b/g, "$1 n't").replace(/(\w)n't\b/g, "$1 n't");
  s = s.replace(/(\w)'(s|re|ve|ll|d|m)\b/g, "$1 '$2");
  const tokens: string[] = [];
  for (const raw of s.split(/\s+/)) {
    if (!raw) continue;
    // A final period comes off unless the word is an abbreviation or has inner periods (u.s.).
    if (raw.length > 1 && raw.endsWith('.') && /\w/.test(raw) && !ABBREVIATIONS.has(raw) && !/\.\w/.test(raw.slice(0, -1))) {
      tokens.push(raw.slice(0, -1), '.');
    } else {
      tokens.push(raw);
    }
  }
  return tokens;
}

/**
 * Words for the next-word model trained on raw English (State of the Union addresses): lower
 * case, words with inner apostrophes (`don't`), numbers (`1,000`, `3.5`) and . , ; : ? ! as
 * tokens; every other character is dropped. The same rule as training/train_language_model.py.
 *
 * @example
 * tokenizeWords("We don't stop, in 2021!"); // ["we", "don't", "stop", ",", "in", "2021", "!"]
 */
export function tokenizeWords(text: string): string[] {
  return String(text).toLowerCase().replace(/[\u2018\u2019]/g, "'").match(/[a-z]+(?:'[a-z]+)*|\d+(?:[.,]\d+)*|[.,;:?!]/g) ?? [];
}

/** A vocabulary as the training scripts write it (`*.vocab.json`). */
export interface VocabularyFile {
  tokens: string[];
  unkId: number;
  padId?: number;
  eosId?: number;
  tokenizer: string;
}

/**
 * Token <-> id, with unknown tokens mapped to `unkId`.
 *
 * @example
 * const vocab = new Vocabulary(JSON.parse(text)); const ids = vocab.encode(tokenizeSst2(input));
 */
export class Vocabulary {
  readonly tokens: readonly string[];
  readonly unkId: number;
  readonly padId: number | undefined;
  readonly eosId: number | undefined;
  readonly tokenizer: string;
  readonly #ids: Map<string, number>;

  constructor(file: VocabularyFile) {
    if (!file || !Array.isArray(file.tokens) || !Number.isInteger(file.unkId) || file.unkId < 0 || file.unkId >= file.tokens.length) {
      throw new RnnError('weights', 'Vocabulary: expected { tokens: string[], unkId, padId?, eosId?, tokenizer } with unkId a valid index');
    }
    this.tokens = file.tokens;
    this.unkId = file.unkId;
    this.padId = file.padId;
    this.eosId = file.eosId;
    this.tokenizer = file.tokenizer;
    this.#ids = new Map(file.tokens.map((t, i) => [t, i]));
  }

  get size(): number {
    return this.tokens.length;
  }

  id(token: string): number {
    return this.#ids.get(token) ?? this.unkId;
  }

  encode(tokens: readonly string[]): number[] {
    return tokens.map((t) => this.id(t));
  }

  decode(ids: ArrayLike<number>): string[] {
    return Array.from(ids, (i) => this.tokens[i] ?? '<unk>');
  }

  /** Ids never to offer as a next word: <unk>, padding, end of sequence. */
  get specialIds(): number[] {
    return [this.unkId, this.padId, this.eosId].filter((i): i is number => i !== undefined);
  }
}
