'use client';

import type { RouteName, RouteResponse } from '@aius/contracts';
import { useCallback, useEffect, useState } from 'react';
import { ApiError, call, type CallOptions, type Transport } from './api';
import { describeError } from './error-copy';
import { redirectToLogin } from './session-client';

export interface Query<T> {
  data: T | null;
  /** Human copy for a failed load. */
  error: string | null;
  /** The HTTP status of a failed load (0: no answer), so a page can tell "gone" from "try again". */
  errorStatus: number | null;
  loading: boolean;
  reload: () => void;
}

/**
 * Loads one route's response and keeps it until `options` change. `name` null means
 * "not yet" (e.g. no organization chosen), which is neither loading nor an error.
 */
export function useQuery<N extends RouteName>(name: N | null, options?: CallOptions<N>): Query<RouteResponse<N>> {
  const [state, setState] = useState<{ data: RouteResponse<N> | null; error: string | null; errorStatus: number | null; loading: boolean }>({
    data: null,
    error: null,
    errorStatus: null,
    loading: name !== null,
  });
  const [generation, setGeneration] = useState(0);
  const key = name === null ? null : `${name}:${JSON.stringify(options ?? {})}`;

  useEffect(() => {
    if (key === null || name === null) return;
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true, error: null, errorStatus: null }));
    // Generic over every route, so the per-route argument check of `call` cannot apply here.
    const load = call as (n: N, o: CallOptions<N> | undefined, t: Transport) => Promise<RouteResponse<N>>;
    load(name, options, { signal: controller.signal })
      .then((data) => setState({ data, error: null, errorStatus: null, loading: false }))
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        if (error instanceof ApiError && error.isSignedOut) return redirectToLogin();
        setState({ data: null, error: describeError(error), errorStatus: error instanceof ApiError ? error.status : 0, loading: false });
      });
    return () => controller.abort();
    // `key` stands for name + options by value, so a new options object each render does not refetch.
  }, [key, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { ...state, loading: key !== null && state.loading, reload };
}
