/**
 * Assemble the manifest.json of a trained model version from a fit result.
 */
import { AGE_BIN_EDGES } from '../../lib/domain/age-bins';
import { BACKBONES, type BackboneId } from '../../lib/ml/backbones';
import { MANIFEST_SCHEMA_VERSION, type MetricReportInfo, type ModelManifest, parseManifest } from '../../lib/ml/manifest';
import type { FitResult } from './fit';

/** URL path (under public/) where scripts/copy-model-weights.mjs puts each package's weights. */
export const VENDOR_URL: Record<string, string> = {
  '@vladmandic/face-api': '/models/vendor/face-api',
  '@vladmandic/human': '/models/vendor/human',
};

export type ManifestInput = {
  name: string;
  version: string;
  parentVersion: string | null;
  fit: FitResult;
  flipTta: ModelManifest['preprocessing']['flipTta'];
  cropMargin: number;
  trainingData: ModelManifest['trainingData'];
  metrics: { val?: MetricReportInfo; test?: MetricReportInfo };
  notes?: string[];
  created?: Date;
};

export function buildManifest(input: ManifestInput): ModelManifest {
  const { fit } = input;
  const ids = [...new Set(fit.heads.featureLayout.map((f) => f.backbone))] as BackboneId[];
  const backbones = ids.map((id) => {
    const spec = BACKBONES[id];
    const { inputSize, ...input } = spec.preprocess;
    return {
      id,
      package: spec.package,
      packageVersion: spec.packageVersion,
      license: 'MIT',
      files: [spec.files.manifest, ...spec.files.weights],
      weightsBaseUrl: VENDOR_URL[spec.package],
      input: { size: inputSize, ...input, mean: [...input.mean] as [number, number, number] },
      featureNodes: fit.heads.featureLayout.filter((f) => f.backbone === id).map((f) => ({ name: f.node, dims: f.dims })),
      trainedOnUtkFace: spec.trainedOnUtkFace,
    };
  });
  const manifest: ModelManifest = {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    name: input.name,
    version: input.version,
    created: (input.created ?? new Date()).toISOString(),
    parentVersion: input.parentVersion,
    backbones,
    preprocessing: {
      cropMargin: input.cropMargin,
      box:
        'face detector box in image pixels (face-api tiny_face_detector or ssd_mobilenetv1); training used ' +
        'whole UTKFace aligned 200×200 chips, which those detectors box at ≈ the full chip (measured median ' +
        'box side 207 px tiny / 194 px SSD on 200 px chips), hence margin 0',
      resize: 'triangle-antialiased-v1',
      flipTta: input.flipTta,
    },
    ageBinEdges: [...AGE_BIN_EDGES],
    heads: fit.heads,
    trainingData: input.trainingData,
    training: {
      optimizer: 'adam',
      learningRate: fit.trainConfig.learningRate,
      batchSize: fit.trainConfig.batchSize,
      maxEpochs: fit.trainConfig.epochs,
      bestEpoch: fit.bestEpoch,
      epochsRun: fit.history.length,
      earlyStopping: `patience ${fit.trainConfig.patience} on val score MAE/5 + (1 − acc)/0.06; lr halved after ${fit.trainConfig.plateau} flat epochs`,
      loss: fit.trainConfig.loss,
      head: fit.headConfig,
      trainSeconds: Math.round(fit.trainMs / 1000),
      backend: 'tfjs-backend-wasm (Node)',
    },
    metrics: input.metrics,
    notes: input.notes ?? [],
  };
  return parseManifest(manifest);
}
