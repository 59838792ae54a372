import { DetectorThresholdBody, setDetectorThreshold } from '@/lib/api/models/set-detector-threshold';
import { getDb } from '@/lib/server/db';
import { authed } from '@/lib/server/http/route';

/** POST { datasetId, threshold | null }: the detector's score threshold for that dataset's pre-labels (audited). */
export const POST = authed('models:manage', async ({ req, user }) => {
  const body = DetectorThresholdBody.parse(await req.json().catch(() => ({})));
  return Response.json(await setDetectorThreshold(await getDb(), user.id, body));
});
