import type { Prisma } from '@/prisma/generated/sqlite/client';

/** The columns a label-history snapshot records (before → after of every change). */
export const snapshotSelect = {
  id: true,
  imageId: true,
  status: true,
  gender: true,
  age: true,
  ageBin: true,
  race: true,
  x: true,
  y: true,
  w: true,
  h: true,
  version: true,
  labeledById: true,
} as const;

export type SnapshotSource = {
  status: string;
  gender: string | null;
  age: number | null;
  ageBin: number | null;
  race: string | null;
  x: number;
  y: number;
  w: number;
  h: number;
};

export function snapshot(face: SnapshotSource): Prisma.InputJsonObject {
  return {
    status: face.status,
    gender: face.gender,
    age: face.age,
    ageBin: face.ageBin,
    race: face.race,
    box: { x: face.x, y: face.y, w: face.w, h: face.h },
  };
}

/** Equal label state (status, labels, box): a repeated identical save changes nothing. */
export function sameState(a: SnapshotSource, b: SnapshotSource): boolean {
  return JSON.stringify(snapshot(a)) === JSON.stringify(snapshot(b));
}
