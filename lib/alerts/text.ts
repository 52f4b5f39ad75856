// Text primitives for alert messages (pure): UTF-8 sizes, cutting without splitting a character,
// cleaning what a chat service cannot show, and each format's escaping. lib/alerts/format.ts builds
// the messages with them; every limit a vendor documents is in UTF-8 bytes or characters, never in
// JavaScript's UTF-16 units, so sizes here are measured the way the vendor counts.

const encoder = new TextEncoder();

export function utf8Bytes(text: string): number {
  return encoder.encode(text).length;
}

/** Code points of `text` (a surrogate pair is one), as an array so cuts never split a character. */
function codePoints(text: string): string[] {
  return Array.from(text);
}

/**
 * Makes a message safe to show in a chat: lone surrogates become U+FFFD (JSON.stringify would
 * write them as `\udXXX` escapes, which WeCom refuses with errcode 40033, "不合法的请求字符"), CR
 * and CRLF become LF, tabs become spaces, ANSI escape sequences are dropped, and every other control
 * character (C0, DEL, C1) becomes U+FFFD, visible where the log had an unprintable byte.
 */
export function cleanText(text: string): string {
  return (
    text
      .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
      // CSI … final byte, OSC … BEL/ST, and two-byte escapes: what a coloured traceback leaves.
      // eslint-disable-next-line no-control-regex
      .replace(/\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g, '')
      .replace(/\r\n?/g, '\n')
      .replace(/\t/g, '  ')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, '\uFFFD')
  );
}

/**
 * `text` shortened in the middle so that `size(result) <= budget`, keeping as much of the start
 * (the exception type) and the end (the failing line, usually last) as fits, with a marker saying
 * how much was left out. `size` measures the text as it will be sent (after escaping and JSON
 * encoding), so growth from escapes is counted; it must not shrink when characters are added.
 * Returns the text unchanged when it fits, and null when not even the marker alone fits.
 */
export function cutMiddle(text: string, budget: number, size: (candidate: string) => number): string | null {
  if (size(text) <= budget) return text;
  const chars = codePoints(text);
  const cut = (keep: number) => {
    const head = Math.ceil(keep / 2);
    const tail = keep - head;
    const removed = chars.length - keep;
    const omitted = chars.slice(head, chars.length - tail).join('');
    const marker = ` … [${removed} characters (${utf8Bytes(omitted)} bytes) cut] … `;
    return chars.slice(0, head).join('') + marker + (tail > 0 ? chars.slice(chars.length - tail).join('') : '');
  };
  if (size(cut(0)) > budget) return null;
  // The largest `keep` that fits: size grows with keep, so a binary search finds it.
  let lo = 0;
  let hi = chars.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi + 1) / 2);
    if (size(cut(mid)) <= budget) lo = mid;
    else hi = mid - 1;
  }
  return cut(lo);
}

/** The first `max` code points of `text` (with … when cut): for previews, never splits a character. */
export function cutEnd(text: string, max: number): string {
  const chars = codePoints(text);
  return chars.length <= max ? text : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/**
 * Slack's text escaping: `&`, `<` and `>` become entities, so `<!channel>`, `<@U123>` or `<url|label>`
 * in an error line are shown as typed instead of notifying everyone or becoming a link
 * (https://api.slack.com/reference/surfaces/formatting#escaping: "you shouldn't encode the text
 * using HTML entities, except for these three characters").
 */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Markdown escaping for DingTalk and WeCom markdown messages: a backslash before every ASCII
 * punctuation character that can start or end markup inline (`\ * _ ` ~ [ ] ( ) < > & | !`), and
 * before what would make a line a heading, quote, list item or rule (`#`, `>`, `-`, `+`, `=`,
 * `1.`). CommonMark allows a backslash before any ASCII punctuation and shows the character
 * itself, so `__init__`, `*args` or `[link](x)` in a traceback stay text (tests render every escaped
 * string with a CommonMark parser and compare the text). Newlines are kept; `lineBreak` is what
 * separates lines in the output (DingTalk collapses a bare newline, two trailing spaces keep it).
 */
export function escapeMarkdown(text: string, lineBreak = '\n'): string {
  return text
    .split('\n')
    .map((line) => {
      const inline = line.replace(/[\\`*_~[\]()<>&|!{}]/g, '\\$&');
      // Block starts: ATX heading, quote, list bullets, ordered list `12.`/`12)`, setext/rules.
      return inline
        .replace(/^(\s*)([#>+=-])/, '$1\\$2')
        .replace(/^(\s*\d+)([.)])/, '$1\\$2')
        .replace(/^(\s*)$/, '$1');
    })
    .join(lineBreak);
}
