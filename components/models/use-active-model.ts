'use client';

import { useQuery } from '@tanstack/react-query';

export type ActiveModel = { name: string; version: string; url: string; problem?: string };

/**
 * The model version browsers should pre-label with (GET /api/models/active), polled so an open
 * page switches to a newly promoted version: `url` is a folder for lib/ml/model.ts's loadAgeGenderModel.
 */
export function useActiveModel(name = 'agegender', refetchMs = 60_000) {
  return useQuery({
    queryKey: ['active-model', name],
    queryFn: async (): Promise<ActiveModel> => {
      const res = await fetch(`/api/models/active?name=${encodeURIComponent(name)}`);
      if (!res.ok) throw new Error(`active model: HTTP ${res.status}`);
      return res.json();
    },
    refetchInterval: refetchMs,
    staleTime: refetchMs / 2,
  });
}
