import { useCallback, useEffect, useState } from "react";
import { ApiError, api, authHeaders } from "./client.js";

/**
 * The admin views of the offline APIs (files, batches, fine-tuning jobs): OpenAI's objects with their
 * owner key. Standalone proxies answer them under `/v1/admin/` with `server.admin_token`.
 */
export interface AdminFile {
  id: string;
  bytes: number;
  created_at: number;
  filename: string;
  purpose: string;
  owner: string;
}

export interface AdminBatch {
  id: string;
  endpoint: string;
  status: string;
  owner: string;
  input_file_id: string;
  output_file_id: string | null;
  error_file_id: string | null;
  created_at: number;
  completed_at: number | null;
  failed_at: number | null;
  expired_at: number | null;
  cancelled_at: number | null;
  request_counts: { total: number; completed: number; failed: number };
}

export interface AdminJob {
  id: string;
  model: string;
  status: string;
  owner: string;
  fine_tuned_model: string | null;
  trained_tokens: number | null;
  created_at: number;
  /** The names of the client keys its model is shared with (besides the owner). */
  shared_with_names?: string[];
}

export interface JobEvent {
  id: string;
  created_at: number;
  level: string;
  message: string;
}

/** An admin list (`{data: T[]}`) loaded on mount and when the query changes; `reload` after an action. */
export function useAdminList<T>(path: string, query: Record<string, string | number | undefined> = {}) {
  const [data, setData] = useState<T[]>();
  const [error, setError] = useState<unknown>();
  const key = JSON.stringify(query);
  const reload = useCallback(async () => {
    try {
      setData((await api<{ data: T[] }>("GET", path, { query: JSON.parse(key) })).data);
      setError(undefined);
    } catch (err) {
      setError(err);
    }
  }, [path, key]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, reload };
}

/** Downloads an admin file's bytes (the token goes in a header, so no plain link can fetch it). */
export async function downloadFile(id: string, filename: string): Promise<void> {
  const res = await fetch(`/v1/admin/files/${encodeURIComponent(id)}/content`, { headers: authHeaders() });
  if (!res.ok) throw new ApiError(res.status, `HTTP ${res.status}`);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Unix seconds (OpenAI's `created_at`) as the ISO text the formatters take. Missing, zero or not a number:
 * null, shown as "–" (the router writes 0 for a provider date it could not read; never "01/01/1970").
 */
export const isoOf = (s: number | null | undefined) =>
  typeof s === "number" && Number.isFinite(s) && s > 0 ? new Date(s * 1000).toISOString() : null;

/** Bytes as B, KB, MB, GB (1024-based, one decimal). */
export function fmtBytes(locale: string, n: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toLocaleString(locale, { maximumFractionDigits: u === 0 ? 0 : 1 })} ${units[u]}`;
}
