-- Issue 13 (speed at 10,000 runs).
--
-- Stage linking (ingest/store.ts linkStages) looks parents up by the last segment of their output
-- directory instead of reading every run with one. An expression index: Prisma's schema language
-- cannot declare it, so it lives here only (tests/db/schema-drift.test.ts compares column indexes).
CREATE INDEX "Run_runDirName_idx" ON "Run" ((regexp_replace(rtrim(replace(btrim("outputDir", E' \t\n\r'), E'\\', '/'), '/'), '^.*/', '')));
