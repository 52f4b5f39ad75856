import fc from 'fast-check';
import { micromark } from 'micromark';
import { describe, expect, it } from 'vitest';
import { cleanText, cutEnd, cutMiddle, escapeMarkdown, escapeSlack, utf8Bytes } from './text';

/** The text a CommonMark renderer shows for `markdown` (tags dropped, entities decoded, whitespace folded). */
function shown(markdown: string): string {
  return micromark(markdown)
    .replace(/<br \/>/g, ' ')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/** What the markup was (tags other than a paragraph or line break mean the text changed formatting). */
function tags(markdown: string): string[] {
  return [...micromark(markdown).matchAll(/<(\w+)/g)].map((m) => m[1]!).filter((t) => t !== 'p' && t !== 'br');
}

describe('cutMiddle', () => {
  it('keeps a text that fits as it is', () => {
    expect(cutMiddle('short', 100, utf8Bytes)).toBe('short');
  });

  it('cuts 1,500 Chinese characters (4,500 bytes) to a byte budget without splitting a character', () => {
    const text = `RuntimeError: ${'形状不匹配'.repeat(300)} at line 42`;
    const out = cutMiddle(text, 1_000, utf8Bytes)!;
    expect(utf8Bytes(out)).toBeLessThanOrEqual(1_000);
    expect(utf8Bytes(out)).toBeGreaterThan(900);
    expect(out.startsWith('RuntimeError: 形状')).toBe(true);
    expect(out.endsWith('at line 42')).toBe(true);
    expect(out).toMatch(/… \[\d+ characters \(\d+ bytes\) cut\] …/);
    expect(out).not.toContain('\uFFFD');
  });

  it('never exceeds the budget and never splits a surrogate pair, for any text and budget', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), fc.integer({ min: 60, max: 600 }), (text, budget) => {
        const out = cutMiddle(text, budget, utf8Bytes);
        if (out === null) return;
        expect(utf8Bytes(out)).toBeLessThanOrEqual(budget);
        expect(out).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
        if (utf8Bytes(text) <= budget) expect(out).toBe(text);
      }),
    );
  });

  it('counts what escaping adds (the size function sees the escaped text)', () => {
    const text = '<&>'.repeat(1_000);
    const out = cutMiddle(text, 500, (t) => escapeSlack(t).length)!;
    expect(escapeSlack(out).length).toBeLessThanOrEqual(500);
  });

  it('is null when not even the marker fits', () => {
    expect(cutMiddle('x'.repeat(100), 10, utf8Bytes)).toBeNull();
  });
});

describe('cleanText', () => {
  it.each([
    ['ANSI colours are dropped', '\u001b[31mRuntimeError\u001b[0m: boom', 'RuntimeError: boom'],
    ['CRLF and CR become LF', 'a\r\nb\rc', 'a\nb\nc'],
    ['tabs become spaces', 'a\tb', 'a  b'],
    ['NUL, backspace, DEL, C1 become U+FFFD', 'a\u0000b\u0008c\u007fd\u0085e', 'a\uFFFDb\uFFFDc\uFFFDd\uFFFDe'],
    ['a lone surrogate becomes U+FFFD', 'a\ud800b', 'a\uFFFDb'],
    ['a surrogate pair stays', 'ok 😀', 'ok 😀'],
    ['Chinese stays', '显存不足', '显存不足'],
  ])('%s', (_, input, expected) => {
    expect(cleanText(input)).toBe(expected);
  });

  it('leaves nothing JSON.stringify would write as a \\u escape (WeCom refuses those: errcode 40033)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        expect(JSON.stringify(cleanText(text))).not.toMatch(/\\u[0-9a-f]{4}/i);
      }),
    );
  });
});

describe('escapeSlack', () => {
  it('turns <!channel>, <@U123> and <url|label> into text', () => {
    expect(escapeSlack('ping <!channel> & <@U123> see <http://x|here>')).toBe(
      'ping &lt;!channel&gt; &amp; &lt;@U123&gt; see &lt;http://x|here&gt;',
    );
  });
});

describe('escapeMarkdown', () => {
  it.each([
    'File "train.py", line 12, in __init__',
    'def forward(self, *args, **kwargs):',
    '[link](http://evil) and ![img](x) and <b>bold</b>',
    '# not a heading',
    '> not a quote',
    '- not a list',
    '1. not a list',
    '`code` ~~strike~~ ***both***',
    'a_b_c *x* _y_ __z__',
    'path\\to\\file_name.py',
    '&amp; &lt;tag&gt; &#42;',
  ])('renders %j as itself under CommonMark', (text) => {
    const escaped = escapeMarkdown(text);
    expect(tags(escaped)).toEqual([]);
    expect(shown(escaped)).toBe(text.replace(/\s+/g, ' ').trim());
  });

  it('renders any printable ASCII line as itself, with no markup', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'abc _*`~[]()<>&|!#+-.=\\{}1:;/"\'$%^@'.split('')), maxLength: 60 }), (text) => {
        const line = text.replace(/\s+/g, ' ').trim();
        fc.pre(line.length > 0);
        const escaped = escapeMarkdown(line);
        expect(tags(escaped)).toEqual([]);
        expect(shown(escaped)).toBe(line);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('cutEnd', () => {
  it('cuts by code points with an ellipsis', () => {
    expect(cutEnd('😀😀😀', 2)).toBe('😀…');
    expect(cutEnd('abc', 3)).toBe('abc');
  });
});
