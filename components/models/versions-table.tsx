'use client';

import { type VersionRow, fmt, pct } from './types';

/** Every version with its held-out metrics, status and the promote / roll back action. */
export function VersionsTable({ versions, selected, onSelect, onPromote, busy }: {
  versions: VersionRow[];
  selected: string | null;
  onSelect: (id: string) => void;
  onPromote: (v: VersionRow) => void;
  busy: boolean;
}) {
  return (
    <table className="table" data-testid="versions">
      <thead>
        <tr>
          <th>Version</th><th>Status</th><th>Parent</th><th>Created</th><th>Held-out n</th><th>Age MAE</th><th>Gender acc.</th>
          <th>Bin exact / ±1</th><th>ECE</th><th>Labels (new / train)</th><th>Gate</th><th />
        </tr>
      </thead>
      <tbody>
        {[...versions].reverse().map((v) => {
          const o = v.metrics?.heldOut?.overall ?? v.metrics?.bundled?.test ?? null;
          const action = v.active ? null : v.status === 'REJECTED' || v.status === 'CANDIDATE' ? 'Promote anyway' : 'Roll back to this';
          return (
            <tr key={v.id} data-version={v.version} data-status={v.status} aria-selected={selected === v.id} onClick={() => onSelect(v.id)} style={{ cursor: 'pointer', background: selected === v.id ? '#eef3ff' : undefined }}>
              <td>
                <strong>{v.version}</strong>
                {v.served && <span className="status" title="browsers use this version"> serving</span>}
                {!v.available && <span className="error" role="alert"> files missing — not served</span>}
              </td>
              <td>{v.active ? 'active' : v.status.toLowerCase()}</td>
              <td>{v.parentVersion ?? '–'}</td>
              <td>{new Date(v.createdAt).toLocaleString()}</td>
              <td>{o?.n ?? '–'}</td>
              <td>{fmt(o?.ageMae)}</td>
              <td>{pct(o?.genderAccuracy)}</td>
              <td>{pct(o?.binExact)} / {pct(o?.binWithin1)}</td>
              <td>{fmt(o?.genderEce, 3)}</td>
              <td>{v.dataCounts?.bundled ? 'bundled (UTKFace)' : `${v.dataCounts?.newLabels ?? '–'} / ${v.dataCounts?.train ?? '–'}`}</td>
              <td className="small">{v.metrics?.gate?.reason ?? v.metrics?.bundled?.note ?? ''}</td>
              <td>
                {action && v.available && (
                  <button type="button" disabled={busy} onClick={(e) => { e.stopPropagation(); onPromote(v); }}>
                    {action}
                  </button>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
