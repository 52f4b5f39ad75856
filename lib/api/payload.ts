// Immutable payloads: large arrays of numbers (chart points, bands) that a cache hands to many
// responses. Frozen once when built, such an array is schema-checked once and written as JSON once;
// every later response that carries it reuses the check and the UTF-8 bytes. A compare response is
// ~1.6 MB of such arrays, and writing it with JSON.stringify and encoding it cost more than building it.
//
// jsonBytes(value) writes exactly what JSON.stringify(value) writes (tested on a table of values), with
// frozen payloads taken from their memo. It walks objects in JavaScript, so it is for bodies that are
// mostly payloads (compare): on a body of plain objects (1,000 runs-table rows) JSON.stringify is faster.

/** Arrays frozen (deeply) by freezePayload: they and everything in them never change again. */
const frozen = new WeakSet<object>();
/** Checks passed by a frozen payload, per check function. */
const passed = new WeakMap<object, WeakSet<(value: unknown) => boolean>>();
/** The JSON text of a frozen payload, as UTF-8. */
const texts = new WeakMap<object, Buffer<ArrayBuffer>>();

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const item of Object.values(value)) deepFreeze(item);
}

/**
 * Freezes an array and everything in it, and marks it as a payload that never changes again (the
 * same array, returned). For arrays that caches share between responses.
 */
export function freezePayload<T extends readonly unknown[] | null>(value: T): T {
  if (value === null || frozen.has(value)) return value;
  deepFreeze(value);
  frozen.add(value);
  return value;
}

export function isFrozenPayload(value: unknown): boolean {
  return typeof value === 'object' && value !== null && frozen.has(value);
}

/** `check(value)`, remembered for a frozen payload (which cannot change between two checks). */
export function checkOnce(value: unknown, check: (value: unknown) => boolean): boolean {
  if (!isFrozenPayload(value)) return check(value);
  const object = value as object;
  let checks = passed.get(object);
  if (checks?.has(check)) return true;
  if (!check(value)) return false;
  if (!checks) passed.set(object, (checks = new WeakSet()));
  checks.add(check);
  return true;
}

function payloadBytes(value: object): Buffer<ArrayBuffer> {
  let bytes = texts.get(value);
  if (bytes === undefined) texts.set(value, (bytes = Buffer.from(JSON.stringify(value), 'utf8')));
  return bytes;
}

/** Numbers, strings, booleans and nulls only (nested one level: points, bands): JSON.stringify writes it fast. */
function isFlatData(array: readonly unknown[]): boolean {
  for (let i = 0; i < array.length; i++) {
    const item = array[i];
    if (item === null || typeof item === 'number' || typeof item === 'string' || typeof item === 'boolean') continue;
    if (!Array.isArray(item) || isFrozenPayload(item)) return false;
    for (const inner of item as unknown[]) {
      if (inner !== null && typeof inner !== 'number' && typeof inner !== 'string' && typeof inner !== 'boolean') return false;
    }
  }
  return true;
}

type Chunk = string | Buffer<ArrayBuffer>;

/** Writes a value as JSON.stringify would, into chunks (text, or the memoised bytes of payloads). */
function write(value: unknown, key: string, out: Chunk[]): boolean {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON: (key: string) => unknown }).toJSON(key);
  }
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return false;
  if (value === null || typeof value !== 'object') {
    out.push(JSON.stringify(value));
    return true;
  }
  if (frozen.has(value)) {
    out.push(payloadBytes(value));
    return true;
  }
  if (Array.isArray(value)) {
    if (isFlatData(value)) {
      out.push(JSON.stringify(value));
      return true;
    }
    out.push('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(',');
      if (!write(value[i], String(i), out)) out.push('null');
    }
    out.push(']');
    return true;
  }
  if (value instanceof Number || value instanceof String || value instanceof Boolean || value instanceof Map || value instanceof Set) {
    out.push(JSON.stringify(value));
    return true;
  }
  out.push('{');
  let first = true;
  for (const [k, v] of Object.entries(value)) {
    const mark = out.length;
    out.push(first ? `${JSON.stringify(k)}:` : `,${JSON.stringify(k)}:`);
    if (write(v, k, out)) first = false;
    else out.length = mark;
  }
  out.push('}');
  return true;
}

/** The JSON of a value as UTF-8 bytes: JSON.stringify's text, with frozen payloads written once per payload. */
export function jsonBytes(value: unknown): Buffer<ArrayBuffer> {
  const chunks: Chunk[] = [];
  if (!write(value, '', chunks)) throw new TypeError('jsonBytes: the value has no JSON form');
  // Runs of text are encoded together; payload bytes are copied as they are.
  const buffers: Buffer<ArrayBuffer>[] = [];
  let text = '';
  for (const chunk of chunks) {
    if (typeof chunk === 'string') text += chunk;
    else {
      if (text !== '') buffers.push(Buffer.from(text, 'utf8'));
      text = '';
      buffers.push(chunk);
    }
  }
  if (text !== '') buffers.push(Buffer.from(text, 'utf8'));
  return buffers.length === 1 ? buffers[0]! : Buffer.concat(buffers);
}

/** jsonBytes as a string (for a page that hands the JSON text to its client component). */
export function jsonText(value: unknown): string {
  return jsonBytes(value).toString('utf8');
}
