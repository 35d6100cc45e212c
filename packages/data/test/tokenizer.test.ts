import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { bertTokenizerJson, bertVocab, bertVocabTxt } from '../src/text/bert-vocab.ts';
import { ExifTokenizer } from '../src/text/tokenizer.ts';

describe('bert-base-uncased vocabulary', () => {
  it('rebuilds vocab.txt byte for byte (md5 64800d5d8528ce344256daf115d4965e)', () => {
    expect(bertVocab().length).toBe(30522);
    expect(createHash('md5').update(bertVocabTxt(), 'utf8').digest('hex')).toBe('64800d5d8528ce344256daf115d4965e');
    const json = bertTokenizerJson() as { model: { vocab: Record<string, number> } };
    expect(json.model.vocab['[CLS]']).toBe(101);
  });
});

describe('ExifTokenizer', () => {
  const tok = new ExifTokenizer({ maxLength: 8 });

  it('gives the ids bert-base-uncased gives (lower-cased WordPiece)', () => {
    expect(new ExifTokenizer().encode('Hello, world!').ids).toEqual([101, 7592, 1010, 2088, 999, 102]);
    expect(tok.tokenize('unaffable')).toEqual(['una', '##ffa', '##ble']); // what bert-base-uncased gives
    expect(tok.tokenize('Exposure Time: 1/500')).toEqual(['exposure', 'time', ':', '1', '/', '500']);
  });

  it('truncates keeping [SEP], reports the full length', () => {
    const e = tok.encode('Make: Canon, Model: Canon EOS 40D, Flash: Fired');
    expect(e.ids.length).toBe(8);
    expect(e.ids[0]).toBe(101);
    expect(e.ids[7]).toBe(102);
    expect(e.fullLength).toBeGreaterThan(8);
    expect(tok.decode(e.ids)).toBe('make : canon, model :');
  });

  it('batches into [B, T] u32 ids and mask, padding to max length or to the longest', () => {
    const b = tok.encodeBatch(['Make: Canon', 'a b c d e f g h i j', '']);
    expect([b.batch, b.length]).toEqual([3, 8]);
    expect(Array.from(b.ids.subarray(0, 8))).toEqual([101, 2191, 1024, 9330, 102, 0, 0, 0]);
    expect(Array.from(b.mask.subarray(0, 8))).toEqual([1, 1, 1, 1, 1, 0, 0, 0]);
    expect(Array.from(b.mask.subarray(8, 16))).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    expect(Array.from(b.ids.subarray(16, 24))).toEqual([101, 102, 0, 0, 0, 0, 0, 0]);
    const l = tok.encodeBatch(['Make: Canon', ''], 'longest');
    expect(l.length).toBe(5);
    expect(l.ids).toBeInstanceOf(Uint32Array);
    expect(Array.from(l.mask)).toEqual([1, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
  });
});
