-- LeRobot runs: episodes, failed model push, estimated steps with their extra metrics, evaluations by step.
ALTER TABLE "Run" ADD COLUMN "pushError" TEXT;
ALTER TABLE "Run" ADD COLUMN "episodes" INTEGER;
ALTER TABLE "Run" ADD COLUMN "stepRevision" INTEGER NOT NULL DEFAULT 0;

ALTER TABLE "StepPoint" ADD COLUMN "estimated" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "StepPoint" ADD COLUMN "metrics" JSONB;

-- CreateTable
CREATE TABLE "EvalPoint" (
    "runId" INTEGER NOT NULL,
    "step" INTEGER NOT NULL,
    "successRate" DOUBLE PRECISION,
    "reward" DOUBLE PRECISION,
    "evalS" DOUBLE PRECISION,
    "loss" DOUBLE PRECISION,

    CONSTRAINT "EvalPoint_pkey" PRIMARY KEY ("runId","step")
);

-- AddForeignKey
ALTER TABLE "EvalPoint" ADD CONSTRAINT "EvalPoint_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;
