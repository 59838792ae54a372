-- AlterTable
ALTER TABLE "Face" ADD COLUMN     "servedReason" TEXT;

-- AlterTable
ALTER TABLE "LabelEvent" ADD COLUMN     "requestId" TEXT;

-- CreateIndex
CREATE INDEX "Face_leaseOwnerId_leaseExpiresAt_idx" ON "Face"("leaseOwnerId", "leaseExpiresAt");

-- CreateIndex
CREATE INDEX "LabelEvent_createdAt_idx" ON "LabelEvent"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "LabelEvent_userId_requestId_key" ON "LabelEvent"("userId", "requestId");

