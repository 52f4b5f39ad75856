// One Prisma client per process (create-t3-app style singleton), on the node-postgres driver
// adapter: Prisma 7 needs no native query engine this way.
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client';
import { getEnv } from '../env';
import { DatabaseError } from '../errors';

export type Db = InstanceType<typeof PrismaClient>;

export function createPrismaClient(url: string, options: { maxConnections?: number } = {}): Db {
  const adapter = new PrismaPg({
    connectionString: url,
    max: options.maxConnections ?? 10,
    // Fail fast instead of hanging when the server is gone; the ingest daemon retries with backoff.
    connectionTimeoutMillis: 5_000,
  });
  return new PrismaClient({ adapter });
}

const globalForPrisma = globalThis as unknown as { thawPrisma?: Db };

/** The process-wide client for DATABASE_URL (set by `thaw start` when it runs the embedded server). */
export function db(): Db {
  if (!globalForPrisma.thawPrisma) {
    const url = getEnv().DATABASE_URL;
    if (!url) throw new DatabaseError('DATABASE_URL is not set: start Thaw with `thaw start`, or set DATABASE_URL');
    globalForPrisma.thawPrisma = createPrismaClient(url);
  }
  return globalForPrisma.thawPrisma;
}

export async function disconnectDb(): Promise<void> {
  const client = globalForPrisma.thawPrisma;
  globalForPrisma.thawPrisma = undefined;
  await client?.$disconnect();
}
