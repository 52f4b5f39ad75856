// Lint: typescript-eslint's type-checked rules, plus the house's one direction of dependencies
// (cli/ → ingest/ → lib/ ← app/) and "only lib/env.ts reads process.env".
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
  // One direction: lib/ imports neither ingest/ nor cli/; ingest/ never imports cli/; app/ only lib/.
  {
    files: ['lib/**/*.ts', 'lib/**/*.tsx'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: noImport(
            ['**/ingest/**', '**/cli/**', '@/ingest/**', '@/cli/**'],
            'lib/ is the bottom layer: it imports neither ingest/ nor cli/.',
          ),
        },
      ],
    },
  },
  {
    files: ['ingest/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: noImport(['**/cli/**', '@/cli/**', '**/app/**'], 'ingest/ may use lib/, never cli/ or app/.') },
      ],
    },
  },
  {
    files: ['app/**/*.ts', 'app/**/*.tsx', 'proxy.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: noImport(['**/ingest/**', '**/cli/**', '@/ingest/**', '@/cli/**'], 'app/ is thin: it reads through lib/ only.') },
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
      'bench/**',
      'vitest.config.ts',
      'prisma.config.ts',
      'next.config.js',
      'eslint.config.mjs',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
);
