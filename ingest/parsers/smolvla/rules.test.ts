// The SmolVLA training frame's fast path (canonicalTrainingFrame, the format's fastFrame, reading the
// record's UTF-8 bytes) against the general path (recogniseTrainingFrame on the text the framer gives
// those bytes): wherever the fast path answers, it answers the same, and the text is not one that a
// format's split() would cut.
import { describe, expect, it } from 'vitest';
import { frameBytes } from '../../framing';
import { splitGluedRecord } from '../registry';
import { canonicalTrainingFrame, recognise, recogniseTrainingFrame } from './rules';

const encoder = new TextEncoder();

/** The fast path on a record's bytes, followed by a terminator as the framer's records are. */
function fast(text: string) {
  const bytes = encoder.encode(`${text}\r`);
  return canonicalTrainingFrame(bytes, 0, bytes.length - 1);
}

/** The fast path on raw bytes (no terminator after them: a record at the end of the input). */
function fastBytes(bytes: Uint8Array) {
  return canonicalTrainingFrame(bytes, 0, bytes.length);
}

/** The text the framer gives a record of these bytes (decoded, ANSI escapes stripped); null = no record. */
function framedText(bytes: Uint8Array): string | null {
  const records = frameBytes(bytes, { startOffset: 1 }).records;
  return records.length === 1 && records[0] ? records[0].text : null;
}

const FRAME = 'Training Epoch 3:  42%|████▏     | 210/500 [01:45<02:25,  1.99it/s, loss=0.0831, lr=9.87e-05, proc_ms=402.3]';

/** Inputs the fast path must take (the trainer's own frames and harmless variations of them). */
const FAST: string[] = [
  FRAME,
  'Training Epoch 1:   8%|▊         | 413/5000 [02:04<23:06, 3.31it/s, loss=0.8675, lr=4.13e-6, proc_ms=288.8]',
  'Training Epoch 12: 100%|##########| 5000/5000 [1:02:03<00:00, 1.34it/s, loss=0.0412, lr=1.00e-04, proc_ms=402.3]',
  'Training Epoch 2:   0%|          | 1/5000 [00:00<25:11, 3.31it/s, loss=0.8780, lr=1.00e-8, proc_ms=297.7]',
  'Training Epoch 2:  10%|█         | 500/5000 [04:10<?, ?it/s, loss=-0.5, lr=+1E+3, proc_ms=12]',
  'Training Epoch 2:  10%|█         | 500/5000 [04:10, 2.00s/it, loss=1., lr=0, proc_ms=007]',
  'Training Epoch 007:  10%|█         | 0500/5000 [04:10<01:00,  2.00it/s,   loss=0.5 , lr= 1e-5 ,proc_ms=3 ]',
  'Training Epoch 4:  10%|█         | 500/5000 [04:10<01:00, 2.00it/s, loss=0.5, lr=1e-5, proc_ms=3, grad=1.5, 中文=好]',
  'Training Epoch 4:  10%|█         | 500/5000 [04:10<01:00, 2.00it/s, loss=0.5, lr=1e-5, proc_ms=3\t \v]',
  'Training Epoch 3:  42%|████▏     | 210/500 [1234567890:45, 1.99it/s, loss=0.1, lr=1e-5, proc_ms=3]',
  'Training Epoch 3:  42%|████▏     | 210/500 [1::2, 1.99it/s, loss=0.1, lr=1e-5, proc_ms=3]',
  'Training Epoch 3:  42%|████▏     | 210/500 [1:, 1.99it/s, loss=0.1, lr=1e-5, proc_ms=3]',
  'Training Epoch 3:  42%|████▏     | 210/500 [1:45<2:25:01:00,  1.99it/s, loss=0.1, lr=1e-5, proc_ms=3]',
  // Epoch, n and total at their 15-digit limit (N is read in place, n/total/elapsed from one capture).
  'Training Epoch 123456789012345:  42%|████▏     | 210/500 [01:45, 1.99it/s, loss=0.1, lr=1e-5, proc_ms=3]',
  'Training Epoch 3:  42%|████▏     | 123456789012345/999999999999999 [99:59:59<?, 1.99it/s, loss=0.1, lr=1e-5, proc_ms=3]',
  'Training Epoch 0: 0%|| 0/0 [0:0, 0it/s, loss=0, lr=0, proc_ms=0]',
];

