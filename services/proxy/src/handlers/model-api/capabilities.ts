import type { ChatCompletionRequest } from "@ai-router/contracts";
import { RouterError } from "@ai-router/errors";
import type { LiveModel } from "../../routing/runtime-table.js";

/** A capability a request needs, and the request field that needs it (for the error's `param`). */
export interface Need {
  /** Any one of these satisfies the need (the original accepted TEXT or MULTIMODAL_IMAGE_UNDERSTANDING for chat). */
  anyOf: readonly string[];
  param: string;
  what: string;
}

/**
 * Refuses, before any upstream call, a request the model cannot serve: a 400 naming the field and the
 * missing capability. Models that declare no capabilities are not checked.
 */
export function checkCapabilities(model: LiveModel, needs: readonly Need[]): void {
  const caps = model.config.capabilities;
  if (caps === undefined) return;
  for (const n of needs) {
    if (n.anyOf.some((c) => caps.includes(c))) continue;
    throw new RouterError(
      "invalid_request",
      `The model \`${model.config.name}\` does not support ${n.what} (it needs the ${n.anyOf.join(" or ")} capability; it has ${caps.join(", ") || "none"}).`,
      { param: n.param, publicCode: "capability_not_supported" },
    );
  }
}

const TEXT: Need = { anyOf: ["TEXT", "MULTIMODAL_IMAGE_UNDERSTANDING"], param: "messages", what: "text chat" };

const isImagePart = (p: unknown): boolean => {
  const t = (p as { type?: unknown } | null)?.type;
  return t === "image_url" || t === "image" || t === "input_image";
};

/** What an OpenAI chat request needs: text, images in messages, tools, reasoning, JSON output. */
export function chatNeeds(body: ChatCompletionRequest): Need[] {
  const needs: Need[] = [TEXT];
  body.messages.forEach((m, i) => {
    const content = (m as { content?: unknown }).content;
    if (!Array.isArray(content)) return;
    const j = content.findIndex(isImagePart);
    if (j >= 0) needs.push({ anyOf: ["MULTIMODAL_IMAGE_UNDERSTANDING"], param: `messages[${i}].content[${j}]`, what: "images" });
  });
  const b = body as ChatCompletionRequest & { tools?: unknown[]; functions?: unknown[]; reasoning_effort?: unknown };
  if (Array.isArray(b.tools) && b.tools.length > 0) needs.push({ anyOf: ["TOOLS"], param: "tools", what: "tools" });
  else if (Array.isArray(b.functions) && b.functions.length > 0) needs.push({ anyOf: ["TOOLS"], param: "functions", what: "tools" });
  if (b.reasoning_effort != null) needs.push({ anyOf: ["REASONING"], param: "reasoning_effort", what: "reasoning" });
  const rf = (b.response_format as { type?: unknown } | undefined)?.type;
  if (rf === "json_object" || rf === "json_schema") needs.push({ anyOf: ["JSON_OUTPUT"], param: "response_format", what: "JSON output" });
  return needs;
}

/** What an Anthropic Messages request needs: text, image blocks, tools, extended thinking. */
export function messagesNeeds(body: { messages?: unknown; tools?: unknown; thinking?: unknown }): Need[] {
  const needs: Need[] = [TEXT];
  if (Array.isArray(body.messages)) {
    body.messages.forEach((m, i) => {
      const content = (m as { content?: unknown } | null)?.content;
      if (!Array.isArray(content)) return;
      const j = content.findIndex(isImagePart);
      if (j >= 0) needs.push({ anyOf: ["MULTIMODAL_IMAGE_UNDERSTANDING"], param: `messages[${i}].content[${j}]`, what: "images" });
    });
  }
  if (Array.isArray(body.tools) && body.tools.length > 0) needs.push({ anyOf: ["TOOLS"], param: "tools", what: "tools" });
  const thinking = (body.thinking as { type?: unknown } | undefined)?.type;
  if (thinking === "enabled") needs.push({ anyOf: ["REASONING"], param: "thinking", what: "extended thinking" });
  return needs;
}

export const EMBEDDING_NEEDS: readonly Need[] = [{ anyOf: ["EMBEDDING"], param: "model", what: "embeddings" }];
export const IMAGE_GENERATION_NEEDS: readonly Need[] = [
  { anyOf: ["IMAGE_GENERATION", "TEXT_TO_IMAGE"], param: "model", what: "image generation" },
];
export const IMAGE_EDIT_NEEDS: readonly Need[] = [
  { anyOf: ["IMAGE_TO_IMAGE", "IMAGE_GENERATION"], param: "model", what: "image edits and variations" },
];
