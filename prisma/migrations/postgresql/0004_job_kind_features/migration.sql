-- AlterEnum: background feature extraction jobs (workers/jobs/prefetch-features.ts)
ALTER TYPE "JobKind" ADD VALUE 'FEATURES';
