import { getDb } from '@/lib/server/db';

/** Public liveness + database check, for load balancers and the test harness. */
export async function GET() {
  try {
    const prisma = await getDb();
    await prisma.$queryRawUnsafe('SELECT 1');
    return Response.json({ ok: true });
  } catch {
    return Response.json({ ok: false, error: 'database unavailable' }, { status: 503 });
  }
}
