import { detectorCalibration } from '@/lib/api/models/detector-calibration';
import { getDb } from '@/lib/server/db';
import { authed } from '@/lib/server/http/route';

/** GET: per dataset, the face detector against the boxes people finished (P/R/F1 at IoU 0.5, threshold sweep, recommendation). */
export const GET = authed('models:manage', async () => Response.json(await detectorCalibration(await getDb())));
