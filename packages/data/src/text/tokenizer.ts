/**
 * The text tower's tokenizer: bert-base-uncased WordPiece through @huggingface/tokenizers, with
 * the truncation, padding and attention mask the library leaves to us. Batches come out as the
 * text tower reads them: ids [B, T] u32 and key-padding mask [B, T] u32 (1 = token, 0 = pad).
 */
import { Tokenizer } from '@huggingface/tokenizers';
import { bertTokenizerJson } from './bert-vocab.ts';

export const DEFAULT_MAX_LENGTH = 256;

export interface TokenizerOptions {
  /** Tokens per text including [CLS] and [SEP] (default 256; DistilBERT's positions allow 512). */
  maxLength?: number;
}

export type Padding = 'max-length' | 'longest';

export interface EncodedText {
  /** [CLS] pieces... [SEP], truncated to maxLength. */
  ids: number[];
  /** Length before truncation (with [CLS] and [SEP]). */
  fullLength: number;
}

export interface TokenBatch {
  batch: number;
  /** T: maxLength with 'max-length' padding, else the longest text in the batch. */
  length: number;
  ids: Uint32Array;
  mask: Uint32Array;
}

export class ExifTokenizer {
  readonly maxLength: number;
  readonly clsId: number;
  readonly sepId: number;
  readonly padId: number;
  readonly vocabSize: number;
  private readonly tok: Tokenizer;

  constructor(options: TokenizerOptions = {}) {
    this.maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
    if (!Number.isInteger(this.maxLength) || this.maxLength < 2) throw new Error(`maxLength must be an integer >= 2, got ${this.maxLength}`);
    this.tok = new Tokenizer(bertTokenizerJson(), { do_lower_case: true, clean_up_tokenization_spaces: true });
    const need = (t: string) => {
      const id = this.tok.token_to_id(t);
      if (id === undefined) throw new Error(`vocabulary lacks ${t}`);
      return id;
    };
    this.clsId = need('[CLS]');
    this.sepId = need('[SEP]');
    this.padId = need('[PAD]');
    this.vocabSize = this.tok.get_vocab().size;
  }

  /** WordPiece tokens of a text, without special tokens (for inspection). */
  tokenize(text: string): string[] {
    return this.tok.tokenize(text, { add_special_tokens: false });
  }

  /** [CLS] text [SEP]; the text's pieces are cut so the whole fits maxLength (the [SEP] stays). */
  encode(text: string): EncodedText {
    const body = this.tok.encode(text, { add_special_tokens: false }).ids;
    const room = this.maxLength - 2;
    return { ids: [this.clsId, ...body.slice(0, room), this.sepId], fullLength: body.length + 2 };
  }

  encodeBatch(texts: readonly string[], padding: Padding = 'max-length'): TokenBatch {
    return this.packBatch(texts.map((t) => this.encode(t).ids), padding);
  }

  /** Pads already encoded texts (from `encode`) into a batch; lets callers cache encodings. */
  packBatch(enc: ReadonlyArray<readonly number[]>, padding: Padding = 'max-length'): TokenBatch {
    const length = padding === 'max-length' ? this.maxLength : Math.max(2, ...enc.map((e) => e.length));
    const ids = new Uint32Array(enc.length * length).fill(this.padId);
    const mask = new Uint32Array(enc.length * length);
    enc.forEach((e, b) => {
      ids.set(e, b * length);
      mask.fill(1, b * length, b * length + e.length);
    });
    return { batch: enc.length, length, ids, mask };
  }

  decode(ids: readonly number[]): string {
    return this.tok.decode([...ids], { skip_special_tokens: true });
  }
}
