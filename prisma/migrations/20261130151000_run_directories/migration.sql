-- Run directories: TensorBoard event files, training_results.json and Hydra configs are sources too,
-- and one run may be built from several sources (joined on the run directory it names).

-- AlterTable
ALTER TABLE "LogSource" ADD COLUMN "kind" TEXT NOT NULL DEFAULT 'log';

-- AlterTable
ALTER TABLE "Run" ADD COLUMN "identity" TEXT,
ADD COLUMN "configTree" JSONB,
ADD COLUMN "configStrategy" JSONB;

-- AlterTable
ALTER TABLE "VisionStrategy" ADD COLUMN "source" TEXT NOT NULL DEFAULT 'log';

-- CreateTable
CREATE TABLE "RunSource" (
    "sourceId" INTEGER NOT NULL,
    "runKey" BIGINT NOT NULL,
    "runId" INTEGER NOT NULL,

    CONSTRAINT "RunSource_pkey" PRIMARY KEY ("sourceId","runKey")
);

-- CreateIndex
CREATE INDEX "RunSource_runId_idx" ON "RunSource"("runId");

-- CreateIndex
CREATE UNIQUE INDEX "Run_identity_key" ON "Run"("identity");

-- AddForeignKey
ALTER TABLE "RunSource" ADD CONSTRAINT "RunSource_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "LogSource"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RunSource" ADD CONSTRAINT "RunSource_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Every existing run was built from its own log.
INSERT INTO "RunSource" ("sourceId", "runKey", "runId") SELECT "sourceId", "runKey", id FROM "Run";
