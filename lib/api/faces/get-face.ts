import type { PrismaClient } from '@/lib/server/db';
import { editorViewOrThrow, history } from './editor-face';

/** One face for the editor (any status), with its image, neighbours and label history. */
export async function getFace(prisma: PrismaClient, id: string, viewerId: string) {
  const view = await editorViewOrThrow(prisma, id, viewerId);
  return { ...view, history: await history(prisma, id) };
}
