'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { FaceOverlay } from '@/components/prelabel/face-overlay';
import { binText, shortLabel } from '@/components/prelabel/face-label';
import styles from '@/components/prelabel/prelabel.module.css';
import { apiFetch } from '@/lib/client/api';

type Prediction = {
  model: string | null;
  detScore: number | null;
  gender: string | null;
  genderConf: number | null;
  age: number | null;
  ageBin: number | null;
  ageBinConf: number | null;
  uncertainty: number;
  uncertaintyWhy: string | null;
};
type Face = {
  id: string;
  box: { x: number; y: number; w: number; h: number };
  boxSource: string;
  status: string;
  label: { gender: string | null; age: number | null; ageBin: number | null } | null;
  prediction: Prediction | null;
};
type Detail = {
  image: { id: string; sourceName: string; width: number; height: number; createdAt: string; prelabelModel: string | null; prelabeledAt: string | null; dataset: { name: string } };
  faces: Face[];
};

const HUMAN = new Set(['LABELED', 'REVIEWED', 'IMPORTED']);

function boxLabel(face: Face): string {
  if (face.label && HUMAN.has(face.status)) {
    const g = face.label.gender === 'MALE' ? 'Male' : face.label.gender === 'FEMALE' ? 'Female' : (face.label.gender?.toLowerCase() ?? '?');
    return `✓ ${g} · ${face.label.age ?? '?'} y`;
  }
  return face.prediction ? shortLabel(face.prediction) : 'no prediction';
}

/** One photo with all its boxes and their age/gender labels and confidences. */
export function ImageDetailClient({ id, canLabel }: { id: string; canLabel: boolean }) {
  const router = useRouter();
  const [on, setOn] = useState<string | null>(null);
  const { data, error, isPending } = useQuery({
    queryKey: ['image-faces', id],
    queryFn: () => apiFetch<Detail>(`/api/images/${encodeURIComponent(id)}/faces`),
  });

  if (isPending) return <p className="muted">Loading…</p>;
  if (error)
    return (
      <>
        <p>
          <Link href="/images">← Images</Link>
        </p>
        <p className="error" role="alert">
          Could not load this image: {error.message}
        </p>
      </>
    );
  const { image, faces } = data;
  const open = (faceId: string) => canLabel && router.push(`/annotate?face=${encodeURIComponent(faceId)}`);

  return (
    <>
      <p>
        <Link href="/images">← Images</Link>
      </p>
      <h1>{image.sourceName}</h1>
      <p className={styles.meta} data-testid="image-meta">
        {image.width}×{image.height} · {image.dataset.name} · {faces.length} face{faces.length === 1 ? '' : 's'} ·{' '}
        {image.prelabelModel ? (
          <>
            pre-labeled by <strong data-testid="image-prelabel-model">{image.prelabelModel}</strong>
            {image.prelabeledAt ? ` on ${new Date(image.prelabeledAt).toLocaleString()}` : ''}
          </>
        ) : (
          'not pre-labeled yet (use Pre-label on the Images page)'
        )}
      </p>
      <div className={styles.detail}>
        <FaceOverlay
          testId="image-detail"
          src={`/api/images/${encodeURIComponent(image.id)}/file`}
          width={image.width}
          height={image.height}
          alt={image.sourceName}
          highlighted={on}
          boxes={faces.map((f) => ({
            key: f.id,
            box: f.box,
            label: boxLabel(f),
            gender: (f.label && HUMAN.has(f.status) ? f.label.gender : f.prediction?.gender) ?? null,
            labeled: HUMAN.has(f.status),
          }))}
        />
        <div>
          {faces.length === 0 ? (
            <p className="muted">{image.prelabelModel ? 'The model found no face in this image.' : 'No faces yet.'}</p>
          ) : (
            <table className={styles.facesTable} data-testid="face-table" aria-label="Faces">
              <thead>
                <tr>
                  <th>#</th>
                  <th>Model says</th>
                  <th>Age bin</th>
                  <th title="Detector score">Det.</th>
                  <th>Status</th>
                </tr>
              </thead>
              <tbody>
                {faces.map((f, i) => (
                  <tr
                    key={f.id}
                    data-face-id={f.id}
                    tabIndex={0}
                    className={on === f.id ? styles.on : undefined}
                    onFocus={() => setOn(f.id)}
                    onBlur={() => setOn(null)}
                    onMouseEnter={() => setOn(f.id)}
                    onMouseLeave={() => setOn(null)}
                    onKeyDown={(e) => e.key === 'Enter' && open(f.id)}
                    onDoubleClick={() => open(f.id)}
                    title={f.prediction?.uncertaintyWhy ?? undefined}
                  >
                    <td>{i + 1}</td>
                    <td>{f.prediction ? shortLabel(f.prediction) : '–'}</td>
                    <td>{f.prediction ? binText(f.prediction) : '–'}</td>
                    <td>{f.prediction?.detScore != null ? f.prediction.detScore.toFixed(2) : '–'}</td>
                    <td>
                      {f.status.toLowerCase()}
                      {f.label && HUMAN.has(f.status) ? ` (${boxLabel(f).slice(2)})` : ''}
                      {canLabel && (
                        <>
                          {' · '}
                          <Link href={`/annotate?face=${encodeURIComponent(f.id)}`}>edit</Link>
                        </>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {faces.length > 0 && <p className="muted small">Focus a row (Tab) to find its box; Enter opens it in the editor.</p>}
        </div>
      </div>
    </>
  );
}
