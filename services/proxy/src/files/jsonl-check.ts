import { z } from "zod";

/** The batch endpoints a line may name (OpenAI's list, the ones the router serves). */
export const BATCH_ENDPOINTS = ["/v1/chat/completions", "/v1/embeddings", "/v1/responses", "/v1/completions"] as const;

/** A batch input line as OpenAI documents it. */
export const BatchLine = z.object({
  custom_id: z.string().min(1).max(512),
  method: z.literal("POST"),
  // `/v1/messages`: the lines of Anthropic's Message Batches the router runs (batches/message-batches.ts).
  url: z.enum([...BATCH_ENDPOINTS, "/v1/messages"]),
  body: z.record(z.string(), z.unknown()).refine((b) => typeof b.model === "string" && b.model.length > 0, "body.model is required"),
});
export type BatchLine = z.infer<typeof BatchLine>;

/** A fine-tuning line: chat messages, or the legacy prompt/completion pair. */
const FineTuneLine = z.union([
  z.object({ messages: z.array(z.record(z.string(), z.unknown())).min(1) }),
  z.object({ prompt: z.string(), completion: z.string() }),
]);

/** The longest line kept while checking (a longer one is an error, never buffered whole). */
export const MAX_LINE_BYTES = 8 * 1024 * 1024;
/** OpenAI's cap on requests in one batch file. */
export const MAX_BATCH_LINES = 50_000;

const NL = 0x0a;

/**
 * Checks a JSONL file line by line as its bytes stream past (nothing but the current line is held):
 * every non-empty line a JSON object of the purpose's shape (`batch`, `fine-tune`); batch lines with
 * unique `custom_id`s. Keeps the first problem, with its 1-based line number, for the client's 400.
 */
export class JsonlCheck {
  private parts: Buffer[] = [];
  private partBytes = 0;
  private line = 0;
  private readonly ids = new Set<string>();
  /** The first problem found: `line N: what`. */
  problem: string | undefined;
  lines = 0;

  constructor(readonly purpose: "batch" | "fine-tune") {}

  push(chunk: Buffer): void {
    if (this.problem !== undefined) return;
    let from = 0;
    for (let i = chunk.indexOf(NL); i >= 0; i = chunk.indexOf(NL, from)) {
      this.take(chunk.subarray(from, i));
      this.endLine();
      from = i + 1;
      if (this.problem !== undefined) return;
    }
    this.take(chunk.subarray(from));
  }

  /** Call once at the end of the file; returns the first problem, if any. */
  end(): string | undefined {
    if (this.problem === undefined && this.partBytes > 0) this.endLine();
    if (this.problem === undefined && this.lines === 0) this.problem = "the file has no lines";
    return this.problem;
  }

  private take(b: Buffer): void {
    if (b.length === 0 || this.problem !== undefined) return;
    this.partBytes += b.length;
    if (this.partBytes > MAX_LINE_BYTES) this.problem = `line ${this.line + 1}: longer than ${MAX_LINE_BYTES} bytes`;
    else this.parts.push(Buffer.from(b));
  }

  private endLine(): void {
    this.line++;
    const text = Buffer.concat(this.parts, this.partBytes).toString("utf8").trim();
    this.parts = [];
    this.partBytes = 0;
    if (text === "") return;
    this.lines++;
    const fail = (what: string) => {
      this.problem = `line ${this.line}: ${what}`;
    };
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      fail("not valid JSON");
      return;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      fail("not a JSON object");
      return;
    }
    if (this.purpose === "fine-tune") {
      if (!FineTuneLine.safeParse(value).success) fail("expected `messages` (a non-empty array) or `prompt` and `completion`");
      return;
    }
    const parsed = BatchLine.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      fail(`${issue?.path.join(".") || "line"}: ${issue?.message ?? "invalid"}`);
      return;
    }
    if (this.ids.has(parsed.data.custom_id)) {
      fail(`duplicate custom_id`);
      return;
    }
    if (this.ids.size >= MAX_BATCH_LINES) {
      fail(`more than ${MAX_BATCH_LINES} requests`);
      return;
    }
    this.ids.add(parsed.data.custom_id);
  }
}
