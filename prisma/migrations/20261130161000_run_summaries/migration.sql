-- Per-run summaries kept current in PostgreSQL by ingest (lib/db/summaries.ts), so every web
-- process answers its first request from stored rows instead of rebuilding them in memory.

-- The runs-table row of a run as lib/analysis derives it from the run's series.
CREATE TABLE "RunSummary" (
    "runId" INTEGER NOT NULL,
    "rules" TEXT NOT NULL,
    "strategyKey" TEXT NOT NULL,
    "strategySort" INTEGER,
    "verdict" TEXT NOT NULL,
    "epochsDone" INTEGER NOT NULL,
    "lastTrainLoss" DOUBLE PRECISION,
    "bestValLoss" DOUBLE PRECISION,
    "finalGap" DOUBLE PRECISION,
    "searchText" TEXT NOT NULL,
    "view" JSONB NOT NULL,

    CONSTRAINT "RunSummary_pkey" PRIMARY KEY ("runId")
);

-- How a run's step points are bucketed (StepBucket).
CREATE TABLE "StepSeries" (
    "runId" INTEGER NOT NULL,
    "width" INTEGER NOT NULL,
    "lastStep" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "StepSeries_pkey" PRIMARY KEY ("runId")
);

-- Fixed-width buckets of a run's steps, split at epoch boundaries.
CREATE TABLE "StepBucket" (
    "runId" INTEGER NOT NULL,
    "first" INTEGER NOT NULL,
    "last" INTEGER NOT NULL,
    "epoch" INTEGER,
    "count" INTEGER NOT NULL,
    "sum" DOUBLE PRECISION NOT NULL,
    "min" DOUBLE PRECISION,
    "max" DOUBLE PRECISION,
    "nonFinite" BOOLEAN NOT NULL,
    "lr" DOUBLE PRECISION,
    "elapsed" DOUBLE PRECISION,

    CONSTRAINT "StepBucket_pkey" PRIMARY KEY ("runId","first")
);

CREATE INDEX "RunSummary_strategyKey_idx" ON "RunSummary"("strategyKey");

CREATE INDEX "RunSummary_verdict_idx" ON "RunSummary"("verdict");

ALTER TABLE "RunSummary" ADD CONSTRAINT "RunSummary_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "StepSeries" ADD CONSTRAINT "StepSeries_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "StepBucket" ADD CONSTRAINT "StepBucket_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Step points: the run's deletion removes them through one statement-level trigger instead of a
-- foreign key, whose check costs a trigger call per inserted row (a third of a backfill's COPY
-- cost). Ingest only ever writes steps for a run it has just upserted (and so locked) in the same
-- transaction, so the key cannot dangle; deleting a run or its source still removes every step.
ALTER TABLE "StepPoint" DROP CONSTRAINT "StepPoint_runId_fkey";

CREATE FUNCTION "thaw_delete_run_steps"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "StepPoint" s USING gone WHERE s."runId" = gone.id;
  RETURN NULL;
END $$;

CREATE TRIGGER "Run_delete_steps" AFTER DELETE ON "Run" REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION "thaw_delete_run_steps"();
