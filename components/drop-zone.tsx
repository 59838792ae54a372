'use client';

import { type DragEvent, type ReactNode, useState } from 'react';
import { type PickedFile, filesFromDrop, filesFromInput } from '@/lib/client/collect-files';

/** Drop target plus "choose files" and "choose folder" buttons; folders keep their relative paths. */
export function DropZone({
  prompt,
  fileLabel,
  accept,
  testId,
  onFiles,
  children,
}: {
  prompt: string;
  fileLabel: string;
  accept: string;
  /** Prefix of the test ids: `${testId}dropzone`, `${testId}file-input`, `${testId}folder-input`. */
  testId: string;
  onFiles(files: PickedFile[]): void;
  children?: ReactNode;
}) {
  const [dragging, setDragging] = useState(false);
  async function onDrop(event: DragEvent) {
    event.preventDefault();
    setDragging(false);
    onFiles(await filesFromDrop(event.dataTransfer));
  }
  return (
    <div
      className={`dropzone${dragging ? ' dragging' : ''}`}
      data-testid={`${testId}dropzone`}
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <p>{prompt}</p>
      <div className="row">
        <label className="button">
          {fileLabel}
          <input
            type="file"
            multiple
            hidden
            accept={accept}
            data-testid={`${testId}file-input`}
            onChange={(e) => {
              onFiles(filesFromInput(e.target.files));
              e.target.value = '';
            }}
          />
        </label>
        <label className="button">
          Choose folder
          <input
            type="file"
            multiple
            hidden
            data-testid={`${testId}folder-input`}
            {...{ webkitdirectory: '', directory: '' }}
            onChange={(e) => {
              onFiles(filesFromInput(e.target.files));
              e.target.value = '';
            }}
          />
        </label>
      </div>
      {children}
    </div>
  );
}
