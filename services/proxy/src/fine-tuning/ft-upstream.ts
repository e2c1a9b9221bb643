import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { RouterError } from "@ai-router/errors";
import { isAzureV1 } from "@ai-router/providers";
import { request } from "undici";
import type { LiveProvider } from "../routing/runtime-table.js";

/** Provider types with OpenAI's Files and Batches API at their base URL (native batches; Azure's with `api-version`). */
export const BATCH_TYPES: ReadonlySet<string> = new Set(["openai", "azure-openai"]);

/** How a provider's offline APIs are addressed when not as OpenAI's (Bearer key, no query). */
export interface UpstreamStyle {
  /** The key's header (default `authorization: Bearer <key>`). */
  auth?: (key: string) => Record<string, string>;
  /** Query parameters every request carries (Azure's `api-version`). */
  query?: Record<string, string>;
}

/** The API version Azure's offline APIs use when the base URL names none (batches and fine-tuning are GA there). */
const AZURE_OFFLINE_API_VERSION = "2024-10-21";

/** The style of a provider type's offline APIs: Azure OpenAI keys go in `api-key`, with `api-version` from the base URL. */
export function upstreamStyle(live: LiveProvider): UpstreamStyle {
  if (live.config.type !== "azure-openai") return {};
  let named: string | null = null;
  try {
    named = new URL(live.config.baseUrl).searchParams.get("api-version");
  } catch {
    // A base URL the table accepted but URL cannot parse: the default version.
  }
  const auth = (key: string) => ({ "api-key": key });
  // The v1 API (`/openai/v1`) takes no `api-version` unless the base URL names one (`preview`).
  if (isAzureV1(live.config.baseUrl)) return named ? { auth, query: { "api-version": named } } : { auth };
  return { auth, query: { "api-version": named || AZURE_OFFLINE_API_VERSION } };
}

/** The largest answer read from a provider's fine-tuning API. */
const MAX_ANSWER = 4 * 1024 * 1024;

/**
 * A provider's fine-tuning API: files copied there, jobs created, read and steered there. Requests go
 * through the provider's own connection pool (its proxy and TLS settings) with its rotated key.
 */
export class FineTuningUpstream {
  constructor(
    private readonly live: LiveProvider,
    private readonly style: UpstreamStyle = upstreamStyle(live),
  ) {}

  /** The base URL (its own query left out) + path, with the style's query. */
  url(path: string): string {
    const base = this.live.config.baseUrl.split("?")[0]?.replace(/\/$/, "") ?? "";
    const q = new URLSearchParams(this.style.query ?? {});
    if (q.size === 0) return `${base}${path}`;
    return `${base}${path}${path.includes("?") ? "&" : "?"}${q}`;
  }

  private headers(): Record<string, string> {
    const key = this.live.nextKey();
    if (!key) return {};
    return this.style.auth ? this.style.auth(key) : { authorization: `Bearer ${key}` };
  }

  async call(
    method: "GET" | "POST" | "DELETE",
    path: string,
    body?: string | Readable,
    type = "application/json",
  ): Promise<Record<string, unknown>> {
    const headers = this.headers();
    if (body !== undefined) headers["content-type"] = type;
    const res = await request(this.url(path), {
      method,
      headers,
      body,
      ...(this.live.agent ? { dispatcher: this.live.agent } : {}),
    }).catch((err: Error) => {
      throw new RouterError("upstream_unreachable", `The provider could not be reached: ${err.message.slice(0, 120)}`);
    });
    let size = 0;
    const chunks: Buffer[] = [];
    for await (const c of res.body) {
      size += (c as Buffer).length;
      if (size > MAX_ANSWER) throw new RouterError("upstream_bad_response", "The provider's answer was too large.");
      chunks.push(c as Buffer);
    }
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
    } catch {
      throw new RouterError("upstream_bad_response", `The provider answered ${res.statusCode} without JSON.`);
    }
    if (res.statusCode >= 400) {
      // OpenAI's and Anthropic's `error.message`, Mistral's and Together's top-level `message`.
      const e = (typeof json.error === "object" && json.error !== null ? json.error : json) as { message?: unknown };
      const message = typeof e.message === "string" ? e.message.slice(0, 500) : `status ${res.statusCode}`;
      throw new RouterError("upstream_bad_response", `The provider refused: ${message}`, { status: res.statusCode < 500 ? 400 : 502 });
    }
    return json;
  }

  /**
   * Copies a file there (purpose `fine-tune` or `batch`), streamed as it is read; returns the provider's
   * file id. `path` and `fields` for providers whose upload differs (Together: `/files/upload` with `file_name`).
   */
  async uploadFile(
    bytes: Readable,
    filename: string,
    purpose: "fine-tune" | "batch" = "fine-tune",
    how: { path?: string; fields?: Record<string, string> } = {},
  ): Promise<string> {
    const boundary = `----ai-router-${randomBytes(12).toString("hex")}`;
    const name = filename.replace(/["\\\r\n]/g, "_");
    const field = (k: string, v: string) =>
      `--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v.replace(/[\r\n]/g, " ")}\r\n`;
    const fields = Object.entries(how.fields ?? {})
      .map(([k, v]) => field(k, v))
      .join("");
    async function* form() {
      yield Buffer.from(
        `${field("purpose", purpose)}${fields}` +
          `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${name}"\r\ncontent-type: application/jsonl\r\n\r\n`,
      );
      for await (const c of bytes) yield c as Buffer;
      yield Buffer.from(`\r\n--${boundary}--\r\n`);
    }
    const f = await this.call("POST", how.path ?? "/files", Readable.from(form()), `multipart/form-data; boundary=${boundary}`);
    if (typeof f.id !== "string") throw new RouterError("upstream_bad_response", "The provider returned no file id.");
    return f.id;
  }

  /** A file's bytes at the provider, as a stream. */
  async download(fileId: string): Promise<Readable> {
    const res = await request(this.url(`/files/${encodeURIComponent(fileId)}/content`), {
      method: "GET",
      headers: this.headers(),
      ...(this.live.agent ? { dispatcher: this.live.agent } : {}),
    });
    if (res.statusCode >= 400) {
      await res.body.dump();
      throw new RouterError("upstream_bad_response", `The provider answered ${res.statusCode} for a batch result file.`);
    }
    return res.body;
  }

  createJob(body: Record<string, unknown>) {
    return this.call("POST", "/fine_tuning/jobs", JSON.stringify(body));
  }

  job(id: string, action?: "cancel" | "pause" | "resume") {
    const path = `/fine_tuning/jobs/${encodeURIComponent(id)}`;
    return action ? this.call("POST", `${path}/${action}`, "{}") : this.call("GET", path);
  }

  list(id: string, what: "events" | "checkpoints", query: string) {
    return this.call("GET", `/fine_tuning/jobs/${encodeURIComponent(id)}/${what}${query}`);
  }
}
