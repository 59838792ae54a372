#!/usr/bin/env node
// Copies the pretrained weights the browser needs from node_modules/@vladmandic/* into
// public/models/vendor/<package>/ (generated, not committed): the frozen backbones of the
// age/gender model and the recommended face detectors, plus the packages' licences.
// Plain Node ESM, no dependencies. Usage: node scripts/copy-model-weights.mjs [--quiet]
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const vendor = path.join(root, 'public', 'models', 'vendor');
const quiet = process.argv.includes('--quiet');

const SOURCES = [
  {
    pkg: '@vladmandic/face-api',
    dest: 'face-api',
    required: true,
    from: 'model',
    files: [
      // backbones of the age/gender model (age/gender net: also face-api's own age/gender anchor)
      'age_gender_model-weights_manifest.json',
      'age_gender_model.bin',
      'face_recognition_model-weights_manifest.json',
      'face_recognition_model.bin',
      // detectors: tiny (193 KB, fast, recommended default) and SSD MobileNet v1 (5.6 MB, more accurate)
      'tiny_face_detector_model-weights_manifest.json',
      'tiny_face_detector_model.bin',
      'ssd_mobilenetv1_model-weights_manifest.json',
      'ssd_mobilenetv1_model.bin',
    ],
  },
  {
    pkg: '@vladmandic/human',
    dest: 'human',
    required: false, // a devDependency: absent in production-only installs
    from: 'models',
    files: ['blazeface.json', 'blazeface.bin'],
  },
];

function packageDir(pkg) {
  let dir = root;
  for (;;) {
    const candidate = path.join(dir, 'node_modules', pkg);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

const log = (msg) => quiet || console.log(msg);
let failed = false;
for (const src of SOURCES) {
  const dir = packageDir(src.pkg);
  if (!dir) {
    const msg = `copy-model-weights: ${src.pkg} is not installed; skipped ${src.files.length} files`;
    if (src.required) {
      console.error(msg);
      failed = true;
    } else log(msg);
    continue;
  }
  const version = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
  const out = path.join(vendor, src.dest);
  mkdirSync(out, { recursive: true });
  let bytes = 0;
  for (const file of src.files) {
    const from = path.join(dir, src.from, file);
    if (!existsSync(from)) {
      console.error(`copy-model-weights: missing ${path.relative(root, from)}`);
      failed = failed || src.required;
      continue;
    }
    copyFileSync(from, path.join(out, file));
    bytes += statSync(from).size;
  }
  const licence = ['LICENSE', 'LICENSE.md', 'license'].map((f) => path.join(dir, f)).find((f) => existsSync(f));
  if (licence) copyFileSync(licence, path.join(out, 'LICENSE'));
  writeFileSync(
    path.join(out, 'NOTICE.md'),
    `# ${src.pkg}@${version} weights\n\nCopied from node_modules/${src.pkg}/${src.from}/ by scripts/copy-model-weights.mjs ` +
      `(generated; do not commit). Licence: MIT (see LICENSE beside this file; ${src.pkg} on npm).\n` +
      (src.dest === 'face-api'
        ? '\nNote: face-api’s age/gender network was trained with UTKFace among its data, so its UTKFace ' +
          'scores (and those of heads on its features) are optimistic.\n'
        : '') +
      `\nFiles:\n${src.files.map((f) => `- ${f}`).join('\n')}\n`,
  );
  log(`copy-model-weights: ${src.pkg}@${version} → public/models/vendor/${src.dest}/ (${src.files.length} files, ${(bytes / 1e6).toFixed(1)} MB)`);
}
if (failed) process.exit(1);
