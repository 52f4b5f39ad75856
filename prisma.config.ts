// Configuration for the Prisma CLI only (generate; migrate deploy on a machine that has the schema
// engine). Thaw itself applies prisma/migrations at start-up: see lib/db/migrate.ts.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/thaw' },
});
