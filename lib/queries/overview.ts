// Small named queries for the pages (server components call these, never Prisma directly).
import { db } from '../db/client';
import { getEnv } from '../env';

export interface Overview {
  runCount: number;
  sourceCount: number;
  watching: string[];
}

export async function getOverview(): Promise<Overview> {
  const [runCount, sourceCount] = await Promise.all([db().run.count(), db().logSource.count()]);
  return { runCount, sourceCount, watching: getEnv().THAW_LOGS.split(',').filter(Boolean) };
}
