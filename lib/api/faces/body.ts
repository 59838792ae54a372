import { badRequest } from '@/lib/server/http/errors';

/** The request's JSON body; malformed JSON is a 400, not a server error. */
export async function jsonBody(req: Request): Promise<unknown> {
  try {
    return await req.json();
  } catch {
    throw badRequest('The request body must be JSON');
  }
}
