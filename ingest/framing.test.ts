// The framer: terminators, line numbers, offsets, ANSI, UTF-8 across chunks, the record cap, restarts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type FramedRecord, Framer, frameBytes, stripAnsi, type LogRecord } from './framing';

const encode = (text: string) => new TextEncoder().encode(text);
const texts = (records: LogRecord[]) => records.map((r) => r.text);

describe('Framer', () => {
  it('splits on \\n, bare \\r and \\r\\n and drops whitespace-only records', () => {
    const { records } = frameBytes(encode('a\nb\r\nc\rd\r   \re\n\n'));
    expect(texts(records)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(records.map((r) => r.line)).toEqual([1, 2, 3, 3, 3]);
  });

  it('says which records a lone \\r ended (a redraw, or a print cut by a flush), the same at every pair of split points', () => {
    const input = encode('frame 1\rcut pri\rframe 2\rnt\nwin\r\n\rframe 3\r\r   \rlast\r');
    const whole = frameBytes(input).records;
    expect(whole.map((r) => [r.text, r.cr === true])).toEqual([
      ['frame 1', true],
      ['cut pri', true],
      ['frame 2', true],
      ['nt', false],
      ['win', false],
      ['frame 3', true],
      ['last', true],
    ]);
    for (let a = 0; a <= input.length; a++) {
      for (let b = a; b <= input.length; b++) {
        const framer = new Framer();
        const records = [a, b, input.length].flatMap((end, i) => framer.push(input.subarray([0, a, b][i], end)).records);
        expect([...records, ...framer.end().records]).toEqual(whole);
      }
    }
  });

  it('keeps nothing of a pushed chunk: a caller that reuses its read buffer (the tailer) gets the same records', () => {
    const input = Buffer.from(
      'Training Epoch 1:  42%|████▏     | 210/500 [01:45<02:25,  1.99it/s, loss=0.0831, lr=9.87e-05, proc_ms=402.3]\r策略 ok\n\x1b[32mgreen\x1b[0m\r\nlast',
    );
    const whole = frameBytes(input).records;
    for (const size of [1, 2, 3, 5, 8, 13, 64]) {
      for (const each of [false, true]) {
        const framer = new Framer();
        const records: LogRecord[] = [];
        const buffer = Buffer.alloc(size);
        for (let at = 0; at < input.length; at += size) {
          const n = input.copy(buffer, 0, at, Math.min(at + size, input.length));
          if (each) framer.pushEach(buffer.subarray(0, n), (record) => records.push(record.toRecord()));
          else records.push(...framer.push(buffer.subarray(0, n)).records);
          buffer.fill(0x41); // the next read overwrites it
        }
        records.push(...framer.end().records);
        expect(records, `chunks of ${size}`).toEqual(whole);
      }
    }
  });

  it('holds a chunk-final \\r until the next byte: nothing past it is committed yet', () => {
    const framer = new Framer();
    expect(framer.push(encode('a\nwin\r')).records.map((r) => r.text)).toEqual(['a']);
    expect(framer.committedOffset).toBe(2);
    expect(framer.push(encode('\nb')).records).toEqual([{ text: 'win', line: 2, offset: 2, endOffset: 5 }]);
    expect(framer.committedOffset).toBe(7);
    expect(framer.committedLine).toBe(3);
  });

  it('reports byte offsets of the first byte and of the terminator', () => {
    const { records } = frameBytes(encode('é1\n\rxy'));
    expect(records).toEqual([
      { text: 'é1', line: 1, offset: 0, endOffset: 3 },
      { text: 'xy', line: 2, offset: 5, endOffset: 7 },
    ]);
  });

  it('keeps tqdm frames and the print glued after them apart (§0.2)', () => {
    const raw =
      '\rTraining Epoch 1: 100%|██████████| 2/2 [00:01<00:00,  1.99it/s, loss=0.1]\r' + ' '.repeat(40) + '\rEpoch 1 Average Loss: 0.1000\n';
    expect(texts(frameBytes(encode(raw)).records)).toEqual([
      'Training Epoch 1: 100%|██████████| 2/2 [00:01<00:00,  1.99it/s, loss=0.1]',
      'Epoch 1 Average Loss: 0.1000',
    ]);
  });

  it('strips CSI, OSC and lone escape sequences', () => {
    expect(stripAnsi('\x1b[1m\x1b[33mOutput dir:\x1b[0m x')).toBe('Output dir: x');
    expect(stripAnsi('\x1b]0;title\x07a\x1b]8;;http://x\x1b\\b')).toBe('ab');
    expect(stripAnsi('a\x1b(Bb\x1b')).toBe('ab');
    expect(texts(frameBytes(encode('\x1b[32m\x1b[0m\n\x1b[2Kok\n')).records)).toEqual(['ok']);
  });

  it('decodes a multi-byte character split across chunks', () => {
    const bytes = encode('策略: 解冻指定层 [-1]\n');
    for (let cut = 1; cut < bytes.length; cut++) {
      const framer = new Framer();
      const records = [...framer.push(bytes.subarray(0, cut)).records, ...framer.push(bytes.subarray(cut)).records];
      expect(texts(records)).toEqual(['策略: 解冻指定层 [-1]']);
    }
  });

  it('turns invalid UTF-8 into U+FFFD without throwing', () => {
    const { records } = frameBytes(new Uint8Array([0x61, 0xff, 0xe2, 0x96, 0x0a, 0xf0, 0x9f]));
    expect(texts(records)).toEqual(['a\uFFFD\uFFFD', '\uFFFD']);
  });

  it('finds each record of a chunk from its text: the same records as one byte at a time', () => {
    // Inside a chunk the framer takes a record's terminator to be the first \r or \n at or after
    // (its UTF-16 length) bytes; pushed byte by byte, every record is framed from its bytes instead.
    const parts = [
      'Training Epoch 1:  42%|████▏     | 210/500 [01:45<02:25,  1.99it/s, loss=0.1]\r',
      '策略: 解冻指定层 [-1]\n',
      '😀 four-byte 𝔘 characters\r\n',
      '\uFEFFbom inside\n',
      '\x1b[32mgreen\x1b[0m é\r',
      '\r\n\n',
    ];
    const invalid = [0x61, 0xff, 0xe2, 0x96, 0x0d, 0xf0, 0x9f, 0x0a, 0xed, 0xa0, 0x80, 0x62, 0x0d, 0xc3, 0x0a, 0x80, 0x80, 0x0a];
    const inputs = [encode(parts.join('')), new Uint8Array([...encode(parts.join('')), ...invalid, ...encode(parts.join(''))])];
    for (const input of inputs) {
      const whole = frameBytes(input).records;
      const framer = new Framer();
      const byByte: LogRecord[] = [];
      for (let at = 0; at < input.length; at++) byByte.push(...framer.push(input.subarray(at, at + 1)).records);
      byByte.push(...framer.end().records);
      expect(whole.length).toBeGreaterThanOrEqual(5);
      expect(whole).toEqual(byByte);
    }
  });

  it('drops a record over the cap once, keeps nothing of it and resynchronises', () => {
    const long = 'x'.repeat(100);
    for (const chunkSize of [1, 7, 64, 1000]) {
      const framer = new Framer({ maxRecordBytes: 50 });
      const input = encode(`ok\n${long}\rnext\n${long}`);
      const records: LogRecord[] = [];
      const warnings: { line: number; message: string }[] = [];
      for (let at = 0; at < input.length; at += chunkSize) {
        const out = framer.push(input.subarray(at, at + chunkSize));
        records.push(...out.records);
        warnings.push(...out.warnings);
      }
      const tail = framer.end();
      expect(texts([...records, ...tail.records])).toEqual(['ok', 'next']);
      expect([...warnings, ...tail.warnings]).toEqual([
        { line: 2, message: 'record longer than 50 bytes discarded' },
        { line: 3, message: 'record longer than 50 bytes discarded' },
      ]);
    }
  });

  it('flushes a trailing unterminated record on end() without committing it', () => {
    const framer = new Framer();
    expect(texts(framer.push(encode('a\nbc')).records)).toEqual(['a']);
    expect(framer.committedOffset).toBe(2);
    expect(framer.committedLine).toBe(2);
    expect(framer.end().records).toEqual([{ text: 'bc', line: 2, offset: 2, endOffset: 4 }]);
    expect(framer.committedOffset).toBe(2);
  });

  it('restarts at committedOffset/committedLine with identical records', () => {
    const input = encode('one\r\ntwo\rthree\nfour\nfi');
    const whole = frameBytes(input).records;
    for (let cut = 0; cut <= input.length; cut++) {
      const first = new Framer();
      const before = first.push(input.subarray(0, cut)).records;
      const resumed = new Framer({ startOffset: first.committedOffset, startLine: first.committedLine });
      const after = [...resumed.push(input.subarray(first.committedOffset)).records, ...resumed.end().records];
      expect([...before, ...after]).toEqual(whole);
    }
  });

  it('strips a UTF-8 byte-order mark at the start of the file only', () => {
    expect(texts(frameBytes(encode('\uFEFFa\n\uFEFFb\n')).records)).toEqual(['a', '\uFEFFb']);
  });

  it('decodes range by range exactly as one whole-file decode does, at any chunking', () => {
    // The reference decodes the whole input at once and splits the text; the framer decodes each
    // chunk's complete records in one call and carried-over bytes record by record. Pieces mix ASCII
    // and multi-byte text, escapes (7-bit and the 8-bit CSI, whose UTF-8 form is C2 9B; a bare 9B byte
    // is invalid UTF-8, not a CSI) and invalid or cut sequences.
    const pieces: Uint8Array[] = [
      ...['Training Epoch 1:   0%|          | 1/5000 [00:00<25:11, loss=0.8]', 'ok', ' ', '\x1b[32mgreen\x1b[0m', '\x1b]0;t\x07x'].map(
        encode,
      ),
      ...['|████▏     |', '策略', '😀', '\u009b1mcsi', '\uFEFFbom', 'é'].map(encode),
      ...[[0x0d], [0x0a], [0x0d, 0x0a], [0x9b, 0x31, 0x6d], [0xff], [0xe2, 0x96], [0xf0, 0x9f], [0xc3]].map((b) => new Uint8Array(b)),
    ];
    const reference = (input: Uint8Array): string[] => {
      let text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(input);
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      return text
        .split(/\r|\n/)
        .map(stripAnsi)
        .filter((t) => t.trim() !== '');
    };
    fc.assert(
      fc.property(
        fc.array(fc.nat(pieces.length - 1), { maxLength: 40 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }),
        (picks, sizes) => {
          const input = new Uint8Array(picks.flatMap((i) => [...(pieces[i] ?? [])]));
          const framer = new Framer();
          const records: LogRecord[] = [];
          for (let at = 0, k = 0; at < input.length; k++) {
            const size = sizes[k % sizes.length] ?? 1;
            records.push(...framer.push(input.subarray(at, at + size)).records);
            at += size;
          }
          records.push(...framer.end().records);
          expect(texts(records)).toEqual(reference(input));
          expect(records).toEqual(frameBytes(input).records);
          // pushEach (what the daemon uses): each record's bytes are exactly the input's bytes at its
          // offsets, and its text, read during the visit or not at all, is push()'s.
          const each = new Framer();
          const visited: LogRecord[] = [];
          const visit = (record: FramedRecord) => {
            expect(Buffer.from(record.bytes.subarray(record.start, record.end))).toEqual(
              Buffer.from(input.subarray(record.offset, record.endOffset)),
            );
            visited.push(visited.length % 2 === 0 ? record.toRecord() : { ...record.toRecord() });
          };
          for (let at = 0, k = 0; at < input.length; k++) {
            const size = sizes[(k + 1) % sizes.length] ?? 1;
            expect(each.pushEach(input.subarray(at, at + size), visit)).toEqual([]);
            at += size;
          }
          each.endEach(visit);
          expect(visited).toEqual(records);
        },
      ),
      { numRuns: 500 },
    );
  });
});
