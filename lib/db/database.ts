// Chooses the database: DATABASE_URL when set, otherwise the embedded PostgreSQL under the data dir.
// Either way the schema is migrated before anything else touches it.
import type { Env } from '../env';
import type { Logger } from '../log';
import { startEmbeddedDatabase, type EmbeddedDatabase } from './embedded';
import { migrate, redactUrl, type MigrateResult } from './migrate';

export interface OpenDatabase {
  url: string;
  embedded: EmbeddedDatabase | undefined;
  migrations: MigrateResult;
  /** Stops the embedded server if this process owns it; idempotent. */
  close(): Promise<void>;
}

export async function openDatabase(env: Env, log: Logger): Promise<OpenDatabase> {
  const embedded = env.DATABASE_URL
    ? undefined
    : await startEmbeddedDatabase({
        dataDir: env.THAW_DATA_DIR,
        port: env.THAW_PG_PORT,
        sharedDir: env.THAW_SHARED_DIR,
        log,
      });
  const url = env.DATABASE_URL ?? embedded!.url;
  try {
    const migrations = await migrate(url);
    if (migrations.applied.length > 0) log.info({ applied: migrations.applied }, 'database migrated');
    log.debug({ url: redactUrl(url) }, 'database ready');
    return { url, embedded, migrations, close: async () => embedded?.stop() };
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}
