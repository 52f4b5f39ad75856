-- CreateTable
CREATE TABLE "LogSource" (
    "id" SERIAL NOT NULL,
    "host" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "device" TEXT NOT NULL,
    "inode" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "fingerprintLength" INTEGER NOT NULL,
    "committedOffset" BIGINT NOT NULL DEFAULT 0,
    "parserState" JSONB,
    "size" BIGINT NOT NULL DEFAULT 0,
    "state" TEXT NOT NULL DEFAULT 'active',
    "linesSeen" BIGINT NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LogSource_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Run" (
    "id" SERIAL NOT NULL,
    "sourceId" INTEGER NOT NULL,
    "runKey" BIGINT NOT NULL,
    "format" TEXT NOT NULL,
    "taskId" INTEGER,
    "taskName" TEXT,
    "description" TEXT,
    "language" TEXT,
    "stage" INTEGER,
    "outputDir" TEXT,
    "timestamp" TEXT,
    "status" TEXT NOT NULL DEFAULT 'running',
    "errorMessage" TEXT,
    "loadedFrom" TEXT,
    "pretrainedPath" TEXT,
    "resumeTaskId" INTEGER,
    "resumePath" TEXT,
    "parentRunId" INTEGER,
    "epochsTotal" INTEGER,
    "batchSize" INTEGER,
    "learningRate" DOUBLE PRECISION,
    "stepsPerEpoch" INTEGER,
    "totalSteps" INTEGER,
    "datasetFrames" INTEGER,
    "datasetFps" INTEGER,
    "totalParams" BIGINT,
    "trainableParams" BIGINT,
    "frozenParams" BIGINT,
    "bestLoss" DOUBLE PRECISION,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Run_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "VisionStrategy" (
    "runId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "spec" JSONB,
    "totalLayers" INTEGER,
    "frozenLayers" INTEGER[],
    "unfrozenLayers" INTEGER[],
    "applied" BOOLEAN NOT NULL,
    "failureReason" TEXT,
    "visionTrainableParams" BIGINT,
    "visionTotalParams" BIGINT,

    CONSTRAINT "VisionStrategy_pkey" PRIMARY KEY ("runId")
);

-- CreateTable
CREATE TABLE "EpochMetric" (
    "runId" INTEGER NOT NULL,
    "epoch" INTEGER NOT NULL,
    "trainLoss" DOUBLE PRECISION,
    "lr" DOUBLE PRECISION,
    "msPerBatch" DOUBLE PRECISION,
    "samplesPerSec" DOUBLE PRECISION,
    "durationMinutes" DOUBLE PRECISION,

    CONSTRAINT "EpochMetric_pkey" PRIMARY KEY ("runId","epoch")
);

-- CreateTable
CREATE TABLE "StepPoint" (
    "runId" INTEGER NOT NULL,
    "step" INTEGER NOT NULL,
    "epoch" INTEGER,
    "loss" DOUBLE PRECISION,
    "lr" DOUBLE PRECISION,
    "procMs" DOUBLE PRECISION,
    "elapsedS" DOUBLE PRECISION,

    CONSTRAINT "StepPoint_pkey" PRIMARY KEY ("runId","step")
);

-- CreateTable
CREATE TABLE "Validation" (
    "runId" INTEGER NOT NULL,
    "epoch" INTEGER NOT NULL,
    "final" BOOLEAN NOT NULL,
    "taskId" INTEGER NOT NULL,
    "loss" DOUBLE PRECISION,
    "retention" TEXT,

    CONSTRAINT "Validation_pkey" PRIMARY KEY ("runId","epoch","final","taskId")
);

-- CreateTable
CREATE TABLE "RunEvent" (
    "id" SERIAL NOT NULL,
    "runId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "line" INTEGER NOT NULL,
    "epoch" INTEGER,
    "loss" DOUBLE PRECISION,
    "path" TEXT,
    "message" TEXT,

    CONSTRAINT "RunEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ParseWarning" (
    "id" SERIAL NOT NULL,
    "sourceId" INTEGER NOT NULL,
    "runId" INTEGER,
    "line" INTEGER NOT NULL,
    "message" TEXT NOT NULL,

    CONSTRAINT "ParseWarning_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "LogSource_host_path_idx" ON "LogSource"("host", "path");

-- CreateIndex
CREATE UNIQUE INDEX "LogSource_host_device_inode_fingerprint_key" ON "LogSource"("host", "device", "inode", "fingerprint");

-- CreateIndex
CREATE INDEX "Run_taskId_status_idx" ON "Run"("taskId", "status");

-- CreateIndex
CREATE INDEX "Run_status_lastSeenAt_idx" ON "Run"("status", "lastSeenAt");

-- CreateIndex
CREATE INDEX "Run_outputDir_idx" ON "Run"("outputDir");

-- CreateIndex
CREATE INDEX "Run_parentRunId_idx" ON "Run"("parentRunId");

-- CreateIndex
CREATE UNIQUE INDEX "Run_sourceId_runKey_key" ON "Run"("sourceId", "runKey");

-- CreateIndex
CREATE INDEX "VisionStrategy_kind_idx" ON "VisionStrategy"("kind");

-- CreateIndex
CREATE UNIQUE INDEX "RunEvent_runId_kind_line_key" ON "RunEvent"("runId", "kind", "line");

-- CreateIndex
CREATE INDEX "ParseWarning_runId_idx" ON "ParseWarning"("runId");

-- CreateIndex
CREATE UNIQUE INDEX "ParseWarning_sourceId_line_message_key" ON "ParseWarning"("sourceId", "line", "message");

-- AddForeignKey
ALTER TABLE "Run" ADD CONSTRAINT "Run_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "LogSource"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Run" ADD CONSTRAINT "Run_parentRunId_fkey" FOREIGN KEY ("parentRunId") REFERENCES "Run"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VisionStrategy" ADD CONSTRAINT "VisionStrategy_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EpochMetric" ADD CONSTRAINT "EpochMetric_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StepPoint" ADD CONSTRAINT "StepPoint_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Validation" ADD CONSTRAINT "Validation_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RunEvent" ADD CONSTRAINT "RunEvent_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ParseWarning" ADD CONSTRAINT "ParseWarning_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "LogSource"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ParseWarning" ADD CONSTRAINT "ParseWarning_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;
