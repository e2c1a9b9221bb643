import { useCallback, useEffect, useState } from "react";
import { api } from "./client.js";
import type { ModelOut, ProviderOut } from "./types.js";

/** A list from the admin API (`GET path` answering `{ [field]: T[] }`), loaded on mount; `reload` after a change. */
export function useApiList<T>(path: string, field: string) {
  const [data, setData] = useState<T[]>();
  const [error, setError] = useState<unknown>();
  const reload = useCallback(async () => {
    try {
      setData((await api<Record<string, T[]>>("GET", path))[field]);
      setError(undefined);
    } catch (err) {
      setError(err);
    }
  }, [path, field]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, reload };
}

export function useModels() {
  const { data, error, reload } = useApiList<ModelOut>("/v1/db/models", "models");
  return { models: data, error, reload };
}

export function useProviders() {
  const { data, error, reload } = useApiList<ProviderOut>("/v1/db/providers", "providers");
  return { providers: data, error, reload };
}
