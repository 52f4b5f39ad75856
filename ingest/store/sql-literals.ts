// Values as PostgreSQL text: array literals (one parameter per column, NaN kept), text and jsonb
// without NUL, and the agreement rule for two observations of one fact in an upsert.
export function floatArray(values: readonly (number | null | undefined)[]): string {
  return `{${values
    .map((value) => {
      if (value === null || value === undefined) return 'NULL';
      if (Number.isNaN(value)) return 'NaN';
      if (value === Infinity) return 'Infinity';
      if (value === -Infinity) return '-Infinity';
      return String(value);
    })
    .join(',')}}`;
}

export function textArray(values: readonly (string | null)[]): string {
  return `{${values.map((value) => (value === null ? 'NULL' : `"${pgText(value).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)).join(',')}}`;
}

/**
 * The value to keep when two observations of one measured fact meet in an upsert. A console log prints a
 * loss at 4 decimals, TensorBoard keeps the float32 the trainer computed: when both agree at float32
 * precision the float32 value is kept whichever arrived last, so the row never depends on ingest order
 * (kill -9, two daemons, files read in any order). Otherwise `otherwise` wins ('incoming': the later
 * observation refines the fact; 'existing': the row already there stays). Nested CASE so the float4
 * casts only ever see values inside float4's range (a cast outside it raises an error).
 */
export function agreeingValue(existing: string, incoming: string, otherwise: 'incoming' | 'existing'): string {
  const fallback = otherwise === 'incoming' ? incoming : existing;
  return `CASE WHEN ${incoming} IS NULL THEN ${existing} WHEN ${existing} IS NULL THEN ${incoming}
    WHEN abs(${existing}) NOT BETWEEN 1e-30 AND 1e30 OR abs(${incoming}) NOT BETWEEN 1e-30 AND 1e30 THEN ${fallback}
    WHEN ${existing}::float4 <> ${incoming}::float4 THEN ${fallback}
    WHEN ${existing}::float4::float8 = ${existing} THEN ${existing} ELSE ${incoming} END`;
}

/** PostgreSQL text cannot hold NUL (binary junk in a log): store U+FFFD, as for invalid UTF-8. */
export function pgText(value: string): string {
  return value.includes('\u0000') ? value.replaceAll('\u0000', '\uFFFD') : value;
}

/** jsonb rejects the \u0000 escape for the same reason. */
export function pgJson(value: unknown): string {
  const json = JSON.stringify(value ?? null);
  return json.includes('\\u0000') ? json.replace(/\\u0000/g, '\\ufffd') : json;
}

export const boolArray = (values: readonly boolean[]) => `{${values.map((value) => (value ? 't' : 'f')).join(',')}}`;
