// schema.prisma and prisma/migrations are maintained by hand (no schema engine here). This test
// fails the moment they disagree: tables, columns, types, nullability, defaults, primary keys,
// unique and plain indexes, and foreign keys with their ON DELETE rule.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { columnsOf, parsePrismaSchema, postgresTypeOf, type SchemaModel } from '../helpers/prisma-schema';
import { createTestDatabase, type TestDatabase } from '../helpers/db';

let database: TestDatabase;
let models: SchemaModel[];

beforeAll(async () => {
  database = await createTestDatabase('drift');
  models = parsePrismaSchema(await readFile(new URL('../../prisma/schema.prisma', import.meta.url), 'utf8'));
});
afterAll(() => database.drop());

interface ColumnRow {
  table_name: string;
  column_name: string;
  data_type: string;
  udt_name: string;
  is_nullable: string;
  column_default: string | null;
}
interface IndexRow {
  table_name: string;
  index_name: string;
  is_unique: boolean;
  is_primary: boolean;
  columns: string[];
}
interface ForeignKeyRow {
  table_name: string;
  columns: string[];
  foreign_table: string;
  foreign_columns: string[];
  on_delete: string;
}

async function liveColumns(): Promise<ColumnRow[]> {
  return database.query<ColumnRow>(
    `SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default
       FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
  );
}

async function liveIndexes(): Promise<IndexRow[]> {
  return database.query<IndexRow>(
    `SELECT t.relname AS table_name, i.relname AS index_name, ix.indisunique AS is_unique, ix.indisprimary AS is_primary,
            array_agg(a.attname ORDER BY k.ord)::text[] AS columns
       FROM pg_index ix
       JOIN pg_class t ON t.oid = ix.indrelid
       JOIN pg_class i ON i.oid = ix.indexrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
       CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
      WHERE t.relname <> '_prisma_migrations'
      GROUP BY t.relname, i.relname, ix.indisunique, ix.indisprimary`,
  );
}

async function liveForeignKeys(): Promise<ForeignKeyRow[]> {
  return database.query<ForeignKeyRow>(
    `SELECT c.conrelid::regclass::text AS table_name, c.confrelid::regclass::text AS foreign_table,
            ARRAY(SELECT attname FROM unnest(c.conkey) WITH ORDINALITY k(n, o) JOIN pg_attribute ON attrelid = c.conrelid AND attnum = k.n ORDER BY o)::text[] AS columns,
            ARRAY(SELECT attname FROM unnest(c.confkey) WITH ORDINALITY k(n, o) JOIN pg_attribute ON attrelid = c.confrelid AND attnum = k.n ORDER BY o)::text[] AS foreign_columns,
            CASE c.confdeltype WHEN 'c' THEN 'Cascade' WHEN 'n' THEN 'SetNull' WHEN 'r' THEN 'Restrict' WHEN 'd' THEN 'SetDefault' ELSE 'NoAction' END AS on_delete
       FROM pg_constraint c WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace`,
  );
}

const unquote = (name: string) => name.replace(/^"|"$/g, '');
const key = (table: string, columns: string[]) => `${table}(${columns.join(',')})`;

describe('live schema vs schema.prisma', () => {
  it('has exactly the models as tables', async () => {
    const tables = [...new Set((await liveColumns()).map((c) => c.table_name))].sort();
    expect(tables).toEqual(models.map((m) => m.name).sort());
  });

  it('has exactly the scalar fields as columns, with matching types, nullability and defaults', async () => {
    const live = await liveColumns();
    const expected = models.flatMap((model) =>
      columnsOf(model).map((field) => ({
        column: `${model.name}.${field.name}`,
        type: postgresTypeOf(field),
        nullable: field.optional || field.list,
        hasDefault: field.hasDefault,
      })),
    );
    const actual = live.map((c) => ({
      column: `${c.table_name}.${c.column_name}`,
      type: c.data_type === 'ARRAY' ? `${udtToType(c.udt_name.slice(1))}[]` : c.data_type,
      nullable: c.is_nullable === 'YES',
      hasDefault: c.column_default !== null,
    }));
    const byColumn = (a: { column: string }, b: { column: string }) => a.column.localeCompare(b.column);
    expect(actual.sort(byColumn)).toEqual(expected.sort(byColumn));
  });

  it('has the primary keys, unique constraints and indexes the schema declares, and no others', async () => {
    const live = await liveIndexes();
    const expectedPrimary = models.map((m) => key(m.name, m.primaryKey)).sort();
    const expectedUnique = models.flatMap((m) => m.uniques.map((u) => key(m.name, u))).sort();
    const expectedPlain = models.flatMap((m) => m.indexes.map((i) => key(m.name, i))).sort();
    expect(
      live
        .filter((i) => i.is_primary)
        .map((i) => key(i.table_name, i.columns))
        .sort(),
    ).toEqual(expectedPrimary);
    expect(
      live
        .filter((i) => i.is_unique && !i.is_primary)
        .map((i) => key(i.table_name, i.columns))
        .sort(),
    ).toEqual(expectedUnique);
    expect(
      live
        .filter((i) => !i.is_unique)
        .map((i) => key(i.table_name, i.columns))
        .sort(),
    ).toEqual(expectedPlain);
  });

  it('names indexes the way Prisma does, so prisma migrate diff would find nothing to rename', async () => {
    for (const index of await liveIndexes()) {
      const suffix = index.is_primary ? 'pkey' : index.is_unique ? 'key' : 'idx';
      const expected = index.is_primary ? `${index.table_name}_pkey` : `${index.table_name}_${index.columns.join('_')}_${suffix}`;
      expect(index.index_name).toBe(expected);
    }
  });

  it('has the foreign keys of every @relation with its onDelete rule', async () => {
    const live = (await liveForeignKeys())
      .map(
        (fk) =>
          `${unquote(fk.table_name)}(${fk.columns.join(',')}) -> ${unquote(fk.foreign_table)}(${fk.foreign_columns.join(',')}) ${fk.on_delete}`,
      )
      .sort();
    const expected = models
      .flatMap((model) =>
        model.fields
          .filter((field) => field.relation)
          .map(
            (field) =>
              `${model.name}(${field.relation!.fields.join(',')}) -> ${field.type}(${field.relation!.references.join(',')}) ${field.relation!.onDelete ?? 'Restrict'}`,
          ),
      )
      .sort();
    expect(live).toEqual(expected);
  });
});

function udtToType(udt: string): string {
  const names: Record<string, string> = { int4: 'integer', int8: 'bigint', text: 'text', float8: 'double precision', bool: 'boolean' };
  return names[udt] ?? udt;
}
