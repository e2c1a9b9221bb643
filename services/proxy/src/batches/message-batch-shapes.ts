import type { RequestContext } from "../handlers/context.js";
import type { BatchState } from "./batch-state.js";
import type { ResultLine } from "./line-executor.js";

/** The metadata key that holds a Message Batch's number of requests (Anthropic's batches carry no metadata of their own). */
export const REQUESTS_KEY = "anthropic_requests";

/** The endpoint of a batch the router runs for Anthropic's Message Batches API. */
export const MESSAGES_ENDPOINT = "/v1/messages";

const iso = (s: number | null | undefined) => (s == null ? null : new Date(s * 1000).toISOString());

/** `in_progress`, `canceling` or `ended`, from OpenAI's statuses. */
export function processingStatus(b: BatchState): "in_progress" | "canceling" | "ended" {
  if (b.status === "cancelling") return "canceling";
  if (b.status === "completed" || b.status === "failed" || b.status === "expired" || b.status === "cancelled") return "ended";
  return "in_progress";
}

/**
 * A batch the router runs as Anthropic's `message_batch`: the counts from the lines finished so far and
 * the number of requests it was created with; requests that never ran count as `canceled` (cancelled)
 * or `expired`. `results_url` once it ended, at the router.
 */
export function toMessageBatch(b: BatchState, origin: string) {
  const total = Number(b.metadata?.[REQUESTS_KEY] ?? b.request_counts.total) || 0;
  const succeeded = b.request_counts.completed;
  const errored = b.request_counts.failed;
  const left = Math.max(0, total - succeeded - errored);
  const status = processingStatus(b);
  const ended = status === "ended";
  const endedAt = b.completed_at ?? b.cancelled_at ?? b.expired_at ?? b.failed_at;
  return {
    id: b.id,
    type: "message_batch" as const,
    processing_status: status,
    request_counts: {
      processing: ended ? 0 : left,
      succeeded,
      errored: errored + (ended && b.status === "failed" ? left : 0),
      canceled: ended && b.status === "cancelled" ? left : 0,
      expired: ended && (b.status === "expired" || b.status === "completed") ? left : 0,
    },
    ended_at: ended ? iso(endedAt) : null,
    created_at: iso(b.created_at) as string,
    expires_at: iso(b.expires_at) as string,
    archived_at: null,
    cancel_initiated_at: iso(b.cancelling_at),
    results_url: ended ? `${origin}/v1/messages/batches/${encodeURIComponent(b.id)}/results` : null,
  };
}

/** An Anthropic error object (`{type: "error", error: {type, message}}`). */
const errorObject = (type: string, message: string) => ({ type: "error", error: { type, message } });

/**
 * One finished line of the router's run as Anthropic's result: `succeeded` with the message (the
 * ingress answered in Anthropic's format), `errored` with Anthropic's error, `expired` for a line the
 * completion window left unsent.
 */
export function toMessageResult(r: ResultLine): { custom_id: string; result: Record<string, unknown> } {
  const custom_id = r.custom_id;
  if (r.response !== null && r.response.status_code < 300) return { custom_id, result: { type: "succeeded", message: r.response.body } };
  if (r.error?.code === "batch_expired") return { custom_id, result: { type: "expired" } };
  if (r.response !== null) {
    const body = r.response.body as { type?: unknown; error?: { type?: unknown; message?: unknown } } | undefined;
    const error =
      body?.type === "error" && typeof body.error?.message === "string"
        ? body
        : errorObject(
            r.response.status_code >= 500 ? "api_error" : "invalid_request_error",
            `The request answered ${r.response.status_code}.`,
          );
    return { custom_id, result: { type: "errored", error } };
  }
  return { custom_id, result: { type: "errored", error: errorObject("api_error", r.error?.message ?? "The request failed.") } };
}

/** Where the client reached the router (for `results_url`): its Host, https when a proxy in front says so. */
export function originOf(ctx: RequestContext): string {
  const host = String(ctx.req.headers.host ?? "localhost")
    .slice(0, 255)
    .replace(/[^A-Za-z0-9.:[\]-]/g, "");
  const proto =
    String(ctx.req.headers["x-forwarded-proto"] ?? "")
      .split(",")[0]
      ?.trim() === "https"
      ? "https"
      : "http";
  return `${proto}://${host}`;
}