/** Inputs the fast path must leave to the general path (which may still recognise them). */
const SLOW: string[] = [
  'Training Epoch 1:   0%|          | 0/5000 [00:00<?,    ?it/s]',
  'Training Epoch 3:  42%|████▏     | 210/500 [01:45<02:25,  1.99it/s, loss=nan, lr=9.87e-05, proc_ms=402.3]',
  'Training Epoch 3:  42%|████▏     | 210/500 [01:45<02:25,  1.99it/s, loss=inf, lr=9.87e-05, proc_ms=402.3]',
  'Training Epoch 3:  42%|████▏     | 210/500 [01:45<02:25,  1.99it/s, loss=-inf, lr=9.87e-05, proc_ms=402.3]',
  'Training Epoch 3:  42%|████▏     | 210/500 [01:45<02:25,  1.99it/s, lr=9.87e-05, loss=0.0831, proc_ms=402.3]',
  'Training Epoch 3:  42%|████▏     | 210/500 [01:45<02:25,  1.99it/s, loss=0.0831, lr=9.87e-05]',
  'Training Epoch 3:  42%|████▏     | 210/500 [01:45<02:25,  1.99it/s, loss=1234567890.1234567, lr=9.87e-05, proc_ms=1]',
  'Training Epoch 3:  42%|████▏     | 210/500 [01:45<02:25,  1.99it/s, loss=1e-400, lr=9.87e-05, proc_ms=1]',
  'Training Epoch 3:  42%|████▏     | 210/500 [01:45<02:25,  1.99it/s, loss=0.1, lr=1e-5, proc_ms=\t3]',
  'Training Epoch 3:  42%|████▏     | 210/500 [01:45<02:25,  1.99it/s, loss=0.1, lr=1e-5, proc_ms=3] ',
  'Training Epoch 3:  42%|████▏     | 210/500 [01:45<02:25,  1.99it/s, loss=0.1, lr=1e-5, proc_ms=3',
  'Training Epoch 3:  42%|████▏     | 210/500 [:45<02:25,  1.99it/s, loss=0.1, lr=1e-5, proc_ms=3]',
  'Training Epoch 3:  42%|████▏     | 1234567890123456/500 [01:45, 1.99it/s, loss=0.1, lr=1e-5, proc_ms=3]',
  'Training Epoch 3:  42%|████▏     | 210/1234567890123456 [01:45, 1.99it/s, loss=0.1, lr=1e-5, proc_ms=3]',
  'Training Epoch 1234567890123456:  42%|████▏     | 210/500 [01:45, 1.99it/s, loss=0.1, lr=1e-5, proc_ms=3]',
  'Training Epoch 3:  42%|████▏     | 210 / 500 [01:45, 1.99it/s, loss=0.1, lr=1e-5, proc_ms=3]',
  'Training Epoch 3 (resumed):  42%|████▏     | 210/500 [01:45, 1.99it/s, loss=0.1, lr=1e-5, proc_ms=3]',
  'Training Epoch  3:  42%|████▏     | 210/500 [01:45, 1.99it/s, loss=0.1, lr=1e-5, proc_ms=3]',
  'Training Epoch 3:  42%|████▏ | x | 210/500 [01:45, 1.99it/s, loss=0.1, lr=1e-5, proc_ms=3]',
  'Training Epoch 3: 37it [00:15,  2.30it/s, loss=0.1, lr=1e-5, proc_ms=3]',
  'Training Epoch 3:  42%|████▏     | 210/500 [01:45, 1.99it/s, loss=0.1, lr=1e-5, proc_ms=3, at=x.py:12]',
  'Training Epoch 3:  42%|████▏     | 210/500 [01:45, 1.99it/s, loss=0.1, lr=1e-5, proc_ms=3]INFO 2025-01-01 00:00:00 ot_train.py:12 step:1]',
  'Training Epoch 3:  42%|████▏     | 210/500 [01:45, 1.99it/s, loss=0.1, lr=1e-5, proc_ms=3]Traceback (most recent call last):]',
  'Training Epoch 3:  42%|████▏     | 210/500 [01:45<02:25Traceback (most recent call last):, 1.99it/s, loss=0.1, lr=1e-5, proc_ms=3]',
  'Training Epoch 3:  42%|████▏  INFO 2025-01-01 00:00:00 ot_train.py:12 x| 210/500 [01:45, 1.99it/s, loss=0.1, lr=1e-5, proc_ms=3]',
  // A frame glued after a print (no `\r` between), and a print glued after a frame.
  '✅ Dataset stats padded successfullyTraining Epoch 3:  42%|█| 210/500 [01:45, 1.99it/s, loss=0.1, lr=1e-5, proc_ms=3]',
  'Training Epoch 3:  42%|█| 210/500 [01:45, 1.99it/s, loss=0.1, lr=1e-5, proc_ms=3]Epoch 3 Average Loss: 0.1',
  // Cut by a flush (partial UTF-8 decodes to U+FFFD), CJK text, nothing at all.
  'Training Epoch 3:  42%|█\uFFFD     | 210/500 [01:45, 1.99it/s, loss=0.1, lr=1e-5, proc_ms=3',
  'Training Epoch 3:  42%|████▏     | 210/5',
  '训练 Epoch 3:  42%|████▏     | 210/500 [01:45, 1.99it/s, loss=0.1, lr=1e-5, proc_ms=3]',
  'Training Epoch ',
  '',
];

