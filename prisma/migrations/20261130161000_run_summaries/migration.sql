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
