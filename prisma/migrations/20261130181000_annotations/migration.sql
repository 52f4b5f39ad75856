-- Annotations (issue 12): what people say about runs and tasks. Keyed by what identifies a run in its
-- own output (lib/db/run-key.ts), never by "Run".id, so they reattach when the same log is ingested
-- again into a fresh row.

-- CreateTable
CREATE TABLE "RunAnnotation" (
    "key" TEXT NOT NULL,
    "name" TEXT,
    "tags" TEXT[],
    "note" TEXT,
    "starred" BOOLEAN NOT NULL DEFAULT false,
    "hidden" BOOLEAN NOT NULL DEFAULT false,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RunAnnotation_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "TaskAnnotation" (
    "taskId" INTEGER NOT NULL,
    "episodes" INTEGER,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TaskAnnotation_pkey" PRIMARY KEY ("taskId")
);
