-- AlterTable
ALTER TABLE "Dataset" ADD COLUMN "detScoreThreshold" REAL;

-- CreateTable
CREATE TABLE "DetectorRun" (
    "imageId" TEXT NOT NULL PRIMARY KEY,
    "model" TEXT NOT NULL,
    "scoreThreshold" REAL NOT NULL,
    "floor" REAL NOT NULL,
    "detections" JSONB NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "DetectorRun_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "Image" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

