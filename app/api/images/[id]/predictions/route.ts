import { PredictionsBody, savePredictions } from '@/lib/api/predictions/save-predictions';
import { getDb } from '@/lib/server/db';
import { authed } from '@/lib/server/http/route';

/** The browser's pre-labels for one image (boxes + age/gender probabilities). */
export const POST = authed<{ id: string }>('images:upload', async ({ req, params }) => {
  const body = PredictionsBody.parse(await req.json());
  return Response.json(await savePredictions(await getDb(), params.id, body));
});
