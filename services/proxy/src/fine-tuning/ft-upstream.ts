import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { RouterError } from "@ai-router/errors";
import { request } from "undici";
import type { LiveProvider } from "../routing/runtime-table.js";

/** Provider types with OpenAI's Files and Batches API at their base URL (native batches). */
export const BATCH_TYPES: ReadonlySet<string> = new Set(["openai"]);

/** Provider types with OpenAI's fine-tuning API (`/files`, `/fine_tuning/jobs`) at their base URL. */
// Together (`/fine-tunes`), Mistral (`training_files` with weights) and Azure OpenAI (deployments,
// `api-version`) have fine-tuning APIs of other shapes: not wired yet, so their models answer 400.
export const FINE_TUNING_TYPES: ReadonlySet<string> = new Set(["openai"]);

/** The largest answer read from a provider's fine-tuning API. */
const MAX_ANSWER = 4 * 1024 * 1024;

/**
 * A provider's fine-tuning API: files copied there, jobs created, read and steered there. Requests go
 * through the provider's own connection pool (its proxy and TLS settings) with its rotated key.
 */
export class FineTuningUpstream {
  constructor(private readonly live: LiveProvider) {}

  async call(method: "GET" | "POST", path: string, body?: string | Readable, type = "application/json"): Promise<Record<string, unknown>> {
    const key = this.live.nextKey();
    const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
    if (body !== undefined) headers["content-type"] = type;
    const res = await request(`${this.live.config.baseUrl.replace(/\/$/, "")}${path}`, {
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
      const e = (json.error ?? {}) as { message?: unknown };
      const message = typeof e.message === "string" ? e.message.slice(0, 500) : `status ${res.statusCode}`;
      throw new RouterError("upstream_bad_response", `The provider refused: ${message}`, { status: res.statusCode < 500 ? 400 : 502 });
    }
    return json;
  }

  /** Copies a file there (purpose `fine-tune` or `batch`), streamed as it is read; returns the provider's file id. */
  async uploadFile(bytes: Readable, filename: string, purpose: "fine-tune" | "batch" = "fine-tune"): Promise<string> {
    const boundary = `----ai-router-${randomBytes(12).toString("hex")}`;
    const name = filename.replace(/["\\\r\n]/g, "_");
    async function* form() {
      yield Buffer.from(
        `--${boundary}\r\ncontent-disposition: form-data; name="purpose"\r\n\r\n${purpose}\r\n` +
          `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${name}"\r\ncontent-type: application/jsonl\r\n\r\n`,
      );
      for await (const c of bytes) yield c as Buffer;
      yield Buffer.from(`\r\n--${boundary}--\r\n`);
    }
    const f = await this.call("POST", "/files", Readable.from(form()), `multipart/form-data; boundary=${boundary}`);
    if (typeof f.id !== "string") throw new RouterError("upstream_bad_response", "The provider returned no file id.");
    return f.id;
  }

  /** A file's bytes at the provider, as a stream. */
  async download(fileId: string): Promise<Readable> {
    const key = this.live.nextKey();
    const res = await request(`${this.live.config.baseUrl.replace(/\/$/, "")}/files/${encodeURIComponent(fileId)}/content`, {
      method: "GET",
      headers: key ? { authorization: `Bearer ${key}` } : {},
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