/** Taken by the general path but left by the bytes path, which reads `\s` as ASCII whitespace only. */
const LEFT_TO_GENERAL = [
  'Training Epoch 4:  10%|█         | 500/5000 [04:10<01:00, 2.00it/s, loss=0.5, lr=1e-5, proc_ms=3\t\u00a0]',
  'Training Epoch 4:  10%|█         | 500/5000 [04:10<01:00, 2.00it/s,\u3000loss=0.5, lr=1e-5, proc_ms=3]',
  // Escapes: the framer strips them from the text, which the bytes path never sees.
  'Training Epoch 4:  10%|\x1b[32m█\x1b[0m         | 500/5000 [04:10<01:00, 2.00it/s, loss=0.5, lr=1e-5, proc_ms=3]',
  'Training Epoch 4:  10%|█         | 500/5000 [04:10<01:00, 2.00it/s\x1b, loss=0.5, lr=1e-5, proc_ms=3]',
];

describe('canonicalTrainingFrame (the fast path, on bytes)', () => {
  it.each(FAST)('takes %s and agrees with the general path', (text) => {
    const line = fast(text);
    expect(line).not.toBeNull();
    expect(line).toEqual(recogniseTrainingFrame(text));
    expect(recognise(text)).toEqual(recogniseTrainingFrame(text));
    expect(splitGluedRecord(text)).toBeNull();
    // The same at the end of the input (nothing after the record's bytes).
    expect(fastBytes(encoder.encode(text))).toEqual(line);
  });

  it.each(SLOW)('leaves %s to the general path', (text) => {
    expect(fast(text)).toBeNull();
    expect(fastBytes(encoder.encode(text))).toBeNull();
  });

  it.each(LEFT_TO_GENERAL)('leaves %j to the general path, which reads it', (text) => {
    expect(fast(text)).toBeNull();
    const framed = framedText(encoder.encode(text));
    expect(framed === null ? null : recognise(framed)).toMatchObject({ k: 'frame' });
  });

  it('reads a record inside a larger buffer only up to its end', () => {
    const frame = encoder.encode(FAST[0]);
    const bytes = new Uint8Array(frame.length + 20);
    bytes.set(frame, 5);
    bytes.set(encoder.encode('\r12, x=1]'), 5 + frame.length);
    expect(canonicalTrainingFrame(bytes, 5, 5 + frame.length)).toEqual(recogniseTrainingFrame(FAST[0] as string));
    // Cut one byte short, the record no longer ends with `]`.
    expect(canonicalTrainingFrame(bytes, 5, 4 + frame.length)).toBeNull();
  });

  it('agrees with the general path on every mutation of real frames (deleted, doubled, replaced characters and bytes)', () => {
    const inserts = [
      ' ',
      ',',
      ':',
      '|',
      '<',
      '[',
      ']',
      '.',
      'e',
      '-',
      '0',
      '9',
      '\t',
      '\v',
      '█',
      'y',
      ')',
      'p',
      '\u00a0',
      '\x1b',
      '\u009b',
      '好',
    ];
    const byteInserts = [0x1b, 0x9b, 0xc2, 0xe2, 0x80, 0xff, 0x0c];
    let taken = 0;
    let compared = 0;
    const check = (bytes: Uint8Array) => {
      const line = fastBytes(bytes);
      if (line === null) return;
      taken++;
      // Exactly what the framer's text gives on the general path (which never saw the bytes).
      const text = framedText(bytes);
      expect(text, Buffer.from(bytes).toString('latin1')).not.toBeNull();
      expect(line, text ?? '').toEqual(recognise(text as string));
      expect(splitGluedRecord(text as string), text ?? '').toBeNull();
      compared++;
    };
    for (const base of FAST) {
      for (let at = 0; at < base.length; at++) {
        const variants = [base.slice(0, at) + base.slice(at + 1), base.slice(0, at) + base[at] + base.slice(at)];
        for (const c of inserts) variants.push(base.slice(0, at) + c + base.slice(at + 1), base.slice(0, at) + c + base.slice(at));
        for (const text of variants) check(encoder.encode(text));
      }
      const bytes = encoder.encode(base);
      for (let at = 0; at < bytes.length; at++) {
        for (const b of byteInserts) {
          const replaced = bytes.slice();
          replaced[at] = b;
          check(replaced);
          const inserted = new Uint8Array(bytes.length + 1);
          inserted.set(bytes.subarray(0, at));
          inserted[at] = b;
          inserted.set(bytes.subarray(at), at + 1);
          check(inserted);
        }
      }
    }
    expect(taken).toBeGreaterThan(1000);
    expect(compared).toBe(taken);
  });
});
