// A reader for the subset of the Prisma schema language Thaw uses (models, scalar and list fields,
// @id/@@id, @unique/@@unique, @@index, @default, @relation), so the drift test can compare
// schema.prisma with the live database without Prisma's schema engine.
export interface SchemaField {
  name: string;
  type: string;
  optional: boolean;
  list: boolean;
  hasDefault: boolean;
  isId: boolean;
  isUnique: boolean;
  relation?: { fields: string[]; references: string[]; onDelete?: string };
}

export interface SchemaModel {
  name: string;
  fields: SchemaField[];
  primaryKey: string[];
  uniques: string[][];
  indexes: string[][];
}

const SCALARS = new Set(['String', 'Int', 'BigInt', 'Float', 'Boolean', 'DateTime', 'Json', 'Decimal', 'Bytes']);

function list(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

export function parsePrismaSchema(source: string): SchemaModel[] {
  const models: SchemaModel[] = [];
  const modelPattern = /^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm;
  for (const match of source.matchAll(modelPattern)) {
    const model: SchemaModel = { name: match[1]!, fields: [], primaryKey: [], uniques: [], indexes: [] };
    for (const rawLine of match[2]!.split('\n')) {
      const line = rawLine.replace(/\/\/.*$/, '').trim();
      if (!line) continue;
      const block = /^@@(id|unique|index)\(\[([^\]]*)\]/.exec(line);
      if (block) {
        const columns = list(block[2]);
        if (block[1] === 'id') model.primaryKey = columns;
        else if (block[1] === 'unique') model.uniques.push(columns);
        else model.indexes.push(columns);
        continue;
      }
      const field = /^(\w+)\s+(\w+)(\[\])?(\?)?\s*(.*)$/.exec(line);
      if (!field) continue;
      const [, name, type, listMark, optionalMark, attributes = ''] = field;
      const relation = /@relation\((?:"\w+",\s*)?fields:\s*\[([^\]]*)\],\s*references:\s*\[([^\]]*)\](?:,\s*onDelete:\s*(\w+))?/.exec(
        attributes,
      );
      model.fields.push({
        name: name!,
        type: type!,
        optional: optionalMark === '?',
        list: listMark === '[]',
        hasDefault: attributes.includes('@default('),
        isId: /@id\b/.test(attributes),
        isUnique: /@unique\b/.test(attributes),
        relation: relation ? { fields: list(relation[1]), references: list(relation[2]), onDelete: relation[3] } : undefined,
      });
      if (/@id\b/.test(attributes)) model.primaryKey = [name!];
      if (/@unique\b/.test(attributes)) model.uniques.push([name!]);
    }
    models.push(model);
  }
  return models;
}

/** Scalar columns only (relation fields like `run Run` or `steps StepPoint[]` are not columns). */
export function columnsOf(model: SchemaModel): SchemaField[] {
  return model.fields.filter((field) => SCALARS.has(field.type));
}

/** The PostgreSQL type Prisma maps each scalar to (information_schema spelling). */
export function postgresTypeOf(field: SchemaField): string {
  const base: Record<string, string> = {
    String: 'text',
    Int: 'integer',
    BigInt: 'bigint',
    Float: 'double precision',
    Boolean: 'boolean',
    DateTime: 'timestamp without time zone',
    Json: 'jsonb',
    Bytes: 'bytea',
  };
  const type = base[field.type];
  if (!type) throw new Error(`no mapping for Prisma type ${field.type}`);
  return field.list ? `${type}[]` : type;
}
