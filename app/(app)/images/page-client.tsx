'use client';

import { ImageGrid } from '@/components/image-grid';
import { Uploader } from '@/components/uploader';

export function ImagesPageClient({ canUpload, canDelete }: { canUpload: boolean; canDelete: boolean }) {
  return (
    <>
      <h1>Images</h1>
      {canUpload && <Uploader />}
      <ImageGrid canDelete={canDelete} />
    </>
  );
}
