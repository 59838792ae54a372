'use client';

import { useEffect, useState } from 'react';
import { MIRROR_STORAGE_KEY, SCAN_STORAGE_KEY, requestedPipelineOptions } from '@/lib/ml/prelabel-client';

const SCAN_LABELS = {
  auto: 'Auto — a quick pass; a closer look only when faces are small or none were found',
  both: 'Thorough — both passes on every photo (crowds, faces far away; slower)',
} as const;
const MIRROR_LABELS = {
  uncertain: 'Uncertain faces — mirror only the faces the model is unsure of',
  all: 'Every face — the most accurate, about twice the age/gender work',
} as const;

/** Speed/accuracy settings of the pre-label pipeline, kept per browser; the next pre-label run uses them. */
export function PipelineSettings() {
  const [scan, setScan] = useState<keyof typeof SCAN_LABELS>('auto');
  const [mirror, setMirror] = useState<keyof typeof MIRROR_LABELS>('uncertain');
  useEffect(() => {
    const o = requestedPipelineOptions();
    setScan(o.scan as keyof typeof SCAN_LABELS);
    setMirror(o.mirror as keyof typeof MIRROR_LABELS);
  }, []);
  const save = (key: string, value: string, fallback: string) => {
    if (value === fallback) window.localStorage.removeItem(key);
    else window.localStorage.setItem(key, value);
  };
  return (
    <section className="card" data-testid="pipeline-settings">
      <h2>Pre-labeling</h2>
      <label>
        Face search{' '}
        <select
          value={scan}
          data-testid="scan-choice"
          onChange={(e) => {
            setScan(e.target.value as typeof scan);
            save(SCAN_STORAGE_KEY, e.target.value, 'auto');
          }}
        >
          {Object.entries(SCAN_LABELS).map(([k, label]) => (
            <option key={k} value={k}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Mirrored second look{' '}
        <select
          value={mirror}
          data-testid="mirror-choice"
          onChange={(e) => {
            setMirror(e.target.value as typeof mirror);
            save(MIRROR_STORAGE_KEY, e.target.value, 'uncertain');
          }}
        >
          {Object.entries(MIRROR_LABELS).map(([k, label]) => (
            <option key={k} value={k}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <p className="small muted">
        Measured on UTKFace test faces (round-0 model): mirroring every face gives age MAE 4.26 / gender 95.3%, only the uncertain 10% gives
        4.41 / 95.2%. The quick pass finds faces down to about a tenth of the photo&apos;s long side; smaller ones need the closer look.
      </p>
    </section>
  );
}
