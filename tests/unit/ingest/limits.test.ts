import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, loadIngestLimits } from '../../../lib/server/ingest/limits';

describe('loadIngestLimits', () => {
  it('uses safe defaults when nothing is set', () => {
    expect(loadIngestLimits({})).toEqual({
      maxUploadBytes: 50 * 1024 * 1024,
      maxZipBytes: 2 * 1024 * 1024 * 1024,
      maxPixels: 80_000_000,
      maxZipEntries: 20_000,
      maxZipRatio: 100,
    });
    expect(loadIngestLimits({ FACET_MAX_PIXELS: '' })).toEqual(DEFAULT_LIMITS);
  });

  it('reads overrides from the environment', () => {
    const limits = loadIngestLimits({ FACET_MAX_UPLOAD_BYTES: '1000', FACET_MAX_ZIP_ENTRIES: ' 5 ' });
    expect(limits.maxUploadBytes).toBe(1000);
    expect(limits.maxZipEntries).toBe(5);
  });

  it('refuses invalid values loudly, naming the variable', () => {
    expect(() => loadIngestLimits({ FACET_MAX_UPLOAD_BYTES: '50MB' })).toThrow(/FACET_MAX_UPLOAD_BYTES/);
    expect(() => loadIngestLimits({ FACET_MAX_ZIP_RATIO: '-1' })).toThrow(/FACET_MAX_ZIP_RATIO/);
    expect(() => loadIngestLimits({ FACET_MAX_PIXELS: '1.5' })).toThrow(/FACET_MAX_PIXELS/);
  });
});
