// Keeping channel credentials out of everything Thaw shows or stores (pure). A channel's URL holds
// its token (DingTalk `access_token`, WeCom `key`, the Slack and Feishu path), and `secret` signs.
// Vendors echo them back in error bodies, network errors name the URL, and a YAML error quotes the
// offending line. Rules:
// - redact first, cut after (`redactThenCut`): cutting first can leave half a token at the edge
//   that no longer matches;
// - any run of 6 or more characters copied from a credential is redacted, not only the whole
//   credential: a vendor that echoes a truncated URL leaks a prefix of the token;
// - encoded forms count too (percent-encoded, JSON-escaped `\/`).
import { cutEnd } from './text';

const MARK = '[redacted]';
/** A fragment this long of a credential is redacted wherever it appears. */
const FRAGMENT = 6;

export interface Credential {
  value: string;
  /** Whether fragments count (token parts), or only the whole value (the full URL, its path). */
  fragments: boolean;
}

/** The strings worth hiding in a channel URL: query values, user info, and path segments that look like tokens. */
function urlCredentials(url: string): Credential[] {
  const out: Credential[] = [{ value: url, fragments: false }];
  if (!URL.canParse(url)) return [{ value: url, fragments: true }];
  const parsed = new URL(url);
  const token = (value: string) => out.push({ value, fragments: true });
  token(parsed.username);
  token(parsed.password);
  for (const value of parsed.searchParams.values()) token(value);
  for (const segment of parsed.pathname.split('/')) {
    // Tokens: long, or mixing letters and digits (Slack T…/B…/secret, Feishu's UUID). Words such
    // as "robot", "send" or "open-apis" are not secret and are left readable.
    if (segment.length >= 16 || (segment.length >= 8 && /\d/.test(segment) && /[a-z]/i.test(segment))) token(segment);
  }
  out.push({ value: parsed.search.slice(1), fragments: false }, { value: parsed.pathname, fragments: false });
  return out;
}

/** Every credential of a channel and its encoded forms, longest first. */
export function credentialsOf(channel: { url: string; secret: string | null }): Credential[] {
  const raw = [...(channel.url ? urlCredentials(channel.url) : []), { value: channel.secret ?? '', fragments: true }];
  const forms = new Map<string, boolean>();
  for (const { value, fragments } of raw) {
    if (value.length < 4) continue;
    for (const form of [value, encodeURIComponent(value), value.replace(/\//g, '\\/'), JSON.stringify(value).slice(1, -1)]) {
      forms.set(form, (forms.get(form) ?? false) || fragments);
    }
  }
  return [...forms]
    .map(([value, fragments]) => ({ value, fragments }))
    .filter((c) => c.value.length >= 4)
    .sort((a, b) => b.value.length - a.value.length);
}

/**
 * `text` with every credential, and every fragment of FRAGMENT or more characters of a token,
 * replaced by `[redacted]`. Short credentials (4–5 characters) are matched whole only.
 */
export function redactCredentials(text: string, credentials: readonly Credential[]): string {
  if (credentials.length === 0 || text.length === 0) return text;
  const hidden = new Uint8Array(text.length);
  for (const { value, fragments } of credentials) {
    if (!fragments || value.length < FRAGMENT) {
      for (let at = text.indexOf(value); at !== -1; at = text.indexOf(value, at + 1)) hidden.fill(1, at, at + value.length);
      continue;
    }
    const grams = new Set<string>();
    for (let i = 0; i + FRAGMENT <= value.length; i++) grams.add(value.slice(i, i + FRAGMENT));
    for (let i = 0; i + FRAGMENT <= text.length; i++) if (grams.has(text.slice(i, i + FRAGMENT))) hidden.fill(1, i, i + FRAGMENT);
  }
  let out = '';
  for (let i = 0; i < text.length;) {
    if (hidden[i]) {
      out += MARK;
      while (i < text.length && hidden[i]) i++;
    } else out += text[i++];
  }
  return out;
}

export function redact(text: string, channel: { url: string; secret: string | null }): string {
  return redactCredentials(text, credentialsOf(channel));
}

/** Redacts, then cuts to `max` characters (never the other way round), on one line. */
export function redactThenCut(text: string, channel: { url: string; secret: string | null }, max = 500): string {
  return cutEnd(redact(text, channel).replace(/\s+/g, ' ').trim(), max);
}

/**
 * The credentials a thaw-alerts.yaml file's text holds, found without parsing it (it may not
 * parse): the value of every `url:` and `secret:` key, in block style (the rest of the line) and
 * in flow style (`{ url: …, … }`), quoted or not, closed or not, and their URL parts.
 */
export function credentialsInConfigText(text: string): Credential[] {
  const found: Credential[] = [];
  const add = (key: string, raw: string) => {
    const value = raw.trim().replace(/^["']|["']$/g, '');
    if (value.length === 0) return;
    found.push(...credentialsOf(key.toLowerCase() === 'url' ? { url: value, secret: null } : { url: '', secret: value }));
  };
  for (const match of text.matchAll(/^[\s-]*["']?(url|secret)["']?\s*:\s*(.*?)\s*(?:\s#.*)?$/gim)) add(match[1]!, match[2] ?? '');
  for (const match of text.matchAll(/[{,]\s*["']?(url|secret)["']?\s*:\s*("[^"\n]*"?|'[^'\n]*'?|[^,}\n]*)/gi))
    add(match[1]!, match[2] ?? '');
  return found.sort((a, b) => b.value.length - a.value.length);
}
