'use client';

import { useCallback, useState } from 'react';
import { ImageGrid } from '@/components/image-grid';
import { PrelabelPanel } from '@/components/prelabel/prelabel-panel';
import { Uploader } from '@/components/uploader';

export function ImagesPageClient({ canUpload, canDelete }: { canUpload: boolean; canDelete: boolean }) {
  const [uploadedIds, setUploadedIds] = useState<string[]>([]);
  const onUploaded = useCallback((ids: string[]) => setUploadedIds((all) => [...new Set([...all, ...ids])]), []);
  return (
    <>
      <h1>Images</h1>
      {canUpload && <Uploader onUploaded={onUploaded} />}
      {canUpload && <PrelabelPanel uploadedIds={uploadedIds} />}
      <ImageGrid canDelete={canDelete} />
    </>
  );
}
