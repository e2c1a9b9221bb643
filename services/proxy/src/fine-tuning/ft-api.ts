import type { Readable } from "node:stream";

/** What the router asks of a provider when it creates a job (ids are the provider's, the model its upstream name). */
export interface FtCreate {
  model: string;
  training_file: string;
  validation_file: string | null;
  hyperparameters?: Record<string, string | number>;
  method?: Record<string, unknown>;
  suffix?: string | null;
  seed?: number | null;
  metadata?: Record<string, string> | null;
}

/** A page of a job's events or checkpoints, in OpenAI's shapes. */
export interface FtPage {
  data: Record<string, unknown>[];
  has_more: boolean;
}

/**
 * A provider's fine-tuning API seen as OpenAI's: every answer is OpenAI's job object (`status` one of
 * `validating_files`, `queued`, `running`, `succeeded`, `failed`, `cancelled`; ids the provider's), so
 * the endpoints map only the ids back. One implementation per API shape.
 */
export interface FineTuningApi {
  /** Copies a training or validation file there, streamed; the provider's file id. */
  uploadFile(bytes: Readable, filename: string): Promise<string>;
  create(req: FtCreate): Promise<Record<string, unknown>>;
  retrieve(id: string): Promise<Record<string, unknown>>;
  cancel(id: string): Promise<Record<string, unknown>>;
  /** Absent where the provider cannot pause a job. */
  pause?(id: string): Promise<Record<string, unknown>>;
  resume?(id: string): Promise<Record<string, unknown>>;
  events(id: string, page: { after?: string; limit?: number }): Promise<FtPage>;
  checkpoints(id: string, page: { after?: string; limit?: number }): Promise<FtPage>;
}

/** `?after=&limit=` for a provider's list (bounded). */
export function pageQuery(page: { after?: string; limit?: number }): string {
  const q = new URLSearchParams();
  if (page.after) q.set("after", page.after.slice(0, 128));
  if (page.limit !== undefined) q.set("limit", String(Math.min(Math.max(1, Math.trunc(page.limit)), 100)));
  return q.size > 0 ? `?${q}` : "";
}

/** An RFC 3339 time (Together, Anthropic) or Unix seconds as Unix seconds. */
export function unixSeconds(v: unknown): number | null {
  if (typeof v === "number" && Number.isFinite(v)) return Math.trunc(v > 1e12 ? v / 1000 : v);
  if (typeof v === "string") {
    const ms = Date.parse(v);
    return Number.isFinite(ms) ? Math.floor(ms / 1000) : null;
  }
  return null;
}
