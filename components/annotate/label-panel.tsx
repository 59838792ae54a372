'use client';

import type { EditorFace } from '@/lib/client/annotate-api';
import { MAX_AGE, ageToBin, binLabel, isValidAge } from '@/lib/domain/age-bins';
import { GENDER_LABEL, GENDERS, type Gender, RACE_LABEL, RACES, type Race } from '@/lib/domain/labels';
import type { Draft } from './editor-state';

const pct = (p: number | null | undefined) => (p === null || p === undefined ? '' : ` ${(p * 100).toFixed(0)}%`);

/** Human value beside the model's, for gender, age and race; every control also has a key. */
export function LabelPanel({
  face,
  draft,
  value,
  onEdit,
  ageInputRef,
}: {
  face: EditorFace;
  draft: Draft;
  value: { gender: Gender | null; age: number | null; race: Race | null };
  onEdit(patch: Draft): void;
  ageInputRef: React.RefObject<HTMLInputElement | null>;
}) {
  const p = face.prediction;
  const edited = (k: keyof Draft) => (k in draft ? ' edited' : '');
  return (
    <section className="label-panel" aria-label="Labels">
      <p className="why" data-testid="why">
        Queued because: {face.why}
      </p>
      <div className={`field${edited('gender')}`}>
        <span className="field-name">Gender</span>
        <div className="choices" role="radiogroup" aria-label="Gender">
          {GENDERS.map((g, i) => (
            <button
              key={g}
              type="button"
              role="radio"
              aria-checked={value.gender === g}
              className={value.gender === g ? 'choice on' : 'choice'}
              onClick={(e) => {
                onEdit({ gender: g });
                e.currentTarget.blur();
              }}
            >
              <kbd>{i + 1}</kbd> {GENDER_LABEL[g]}
            </button>
          ))}
        </div>
        <span className="model">model: {p?.gender ? `${GENDER_LABEL[p.gender]}${pct(p.genderConf)}` : '–'}</span>
      </div>
      <div className={`field${edited('age')}`}>
        <span className="field-name">Age</span>
        <div className="age-row">
          <input
            ref={ageInputRef}
            aria-label="Age"
            data-testid="age-input"
            inputMode="numeric"
            value={value.age ?? ''}
            placeholder="years"
            aria-invalid={value.age !== null && !isValidAge(value.age)}
            onChange={(e) => {
              // Keep what was typed (also 200 or -1) so the message below can say what is wrong.
              const text = e.target.value.trim().slice(0, 4);
              if (/^-?\d+$/.test(text)) onEdit({ age: Number(text) });
            }}
          />
          <span className="bin" data-testid="age-bin">
            bin {value.age !== null && isValidAge(value.age) ? binLabel(ageToBin(value.age)) : '–'} <kbd>↑</kbd>
            <kbd>↓</kbd>
          </span>
        </div>
        {value.age !== null && !isValidAge(value.age) && (
          <span className="error small" role="alert" data-testid="age-error">
            Age must be a whole number of years from 0 to {MAX_AGE} (got {value.age}).
          </span>
        )}
        <span className="model">
          model: {p?.age !== null && p?.age !== undefined ? `${Math.round(p.age)} y (bin ${binLabel(p.ageBin ?? 0)}${pct(p.ageBinConf)})` : '–'}
        </span>
      </div>
      <div className={`field${edited('race')}`}>
        <span className="field-name">Race</span>
        <select
          aria-label="Race"
          value={value.race ?? ''}
          onChange={(e) => {
            onEdit({ race: (e.target.value || null) as Race | null });
            e.currentTarget.blur();
          }}
        >
          <option value="">not set</option>
          {RACES.map((r) => (
            <option key={r} value={r}>
              {RACE_LABEL[r]}
            </option>
          ))}
        </select>
        <span className="model">
          <kbd>R</kbd> cycles · model: {p?.race ? `${RACE_LABEL[p.race]}${pct(p.raceConf)}` : '–'}
        </span>
      </div>
      <p className="muted small">
        {p?.model ? `model ${p.model}` : 'no prediction yet'} · status {face.status.toLowerCase()} · v{face.version}
      </p>
    </section>
  );
}
