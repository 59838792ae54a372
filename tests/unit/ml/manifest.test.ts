import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AGE_BIN_EDGES } from '../../../lib/domain/age-bins';
import { activeVersionPath, type ModelManifest, parseManifest, parseRegistry, type Registry, withVersion } from '../../../lib/ml/manifest';

const summary = { n: 10, ageMae: 4.2, genderAccuracy: 0.95, binExact: 0.4, binWithin1: 0.8, genderEce: 0.02 };
const report = { overall: summary, byAgeBand: { '0–2': summary }, byGender: { MALE: summary }, byRace: { WHITE: summary } };

function sampleManifest(): ModelManifest {
  return {
    schemaVersion: 1,
    name: 'agegender',
    version: 'r0',
    created: '2026-11-29T03:00:00.000Z',
    parentVersion: null,
    backbones: [
      {
        id: 'faceapi-agegender',
        package: '@vladmandic/face-api',
        packageVersion: '1.7.15',
        license: 'MIT',
        files: ['age_gender_model-weights_manifest.json', 'age_gender_model.bin'],
        weightsBaseUrl: '/models/vendor/face-api',
        input: { size: 112, colorOrder: 'RGB', mean: [122.782, 117.001, 104.298], scale: 1 / 255, padValue: 0 },
        featureNodes: [{ name: 'gap', dims: 512 }],
        trainedOnUtkFace: true,
      },
    ],
    preprocessing: { cropMargin: 0, box: 'detector box', resize: 'triangle-antialiased-v1', flipTta: 'mean-predictions' },
    ageBinEdges: [...AGE_BIN_EDGES],
    heads: {
      modelJson: 'model.json',
      weights: ['weights.bin'],
      featureLayout: [{ backbone: 'faceapi-agegender', node: 'gap', dims: 512 }],
      inputDims: 512,
      outputs: [
        { name: 'gender', kind: 'gender-sigmoid' },
        { name: 'age_bins', kind: 'age-bins-softmax' },
        { name: 'age_reg', kind: 'age-regression' },
      ],
      ageRegression: { mean: 33, std: 20 },
      ageFrom: 'mean',
      genderSpecificAge: false,
      architecture: 'dense(512)+BN+ReLU+dropout',
    },
    trainingData: {
      datasets: ['UTKFace'],
      counts: { train: 8, val: 1, test: 1 },
      splitSeed: 'facet-v1',
      splitKey: 'file name',
      genderMissingInTrain: 0,
    },
    training: { optimizer: 'adam' },
    metrics: { val: report, test: report },
    notes: ['a note'],
  };
}

describe('model manifest schema', () => {
  it('round-trips through JSON unchanged', () => {
    const m = sampleManifest();
    const back = parseManifest(JSON.parse(JSON.stringify(m)));
    expect(back).toEqual(m);
  });

  it('rejects missing or malformed fields', () => {
    const { heads: _heads, ...noHeads } = sampleManifest();
    expect(() => parseManifest(noHeads)).toThrow();
    expect(() => parseManifest({ ...sampleManifest(), version: 'r 0' })).toThrow();
    expect(() => parseManifest({ ...sampleManifest(), created: 'yesterday' })).toThrow();
    const badPrep = { ...sampleManifest(), preprocessing: { ...sampleManifest().preprocessing, flipTta: 'sometimes' } };
    expect(() => parseManifest(badPrep)).toThrow();
  });

  it('defaults notes to an empty list', () => {
    const { notes: _notes, ...noNotes } = sampleManifest();
    expect(parseManifest(noNotes).notes).toEqual([]);
  });
});

describe('registry schema', () => {
  const entry = (version: string) => ({
    version,
    path: `models/agegender/${version}`,
    created: '2026-11-29T03:00:00.000Z',
    parentVersion: null,
    summary: { testAgeMae: 5, testGenderAccuracy: 0.94 },
  });

  it('adds versions, switches the active one and round-trips', () => {
    let reg: Registry = { schemaVersion: 1, models: {} };
    reg = withVersion(reg, 'agegender', entry('r0'), true);
    reg = withVersion(reg, 'agegender', entry('r1'), false);
    expect(activeVersionPath(reg, 'agegender')).toBe('models/agegender/r0');
    reg = withVersion(reg, 'agegender', entry('r1'), true);
    expect(activeVersionPath(reg, 'agegender')).toBe('models/agegender/r1');
    expect(reg.models.agegender.versions.map((v) => v.version)).toEqual(['r0', 'r1']);
    expect(parseRegistry(JSON.parse(JSON.stringify(reg)))).toEqual(reg);
    expect(activeVersionPath(reg, 'nothing')).toBeNull();
  });

  it('rejects an active version that is not listed', () => {
    expect(() => parseRegistry({ schemaVersion: 1, models: { agegender: { active: 'r9', versions: [entry('r0')] } } })).toThrow(/r9/);
  });
});

// Round-0 weights are trained by scripts/train-round0.ts and committed under public/models; until then this waits.
const HAS_R0 = existsSync(path.resolve('public/models/registry.json'));

describe.skipIf(!HAS_R0)('committed model files', () => {
  const pub = path.resolve(__dirname, '../../../public/models');
  it('registry.json and the active manifest parse', () => {
    const reg = parseRegistry(JSON.parse(readFileSync(path.join(pub, 'registry.json'), 'utf8')));
    const rel = activeVersionPath(reg, 'agegender');
    expect(rel).toBeTruthy();
    const dir = path.resolve(pub, '..', rel!);
    const manifest = parseManifest(JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')));
    expect(manifest.ageBinEdges).toEqual([...AGE_BIN_EDGES]);
    for (const f of [manifest.heads.modelJson, ...manifest.heads.weights]) expect(existsSync(path.join(dir, f))).toBe(true);
    expect(manifest.heads.inputDims).toBe(manifest.heads.featureLayout.reduce((n, f) => n + f.dims, 0));
  });
});
