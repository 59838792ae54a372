-- AlterTable
ALTER TABLE "Dataset" ADD COLUMN     "detScoreThreshold" DOUBLE PRECISION;

-- CreateTable
CREATE TABLE "DetectorRun" (
    "imageId" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "scoreThreshold" DOUBLE PRECISION NOT NULL,
    "floor" DOUBLE PRECISION NOT NULL,
    "detections" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DetectorRun_pkey" PRIMARY KEY ("imageId")
);

-- AddForeignKey
ALTER TABLE "DetectorRun" ADD CONSTRAINT "DetectorRun_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "Image"("id") ON DELETE CASCADE ON UPDATE CASCADE;

