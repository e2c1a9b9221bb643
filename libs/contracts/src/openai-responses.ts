import { z } from "zod";

/**
 * OpenAI `POST /v1/responses` request, as far as the router must understand it. Known fields are
 * type-checked; input items and tools are typed by their `type` and otherwise passed on loosely
 * (clients such as Codex send item and tool kinds faster than any schema follows).
 */
/** A content part of an item (`input_text`, `input_image`, ...): an object with a type, passed on loosely. */
const ResponsesPart = z.looseObject({ type: z.string().min(1).optional() });
/** Item content: text, or parts (never bare strings or numbers: the translations read each part's fields). */
const ResponsesContent = z.union([z.string(), z.array(ResponsesPart)]);

export const ResponsesInputItem = z
  .object({
    type: z.string().min(1).optional(),
    role: z.string().optional(),
    content: ResponsesContent.nullable().optional(),
    /** A tool call's output: text, parts, or one object (a computer call's screenshot). */
    output: z
      .union([z.string(), z.array(ResponsesPart), z.looseObject({})])
      .nullable()
      .optional(),
  })
  .loose();
export type ResponsesInputItem = z.infer<typeof ResponsesInputItem>;

export const ResponsesTool = z.object({ type: z.string().min(1) }).loose();
export type ResponsesTool = z.infer<typeof ResponsesTool>;

export const ResponsesRequest = z
  .object({
    model: z.string().min(1),
    input: z.union([z.string(), z.array(ResponsesInputItem)]).optional(),
    instructions: z.string().nullable().optional(),
    tools: z.array(ResponsesTool).nullable().optional(),
    tool_choice: z
      .union([z.enum(["none", "auto", "required"]), z.object({ type: z.string().min(1) }).loose()])
      .nullable()
      .optional(),
    parallel_tool_calls: z.boolean().nullable().optional(),
    text: z
      .object({
        format: z
          .object({ type: z.string().min(1) })
          .loose()
          .nullable()
          .optional(),
        verbosity: z.string().nullable().optional(),
      })
      .loose()
      .nullable()
      .optional(),
    reasoning: z
      .object({ effort: z.string().nullable().optional(), summary: z.string().nullable().optional() })
      .loose()
      .nullable()
      .optional(),
    max_output_tokens: z.number().int().positive().nullable().optional(),
    temperature: z.number().min(0).max(2).nullable().optional(),
    top_p: z.number().min(0).max(1).nullable().optional(),
    metadata: z.record(z.string(), z.string()).nullable().optional(),
    user: z.string().nullable().optional(),
    stream: z.boolean().nullable().optional(),
    store: z.boolean().nullable().optional(),
    /** A stored response's id (`resp_...`): bounded, as it becomes a store key and is echoed in errors. */
    previous_response_id: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,200}$/, "expected a response id of up to 200 letters, digits, '_' or '-'")
      .nullable()
      .optional(),
    include: z.array(z.string()).nullable().optional(),
    prompt_cache_key: z.string().nullable().optional(),
    truncation: z.string().nullable().optional(),
    service_tier: z.string().nullable().optional(),
  })
  .loose();
export type ResponsesRequest = z.infer<typeof ResponsesRequest>;
