/**
 * Model manifest (`public/models/<name>/<version>/manifest.json`) and model registry
 * (`public/models/registry.json`) schemas. Browser- and Node-safe (zod only).
 */
import { z } from 'zod';

export const MANIFEST_SCHEMA_VERSION = 1;

export const BackboneInputSchema = z.object({
  size: z.number().int().positive(),
  colorOrder: z.enum(['RGB', 'BGR']),
  /** input = (pixel − mean[c]) · scale, pixel in 0..255. */
  mean: z.tuple([z.number(), z.number(), z.number()]),
  scale: z.number().positive(),
  padValue: z.number().min(0).max(255),
});

export const BackboneRefSchema = z.object({
  id: z.string().min(1),
  package: z.string().min(1),
  packageVersion: z.string().min(1),
  license: z.string().min(1),
  /** Weight files, relative to `weightsBaseUrl` (browser) or the package's model/ folder (Node). */
  files: z.array(z.string().min(1)).min(1),
  weightsBaseUrl: z.string().min(1),
  input: BackboneInputSchema,
  /** The named outputs the heads consume (e.g. gap = global average pool), with widths. */
  featureNodes: z.array(z.object({ name: z.string(), dims: z.number().int().positive(), description: z.string().optional() })).min(1),
  trainedOnUtkFace: z.boolean(),
});

export const PreprocessingSchema = z.object({
  /** Square crop centred on the detector box, side = max(w, h) · (1 + 2 · cropMargin). */
  cropMargin: z.number().min(0),
  box: z.string().min(1),
  resize: z.literal('triangle-antialiased-v1'),
  /** Test-time augmentation: also run the mirrored crop ('mean-features' or 'mean-predictions'). */
  flipTta: z.enum(['none', 'mean-features', 'mean-predictions']),
});

export const HeadOutputSchema = z.object({
  name: z.string().min(1),
  kind: z.enum(['gender-sigmoid', 'age-bins-softmax', 'age-regression']),
  /** For gender-specific age heads: which gender's faces trained it. */
  gender: z.enum(['MALE', 'FEMALE']).optional(),
});

export const HeadsSchema = z.object({
  modelJson: z.string().min(1),
  weights: z.array(z.string().min(1)).min(1),
  /** Input = concatenation, in this order, of these backbone outputs (raw; standardisation is folded in). */
  featureLayout: z.array(z.object({ backbone: z.string(), node: z.string(), dims: z.number().int().positive() })).min(1),
  inputDims: z.number().int().positive(),
  /** The model's outputs, in model.outputs order. */
  outputs: z.array(HeadOutputSchema).min(2),
  /** Regression output → years: age = output · std + mean. */
  ageRegression: z.object({ mean: z.number(), std: z.number().positive() }).nullable(),
  /** How the reported age is formed: expected value over the bins, the regression, or their mean. */
  ageFrom: z.enum(['expected', 'regression', 'mean']),
  genderSpecificAge: z.boolean(),
  architecture: z.string(),
});

export const MetricSummarySchema = z.object({
  n: z.number().int().nonnegative(),
  ageMae: z.number(),
  genderAccuracy: z.number().nullable(),
  binExact: z.number(),
  binWithin1: z.number(),
  genderEce: z.number().nullable(),
});

export const MetricReportSchema = z.object({
  overall: MetricSummarySchema,
  byAgeBand: z.record(z.string(), MetricSummarySchema),
  byGender: z.record(z.string(), MetricSummarySchema),
  byRace: z.record(z.string(), MetricSummarySchema),
});

export const TrainingDataSchema = z.object({
  datasets: z.array(z.string()).min(1),
  counts: z.object({ train: z.number().int(), val: z.number().int(), test: z.number().int() }),
  splitSeed: z.string(),
  splitKey: z.string(),
  genderMissingInTrain: z.number().int().nonnegative(),
  notes: z.string().optional(),
});

export const ManifestSchema = z.object({
  schemaVersion: z.literal(MANIFEST_SCHEMA_VERSION),
  name: z.string().regex(/^[a-z0-9-]+$/),
  version: z.string().regex(/^[A-Za-z0-9._-]+$/),
  created: z.iso.datetime(),
  parentVersion: z.string().nullable(),
  backbones: z.array(BackboneRefSchema).min(1),
  preprocessing: PreprocessingSchema,
  ageBinEdges: z.array(z.number()).min(2),
  heads: HeadsSchema,
  trainingData: TrainingDataSchema,
  training: z.record(z.string(), z.unknown()).optional(),
  metrics: z.object({ val: MetricReportSchema.optional(), test: MetricReportSchema.optional() }),
  notes: z.array(z.string()).default([]),
});

export type BackboneRef = z.infer<typeof BackboneRefSchema>;
export type Preprocessing = z.infer<typeof PreprocessingSchema>;
export type HeadsInfo = z.infer<typeof HeadsSchema>;
export type MetricSummaryInfo = z.infer<typeof MetricSummarySchema>;
export type MetricReportInfo = z.infer<typeof MetricReportSchema>;
export type ModelManifest = z.infer<typeof ManifestSchema>;

export const RegistryEntrySchema = z.object({
  version: z.string(),
  /** Folder of the version, relative to public/ (so also its URL path), e.g. models/agegender/r0. */
  path: z.string(),
  created: z.iso.datetime(),
  parentVersion: z.string().nullable(),
  summary: z.object({ testAgeMae: z.number().nullable(), testGenderAccuracy: z.number().nullable() }),
});

export const RegistrySchema = z.object({
  schemaVersion: z.literal(1),
  models: z.record(z.string(), z.object({ active: z.string().nullable(), versions: z.array(RegistryEntrySchema) })),
});

export type RegistryEntry = z.infer<typeof RegistryEntrySchema>;
export type Registry = z.infer<typeof RegistrySchema>;

export function parseManifest(json: unknown): ModelManifest {
  return ManifestSchema.parse(json);
}

export function parseRegistry(json: unknown): Registry {
  const reg = RegistrySchema.parse(json);
  for (const [name, m] of Object.entries(reg.models)) {
    if (m.active !== null && !m.versions.some((v) => v.version === m.active)) {
      throw new Error(`registry: active version ${m.active} of ${name} is not listed`);
    }
  }
  return reg;
}

/** The active version's folder (relative to public/), or null. */
export function activeVersionPath(reg: Registry, name: string): string | null {
  const m = reg.models[name];
  if (!m || m.active === null) return null;
  return m.versions.find((v) => v.version === m.active)?.path ?? null;
}

/** Add or replace a version, optionally making it active (returns a new registry). */
export function withVersion(reg: Registry, name: string, entry: RegistryEntry, activate: boolean): Registry {
  const prev = reg.models[name] ?? { active: null, versions: [] };
  const versions = [...prev.versions.filter((v) => v.version !== entry.version), entry];
  return { ...reg, models: { ...reg.models, [name]: { active: activate ? entry.version : prev.active, versions } } };
}
