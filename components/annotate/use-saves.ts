'use client';

import { useMutation, useMutationState, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef } from 'react';
import { type ApiError, type EditorFace, type EditorView, OFFLINE, annotateApi } from '@/lib/client/annotate-api';
import type { Draft } from './editor-state';

/** One save as the annotator sees it in "Recent": shown as saved at once, confirmed or rolled back later. */
export type SaveEntry = {
  faceId: string;
  requestId: string;
  summary: string;
  state: 'saving' | 'retrying' | 'saved';
  attempt?: number;
};

/** What is needed to put a failed save back into the editor, unchanged. */
export type SaveJob = {
  faceId: string;
  requestId: string;
  body: Record<string, unknown>;
  summary: string;
  action: 'label' | 'accept' | 'skip';
  view: EditorView;
  draft: Draft;
};

export const RECENT_SAVES = ['annotate', 'recent-saves'] as const;
const SAVE_KEY = ['annotate', 'save'] as const;
const KEEP = 6;

/**
 * Optimistic saves with react-query: `submit` lists the save as done in "Recent" at once and lets
 * the editor move on; the request runs in the background (retrying a dropped connection with its
 * state shown; while the browser is offline they wait, shown, and go out when it is back). A refused or failed save is rolled back — its entry removed — and handed to
 * `onFailed` with everything needed to put the face back into the editor with the annotator's
 * change. One save per face at a time: a second submit of a face still saving is ignored.
 */
export function useSaves(onFailed: (job: SaveJob, error: ApiError) => void, onSaved?: (job: SaveJob, face: EditorFace) => void) {
  const queryClient = useQueryClient();
  const inFlight = useRef(new Set<string>());
  const failed = useRef(onFailed);
  const saved = useRef(onSaved);
  useEffect(() => {
    failed.current = onFailed;
    saved.current = onSaved;
  });

  const patch = useCallback(
    (requestId: string, change: Partial<SaveEntry>) =>
      queryClient.setQueryData<SaveEntry[]>(RECENT_SAVES, (list = []) => list.map((e) => (e.requestId === requestId ? { ...e, ...change } : e))),
    [queryClient],
  );

  const mutation = useMutation({
    // While the browser knows it is offline, react-query holds saves (paused) and sends them when the
    // connection is back — also a save that went out just before react-query heard of it (it fails
    // with OFFLINE and is retried, which react-query holds while offline); a server that cannot be
    // reached otherwise is retried inside annotateApi.save.
    mutationKey: SAVE_KEY,
    retry: (_count, error) => (error as ApiError).code === OFFLINE,
    retryDelay: 300,
    mutationFn: (job: SaveJob) => annotateApi.save(job.faceId, job.body, (attempt) => patch(job.requestId, { state: 'retrying', attempt })),
    onMutate: (job) => {
      queryClient.setQueryData<SaveEntry[]>(RECENT_SAVES, (list = []) =>
        [{ faceId: job.faceId, requestId: job.requestId, summary: job.summary, state: 'saving' as const }, ...list.filter((e) => e.faceId !== job.faceId)].slice(0, KEEP),
      );
    },
    onSuccess: (result, job) => {
      patch(job.requestId, { state: 'saved', attempt: undefined });
      saved.current?.(job, result.face);
    },
    onError: (error, job) => {
      // Roll back: the save did not happen, so it leaves "Recent" and the face goes back to the editor.
      queryClient.setQueryData<SaveEntry[]>(RECENT_SAVES, (list = []) => list.filter((e) => e.requestId !== job.requestId));
      failed.current(job, error as ApiError);
    },
    onSettled: (_data, _error, job) => {
      inFlight.current.delete(job.faceId);
    },
  });

  const submit = useCallback(
    (job: SaveJob): boolean => {
      if (inFlight.current.has(job.faceId)) return false;
      inFlight.current.add(job.faceId);
      mutation.mutate(job);
      return true;
    },
    [mutation],
  );

  const { data: recent = [] } = useQuery<SaveEntry[]>({
    queryKey: RECENT_SAVES,
    queryFn: () => queryClient.getQueryData<SaveEntry[]>(RECENT_SAVES) ?? [],
    initialData: [],
    staleTime: Infinity,
    enabled: false,
  });

  const waiting = useMutationState({ filters: { mutationKey: SAVE_KEY, status: 'pending' }, select: (m) => m.state.isPaused }).filter(Boolean).length;

  // Closing the tab while a save is still retrying would lose it: ask first.
  useEffect(() => {
    function beforeUnload(e: BeforeUnloadEvent) {
      if (inFlight.current.size === 0) return;
      e.preventDefault();
      e.returnValue = '';
    }
    window.addEventListener('beforeunload', beforeUnload);
    return () => window.removeEventListener('beforeunload', beforeUnload);
  }, []);

  return { submit, recent, waiting, saving: (faceId: string) => inFlight.current.has(faceId), pending: () => [...inFlight.current] };
}
