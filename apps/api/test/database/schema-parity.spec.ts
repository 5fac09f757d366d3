import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_PATH, migrate } from '@aius/db';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * The migrations are written by hand (Prisma's migrate engine cannot run here), so this
 * proves they build exactly the database schema.prisma describes: tables, columns, types,
 * nullability, defaults, keys, indexes, foreign keys and enums. It reads the schema with
 * Prisma's own parser (the WebAssembly build, which needs no engine download).
 */
const require = createRequire(import.meta.url);
const { get_dmmf } = require('@prisma/prisma-schema-wasm') as { get_dmmf(params: string): string };

interface DmmfField {
  name: string;
  dbName?: string;
  kind: 'scalar' | 'object' | 'enum';
  type: string;
  isRequired: boolean;
  isList: boolean;
  hasDefaultValue: boolean;
  nativeType?: [string, string[]] | null;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}
interface Dmmf {
  datamodel: {
    models: DmmfModel[];
    enums: { name: string; dbName: string | null; values: { name: string; dbName: string | null }[] }[];
    indexes: { model: string; type: 'id' | 'unique' | 'normal' | 'fulltext'; fields: { name: string }[] }[];
  };
}

let db: TestDatabase;
let client: pg.Client;
let dmmf: Dmmf;

beforeAll(async () => {
  dmmf = JSON.parse(get_dmmf(JSON.stringify({ prismaSchema: [['schema.prisma', await readFile(SCHEMA_PATH, 'utf8')]] })));
  db = await createTestDatabase();
  await migrate(db.url);
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
});
afterAll(async () => {
  await client?.end();
  await db?.drop();
});

const tableOf = (m: DmmfModel) => m.dbName ?? m.name;
const columnOf = (f: DmmfField) => f.dbName ?? f.name;
const scalars = (m: DmmfModel) => m.fields.filter((f) => f.kind !== 'object');
const modelByName = (name: string) => dmmf.datamodel.models.find((m) => m.name === name)!;

function expectedType(f: DmmfField): string {
  if (f.kind === 'enum') {
    const e = dmmf.datamodel.enums.find((x) => x.name === f.type)!;
    return e.dbName ?? e.name;
  }
  const native = f.nativeType?.[0];
  if (f.type === 'DateTime') return native === 'Date' ? 'date' : native === 'Timestamptz' ? 'timestamptz' : 'timestamp';
  return { String: 'text', Int: 'int4', BigInt: 'int8', Boolean: 'bool', Float: 'float8', Json: 'jsonb', Decimal: 'numeric', Bytes: 'bytea' }[f.type]!;
}

describe('migrations match schema.prisma', () => {
  it('creates exactly the tables of the models (plus Prisma bookkeeping)', async () => {
    const { rows } = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    );
    expect(rows.map((r) => r.table_name).sort()).toEqual(
      [...dmmf.datamodel.models.map(tableOf), '_prisma_migrations'].sort(),
    );
  });

  it('gives every field its column, type, nullability and default', async () => {
    for (const model of dmmf.datamodel.models) {
      const { rows } = await client.query<{
        column_name: string;
        udt_name: string;
        is_nullable: 'YES' | 'NO';
        column_default: string | null;
        datetime_precision: number | null;
      }>(
        `SELECT column_name, udt_name, is_nullable, column_default, datetime_precision
           FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1`,
        [tableOf(model)],
      );
      const actual = Object.fromEntries(rows.map((r) => [r.column_name, r]));
      expect(Object.keys(actual).sort(), `columns of ${model.name}`).toEqual(scalars(model).map(columnOf).sort());
      for (const field of scalars(model)) {
        const col = actual[columnOf(field)]!;
        const where = `${model.name}.${field.name}`;
        expect(col.udt_name, `${where} type`).toBe(expectedType(field));
        expect(col.is_nullable, `${where} nullability`).toBe(field.isRequired ? 'NO' : 'YES');
        expect(col.column_default !== null, `${where} default`).toBe(field.hasDefaultValue);
        if (field.type === 'DateTime' && field.nativeType?.[0] !== 'Date') {
          expect(col.datetime_precision, `${where} precision`).toBe(Number(field.nativeType?.[1]?.[0] ?? 3));
        }
      }
    }
  });

  it('has every primary key, unique constraint and index, and no others', async () => {
    const { rows } = await client.query<{ table: string; unique: boolean; primary: boolean; columns: string[] }>(
      `SELECT t.relname AS table, ix.indisunique AS unique, ix.indisprimary AS primary,
              array_agg(a.attname::text ORDER BY k.ord) AS columns
         FROM pg_index ix
         JOIN pg_class t ON t.oid = ix.indrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
         CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
        WHERE t.relname <> '_prisma_migrations'
        GROUP BY t.relname, ix.indexrelid, ix.indisunique, ix.indisprimary`,
    );
    const actual = rows.map((r) => `${r.table}:${r.primary ? 'id' : r.unique ? 'unique' : 'normal'}:${r.columns.join(',')}`).sort();
    const expected = dmmf.datamodel.indexes
      .map((i) => {
        const model = modelByName(i.model);
        const cols = i.fields.map((f) => columnOf(model.fields.find((x) => x.name === f.name)!));
        return `${tableOf(model)}:${i.type}:${cols.join(',')}`;
      })
      .sort();
    expect(actual).toEqual(expected);
  });

  it('has every foreign key with its referential action', async () => {
    const { rows } = await client.query<{ table: string; columns: string[]; ref_table: string; ref_columns: string[]; on_delete: string }>(
      `SELECT c.conrelid::regclass::text AS table, c.confrelid::regclass::text AS ref_table,
              (SELECT array_agg(attname::text ORDER BY array_position(c.conkey, attnum)) FROM pg_attribute WHERE attrelid = c.conrelid AND attnum = ANY(c.conkey)) AS columns,
              (SELECT array_agg(attname::text ORDER BY array_position(c.confkey, attnum)) FROM pg_attribute WHERE attrelid = c.confrelid AND attnum = ANY(c.confkey)) AS ref_columns,
              c.confdeltype AS on_delete
         FROM pg_constraint c WHERE c.contype = 'f'`,
    );
    const action: Record<string, string> = { a: 'NoAction', r: 'Restrict', c: 'Cascade', n: 'SetNull', d: 'SetDefault' };
    const actual = rows.map((r) => `${r.table}(${r.columns.join(',')})->${r.ref_table}(${r.ref_columns.join(',')}):${action[r.on_delete]}`).sort();
    const expected = dmmf.datamodel.models
      .flatMap((m) =>
        m.fields
          .filter((f) => f.kind === 'object' && f.relationFromFields && f.relationFromFields.length > 0)
          .map((f) => {
            const target = modelByName(f.type);
            const from = f.relationFromFields!.map((n) => columnOf(m.fields.find((x) => x.name === n)!));
            const to = f.relationToFields!.map((n) => columnOf(target.fields.find((x) => x.name === n)!));
            // Prisma's default for an optional relation is SetNull, for a required one Restrict.
            const onDelete = f.relationOnDelete ?? (f.isRequired ? 'Restrict' : 'SetNull');
            return `${tableOf(m)}(${from.join(',')})->${tableOf(target)}(${to.join(',')}):${onDelete}`;
          }),
      )
      .sort();
    expect(actual).toEqual(expected);
  });

  it('creates every enum with its values in order', async () => {
    for (const e of dmmf.datamodel.enums) {
      const { rows } = await client.query<{ v: string }>(
        `SELECT e.enumlabel AS v FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid WHERE t.typname = $1 ORDER BY e.enumsortorder`,
        [e.dbName ?? e.name],
      );
      expect(rows.map((r) => r.v)).toEqual(e.values.map((v) => v.dbName ?? v.name));
    }
  });
});
