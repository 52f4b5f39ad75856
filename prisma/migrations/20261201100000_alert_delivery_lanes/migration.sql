-- Issue 29 (alerts that really arrive): each channel is its own delivery lane, with the vendor's
-- rate budget counted from the requests actually sent (shared by every Thaw process on the database).

-- How a delivery is going: retryable failures so far (throttling is not one), the key of the
-- message it was last sent in (an alert's id, or a digest's key: sent again unchanged after a
-- timeout, so DingTalk's msgUuid dedupes it), how many alerts that message held when it was a
-- digest, and whether it now waits for the service's rate limit.
ALTER TABLE "AlertDelivery" ADD COLUMN "failures" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "AlertDelivery" ADD COLUMN "batch" TEXT;
ALTER TABLE "AlertDelivery" ADD COLUMN "digest" INTEGER;
ALTER TABLE "AlertDelivery" ADD COLUMN "throttled" BOOLEAN NOT NULL DEFAULT false;

-- CreateIndex
CREATE INDEX "AlertDelivery_channel_status_nextAttemptAt_idx" ON "AlertDelivery"("channel", "status", "nextAttemptAt");

-- One row per channel name: who is sending on it (a lease, so no two processes send on one channel
-- at once and a killed one's lease runs out), and until when the service throttles it.
CREATE TABLE "AlertChannel" (
    "name" TEXT NOT NULL,
    "leaseOwner" TEXT,
    "leaseUntil" TIMESTAMP(3),
    "pausedUntil" TIMESTAMP(3),
    "pauseReason" TEXT,

    CONSTRAINT "AlertChannel_pkey" PRIMARY KEY ("name")
);

-- Every request sent to a channel (one per single alert or digest): the rate budget's ledger.
CREATE TABLE "AlertSend" (
    "id" SERIAL NOT NULL,
    "channel" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "alerts" INTEGER NOT NULL,
    "outcome" TEXT NOT NULL,
    "httpStatus" INTEGER,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AlertSend_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AlertSend_channel_at_idx" ON "AlertSend"("channel", "at");
