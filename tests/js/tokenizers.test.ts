// Raw typed text to exactly the tokens SST-2 was written in.
import { Vocabulary, tokenizeSst2, tokenizeWords } from 'rnn-wasm';

test.each([
  ["It's a charming and often affecting journey.", "it 's a charming and often affecting journey ."],
  ["This movie doesn't work, and I can't say I won't forget it!", "this movie does n't work , and i ca n't say i wo n't forget it !"],
  ['Not bad at all...', 'not bad at all ...'],
  ['I cannot recommend it. Cannoteers', 'i can not recommend it . cannoteers'],
  ['"A masterpiece," he said -- or did he?', "`` a masterpiece , '' he said -- or did he ?"],
  ['Mr. Smith\u2019s film \u2014 a self-indulgent mess (sort of).', "mr. smith 's film -- a self-indulgent mess ( sort of ) ."],
  ["We're sure you'll love it; I'd say they've done well, I'm told.", "we 're sure you 'll love it ; i 'd say they 've done well , i 'm told ."],
  ['A $5 B-movie & a U.S. remake', 'a $ 5 b-movie & a u.s. remake'],
  ['  spaces   everywhere  ', 'spaces everywhere'],
])('%s', (raw, tokens) => {
  expect(tokenizeSst2(raw).join(' ')).toBe(tokens);
});

test('a vocabulary maps unknown tokens to unkId and lists special ids', () => {
  const vocab = new Vocabulary({ tokens: ['<pad>', '<unk>', 'good', 'not'], unkId: 1, padId: 0, tokenizer: 'sst2' });
  expect(vocab.encode(tokenizeSst2('Not good, zorblax'))).toEqual([3, 2, 1, 1]);
  expect(vocab.decode([3, 2])).toEqual(['not', 'good']);
  expect(vocab.specialIds).toEqual([1, 0]);
});

test.each([
  ["We don't stop, in 2021!", "we don't stop , in 2021 !"],
  ['Fellow-Citizens of the Senate: $1,000.50 (roughly) “quoted” — Americans’ hopes.', "fellow citizens of the senate : 1,000.50 roughly quoted americans hopes ."],
  ['', ''],
])('words: %s', (raw, tokens) => {
  expect(tokenizeWords(raw).join(' ')).toBe(tokens);
});
