import type { Command } from 'commander';
import { getEnv } from '../../lib/env';
import { createLogger } from '../../lib/log';
import { openDatabase } from '../../lib/db/database';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description(
      'Apply the database migrations in prisma/migrations (recorded in _prisma_migrations exactly as `prisma migrate deploy` does) and exit.\n' +
        'Uses DATABASE_URL, or the embedded PostgreSQL in THAW_DATA_DIR when it is unset. `thaw start` also migrates on start-up.',
    )
    .action(async () => {
      const env = getEnv();
      const log = createLogger(env.THAW_LOG_LEVEL);
      const database = await openDatabase(env, log);
      try {
        const { applied, alreadyApplied } = database.migrations;
        process.stdout.write(
          applied.length > 0
            ? `applied ${applied.length} migration(s): ${applied.join(', ')}\n`
            : `database is up to date (${alreadyApplied.length} migration(s) applied)\n`,
        );
      } finally {
        await database.close();
      }
    });
}
