// Lint: typescript-eslint's type-checked rules, plus the house's one direction of dependencies
// (cli/ → ingest/ → lib/ ← app/ and cli/ → delivery/ → lib/; testkit/, bench/, scripts/ and tests/
// on top, tests/ imported by nothing) and "only lib/env.ts reads process.env".
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const noImport = (patterns, message) => patterns.map((group) => ({ group: [group], message }));

export default tseslint.config(
  {
    ignores: ['node_modules/', '.next/', '.thaw/', '.thaw-build/', 'lib/generated/', 'next-env.d.ts', 'tests/fixtures/**/*.log'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through lib/env.ts (getEnv), the only reader of process.env.' },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: globals.node, parserOptions: { projectService: false, project: null } },
  },
  // One direction: lib/ imports neither ingest/, delivery/, cli/ nor app/; ingest/ and delivery/ never
  // import cli/ or each other; app/ only lib/.
  // Inside lib/, api/ (schemas, errors, params: the contract) is imported by views/, queries/ and
  // annotations/, never the other way. The unit tests beside the sources may also read the shared
  // test data in testkit/ (never tests/, the integration suite).
  {
    files: ['lib/**/*.ts', 'lib/**/*.tsx'],
    ignores: ['lib/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            ...noImport(
              [
                '**/ingest/**',
                '**/delivery/**',
                '**/cli/**',
                '**/app/**',
                '@/ingest/**',
                '@/delivery/**',
                '@/cli/**',
                '@/app/**',
                '**/testkit/**',
                '**/tests/**',
              ],
              'lib/ is the bottom layer: it imports neither ingest/, delivery/, cli/, app/ nor test code.',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['lib/api/**/*.ts'],
    ignores: ['lib/api/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: noImport(
            ['**/ingest/**', '**/cli/**', '**/app/**', '**/views/**', '**/queries/**', '**/annotations/**', '**/testkit/**', '**/tests/**'],
            'lib/api/ is the contract the rest of lib/ imports: it imports neither views/, queries/ nor annotations/.',
          ),
        },
      ],
    },
  },
  {
    files: ['lib/**/*.test.ts', 'ingest/**/*.test.ts', 'delivery/**/*.test.ts', 'cli/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            ...noImport(
              ['**/app/**', '@/app/**', '**/bench/**', '**/scripts/**'],
              'A unit test imports its source and shared test data only.',
            ),
            ...noImport(['**/tests/**', '@/tests/**'], 'Unit tests take shared test data from testkit/ (tests/ is the integration suite).'),
          ],
        },
      ],
    },
  },
  {
    files: ['ingest/**/*.ts'],
    ignores: ['ingest/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: noImport(
            ['**/cli/**', '@/cli/**', '**/delivery/**', '@/delivery/**', '**/app/**', '**/testkit/**', '**/tests/**'],
            'ingest/ may use lib/, never cli/, delivery/, app/ or test code.',
          ),
        },
      ],
    },
  },
  // delivery/: sends what the alert outbox holds (fan-out, one lane per channel). cli/ starts it; it
  // uses lib/ only: the outbox is filled by ingest/, and delivery reads the tables, never the writer.
  {
    files: ['delivery/**/*.ts'],
    ignores: ['delivery/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: noImport(
            ['**/ingest/**', '@/ingest/**', '**/cli/**', '@/cli/**', '**/app/**', '@/app/**', '**/testkit/**', '**/tests/**'],
            'delivery/ may use lib/, never ingest/, cli/, app/ or test code.',
          ),
        },
      ],
    },
  },
  // testkit/: what tests, the bench, scripts and the demo share to make data and drive the app. It sits
  // beside cli/ (it may use ingest/ and lib/), and never imports tests/, bench/ or scripts/.
  {
    files: ['testkit/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: noImport(
            ['**/tests/**', '**/bench/**', '**/scripts/**', '**/app/**', '@/app/**'],
            'testkit/ is shared by tests/, bench/ and scripts/: it imports none of them.',
          ),
        },
      ],
    },
  },
  // bench/ and scripts/ use the product and testkit/, never the test suite.
  {
    files: ['bench/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            ...noImport(['**/tests/**', '@/tests/**'], 'bench/ and scripts/ share code with tests through testkit/, never tests/.'),
            ...noImport(['**/app/**', '@/app/**'], 'bench/ and scripts/ drive the app over HTTP, never by importing it.'),
          ],
        },
      ],
    },
  },
  // tests/ is the top: nothing imports it (above), and it does not import the bench or scripts.
  {
    files: ['tests/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: noImport(['**/bench/**', '**/scripts/**'], 'tests/ may use everything but bench/ and scripts/.') },
      ],
    },
  },
  {
    files: ['app/**/*.ts', 'app/**/*.tsx', 'proxy.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: noImport(
            ['**/ingest/**', '**/delivery/**', '**/cli/**', '@/ingest/**', '@/delivery/**', '@/cli/**'],
            'app/ is thin: it reads through lib/ only.',
          ),
        },
      ],
    },
  },
  // Where process.env is legitimately touched: the env module, launchers and child-process set-up.
  {
    files: [
      'lib/env.ts',
      'scripts/**',
      'bin/**',
      'tests/**',
      'testkit/**',
      'bench/**',
      'vitest.config.ts',
      'prisma.config.ts',
      'next.config.js',
      'eslint.config.mjs',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
);
