// Checking a model's config: each option of its kind (size, boolean, one of some names...),
// unknown options refused, then the defaults filled in.
import { RnnError } from '../errors.js';
import { preview } from '../tensor.js';

// What each option of a model's config must be. Configs come from files (loadModel) as well as
// callers, so every option is checked before anything is allocated: a wrong type or size is
// RnnError 'argument' naming it (loadModel makes it 'weights'), never a TypeError or a NaN.
type OptionKind = 'size' | 'sizes' | 'boolean' | 'index' | 'list' | readonly string[];

const MAX_SIZE = 2 ** 31 - 1; // as cpp/tensor/shape.h's check_size
const isSize = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= MAX_SIZE;
export const CELLS = ['rnn', 'gru', 'lstm'] as const;
export const ACTIVATION_NAMES = ['relu', 'tanh', 'sigmoid'] as const;

function expectation(kind: OptionKind): string {
  if (kind === 'size') return 'a positive integer';
  if (kind === 'sizes') return 'an array of positive integers';
  if (kind === 'boolean') return 'true or false';
  if (kind === 'index') return 'an integer or null';
  if (kind === 'list') return 'an array';
  return kind.map((k) => `'${k}'`).join(', ').replace(/, ([^,]*)$/, ' or $1');
}

function isKind(kind: OptionKind, value: unknown): boolean {
  if (kind === 'size') return isSize(value);
  if (kind === 'sizes') return Array.isArray(value) && value.every(isSize);
  if (kind === 'boolean') return typeof value === 'boolean';
  if (kind === 'index') return value === null || (Number.isInteger(value) && Math.abs(value as number) <= MAX_SIZE);
  if (kind === 'list') return Array.isArray(value);
  return kind.includes(value as string);
}

/** Throws RnnError 'argument' unless `config` is an object of the known options, each of its kind. */
export function checkOptions(owner: string, config: unknown, required: Record<string, OptionKind>, optional: Record<string, OptionKind> = {}): void {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new RnnError('argument', `${owner}: the config must be an object, got ${preview(config)}`);
  }
  for (const [key, kind] of Object.entries(required)) {
    if ((config as Record<string, unknown>)[key] === undefined) throw new RnnError('argument', `${owner}: the config needs '${key}' (${expectation(kind)})`);
  }
  for (const [key, value] of Object.entries(config)) {
    const kind = Object.hasOwn(required, key) ? required[key] : Object.hasOwn(optional, key) ? optional[key] : undefined;
    if (kind === undefined) {
      throw new RnnError('argument', `${owner}: unknown option ${preview(key)}; the options are ${[...Object.keys(required), ...Object.keys(optional)].join(', ')}`);
    }
    if (value !== undefined && !isKind(kind, value)) throw new RnnError('argument', `${owner}: ${key} must be ${expectation(kind)}, got ${preview(value)}`);
  }
}

/** The defaults, overridden by the options given (an option set to undefined keeps its default). */
export function withDefaults<T extends object>(defaults: Partial<T>, config: T): Required<T> {
  return { ...defaults, ...Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined)) } as Required<T>;
}
