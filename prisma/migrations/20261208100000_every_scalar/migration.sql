-- Every TensorBoard scalar of a run (docs/log-formats.md §7), stored as TensorBoard shows it: per
-- (run, dir, tag) one summary row, and the points in chunks of up to 1,024 per row, as written.
--
-- Why chunks and not one row per point (measured on this machine, 20 tags × 100,000 points):
-- one row per point took 3.7 s to COPY, 225 MB, and 135 ms to read one tag's 100,000 points; chunks
-- of 1,024 points in uncompressed bytea columns took 0.41 s, 48 MB (24 bytes a point), and 23 ms.
-- With pglz compression they shrank to 28 MB but took 1.84 s to COPY: the columns are stored
-- uncompressed (STORAGE EXTERNAL), so the time a write takes is the time to move the bytes.

-- One row per (run, dir, tag): the tag list and the runs table never touch the points. The store
-- keeps the summary current in each batch's transaction (ingest/store/scalars.ts).
CREATE TABLE "ScalarTag" (
    "id" SERIAL NOT NULL,
    "runId" INTEGER NOT NULL,
    "dir" TEXT NOT NULL,
    "tag" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "firstStep" DOUBLE PRECISION NOT NULL,
    "lastStep" DOUBLE PRECISION NOT NULL,
    "firstWallTime" DOUBLE PRECISION NOT NULL,
    "lastWallTime" DOUBLE PRECISION NOT NULL,
    "lastValue" DOUBLE PRECISION NOT NULL,
    "lastFile" TEXT NOT NULL,
    "lastOrd" BIGINT NOT NULL,
    "minValue" DOUBLE PRECISION,
    "maxValue" DOUBLE PRECISION,

    CONSTRAINT "ScalarTag_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "ScalarTag_runId_dir_tag_key" ON "ScalarTag"("runId", "dir", "tag");

ALTER TABLE "ScalarTag" ADD CONSTRAINT "ScalarTag_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Up to 1,024 points of one tag from one event file, in file order: little-endian float64 columns
-- end to end (step, wall time, value). `firstOrd` is the first point's ordinal among the file's
-- points, so a tag's points read in (step, source, file order).
CREATE TABLE "ScalarChunk" (
    "tagId" INTEGER NOT NULL,
    "sourceId" INTEGER NOT NULL,
    "firstOrd" BIGINT NOT NULL,
    "count" INTEGER NOT NULL,
    "firstStep" DOUBLE PRECISION NOT NULL,
    "lastStep" DOUBLE PRECISION NOT NULL,
    "steps" BYTEA NOT NULL,
    "wallTimes" BYTEA NOT NULL,
    "values" BYTEA NOT NULL,

    CONSTRAINT "ScalarChunk_pkey" PRIMARY KEY ("tagId", "sourceId", "firstOrd")
);

ALTER TABLE "ScalarChunk" ALTER COLUMN "steps" SET STORAGE EXTERNAL,
    ALTER COLUMN "wallTimes" SET STORAGE EXTERNAL,
    ALTER COLUMN "values" SET STORAGE EXTERNAL;

CREATE INDEX "ScalarChunk_sourceId_idx" ON "ScalarChunk"("sourceId");

ALTER TABLE "ScalarChunk" ADD CONSTRAINT "ScalarChunk_tagId_fkey" FOREIGN KEY ("tagId") REFERENCES "ScalarTag"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "ScalarChunk" ADD CONSTRAINT "ScalarChunk_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "LogSource"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Values of other plugins (images, histograms, graphs, text, hparams…), counted per event file: the
-- run page says what is not shown. Per source, so a file read again from its start replaces its own.
CREATE TABLE "ScalarPluginCount" (
    "runId" INTEGER NOT NULL,
    "dir" TEXT NOT NULL,
    "plugin" TEXT NOT NULL,
    "sourceId" INTEGER NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "ScalarPluginCount_pkey" PRIMARY KEY ("runId", "dir", "plugin", "sourceId")
);

ALTER TABLE "ScalarPluginCount" ADD CONSTRAINT "ScalarPluginCount_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "ScalarPluginCount" ADD CONSTRAINT "ScalarPluginCount_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "LogSource"("id") ON DELETE CASCADE ON UPDATE CASCADE;
