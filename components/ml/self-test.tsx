'use client';

import { useState } from 'react';
import type { PrelabelResult } from '@/lib/ml/prelabel-client';
import type { PrelabelWorker } from '@/lib/ml/prelabel-client';

export const SAMPLES = ['single.jpg', 'group.jpg', 'gray.jpg', 'alpha.png'];

type Row = { name: string; url: string; result?: PrelabelResult; error?: string };

/** Runs the worker on the bundled sample photos and draws the boxes with age/gender. */
export function SelfTest({ worker }: { worker: PrelabelWorker }) {
  const [rows, setRows] = useState<Row[]>([]);
  const [running, setRunning] = useState(false);

  const run = async () => {
    setRunning(true);
    const out: Row[] = [];
    for (const name of SAMPLES) {
      const url = `/ml-samples/${name}`;
      try {
        const blob = await (await fetch(url)).blob();
        out.push({ name, url, result: await worker.call<PrelabelResult>({ type: 'prelabel', image: blob }) });
      } catch (e) {
        out.push({ name, url, error: e instanceof Error ? e.message : String(e) });
      }
      setRows([...out]);
    }
    setRunning(false);
  };

  const faces = rows.reduce((s, r) => s + (r.result?.faces.length ?? 0), 0);
  const ms = rows.reduce((s, r) => s + (r.result?.ms ?? 0), 0);
  return (
    <section className="card">
      <h2>Self-test</h2>
      <button type="button" onClick={() => void run()} disabled={running} data-testid="self-test">
        {running ? 'Running…' : 'Run on sample photos'}
      </button>
      {rows.length > 0 && (
        <p data-testid="self-test-summary">
          {faces} faces in {rows.length} photos, {ms.toFixed(0)} ms{faces ? ` (${(ms / faces).toFixed(0)} ms per face)` : ''}
        </p>
      )}
      <div className="ml-samples">
        {rows.map((r) => (
          <figure key={r.name} data-testid="self-test-row" data-faces={r.result?.faces.length ?? -1}>
            <div style={{ position: 'relative', display: 'inline-block' }}>
              {/* eslint-disable-next-line @next/next/no-img-element */}
              <img src={r.url} alt={r.name} style={{ maxWidth: 480, display: 'block' }} width={r.result?.width} />
              {r.result?.faces.map((f, i) => (
                <div
                  key={i}
                  style={{
                    position: 'absolute',
                    left: `${(f.box.x / r.result!.width) * 100}%`,
                    top: `${(f.box.y / r.result!.height) * 100}%`,
                    width: `${(f.box.w / r.result!.width) * 100}%`,
                    height: `${(f.box.h / r.result!.height) * 100}%`,
                    border: '2px solid #2f5bea',
                  }}
                >
                  <span style={{ background: '#2f5bea', color: '#fff', fontSize: 11, padding: '0 3px' }}>
                    {f.pMale >= 0.5 ? 'M' : 'F'} {f.age.toFixed(0)}
                  </span>
                </div>
              ))}
            </div>
            <figcaption className="small">
              {r.name}: {r.error ? <span className="error">{r.error}</span> : `${r.result?.faces.length} faces, ${r.result?.ms.toFixed(0)} ms`}
            </figcaption>
          </figure>
        ))}
      </div>
    </section>
  );
}
