import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

// Two projects, split by where a test file lives, so a new test lands in the right one by itself:
// - unit: pure tests beside their source (lib/, ingest/, delivery/, cli/, testkit/). No global setup: no `next build`, no
//   PostgreSQL; `npm run test:unit` or `npx vitest run lib/analysis/overfitting.test.ts` take seconds.
// - integration: everything under tests/, with the global setup that builds the web app (when its
//   sources changed) and starts one embedded PostgreSQL per run (tests/helpers/global-setup.ts).
// `vitest run` runs both; the summary reporter's closing line counts them together. Only the
// projects that have files to run get their global setup (vitest always sets up the root config,
// which is why the global setup lives in the integration project, never at the root).
export default defineConfig({
  resolve: { alias: { '@': fileURLToPath(new URL('.', import.meta.url)) } },
  test: {
    reporters: ['default', './tests/helpers/summary-reporter.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['lib/**/*.test.ts', 'ingest/**/*.test.ts', 'delivery/**/*.test.ts', 'cli/**/*.test.ts', 'testkit/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/**/*.test.ts'],
          // Integration tests share one embedded PostgreSQL per run (tests/helpers/db.ts); two cores.
          globalSetup: ['tests/helpers/global-setup.ts'],
        },
      },
    ],
  },
});
