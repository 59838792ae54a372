import { z } from 'zod';
import type { PrismaClient } from '@/lib/server/db';

export const ListImagesQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(48),
  datasetId: z.string().max(64).optional(),
  q: z.string().trim().max(200).optional(),
});

export const imageListSelect = {
  id: true,
  sourceName: true,
  width: true,
  height: true,
  bytes: true,
  mimeType: true,
  createdAt: true,
  dataset: { select: { id: true, name: true } },
  uploadedBy: { select: { email: true } },
  _count: { select: { faces: true } },
} as const;

export async function listImages(prisma: PrismaClient, query: z.infer<typeof ListImagesQuery>) {
  const where = {
    ...(query.datasetId ? { datasetId: query.datasetId } : {}),
    ...(query.q ? { sourceName: { contains: query.q } } : {}),
  };
  const [rows, total, faces] = await Promise.all([
    prisma.image.findMany({
      where,
      select: imageListSelect,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      skip: (query.page - 1) * query.pageSize,
      take: query.pageSize,
    }),
    prisma.image.count({ where }),
    prisma.face.count({ where: { image: where } }),
  ]);
  return {
    images: rows.map(({ _count, ...image }) => ({ ...image, faceCount: _count.faces })),
    total,
    faces,
    page: query.page,
    pageSize: query.pageSize,
  };
}
