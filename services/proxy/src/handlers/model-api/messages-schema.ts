import { z } from "zod";

/**
 * Anthropic `POST /v1/messages` request, as far as the router must understand it. Known fields are
 * type-checked; blocks and unknown fields pass through (native targets get them untouched).
 */
/** The field each block type must carry as a string (the translations and the token estimate read it). */
const TEXT_FIELD: Record<string, string> = { text: "text", thinking: "thinking", tool_use: "name" };

const Block: z.ZodType<{ type: string }> = z
  .looseObject({
    type: z.string().min(1),
    // A tool result's content: text or blocks of the same kind (a server tool's error: one object).
    content: z.union([z.string(), z.array(z.lazy(() => Block)), z.looseObject({})]).optional(),
  })
  .superRefine((b, ctx) => {
    const field = TEXT_FIELD[b.type];
    if (field !== undefined && typeof (b as Record<string, unknown>)[field] !== "string") {
      ctx.addIssue({ code: "custom", path: [field], message: `a '${b.type}' block needs '${field}' as a string` });
    }
  });
const Content = z.union([z.string(), z.array(Block)]);

const Message = z.object({ role: z.enum(["user", "assistant", "system"]), content: Content }).loose();

const Tool = z.object({ name: z.string().min(1) }).loose();

const ToolChoice = z.union([
  z.object({ type: z.enum(["auto", "any"]), disable_parallel_tool_use: z.boolean().optional() }).loose(),
  z.object({ type: z.literal("tool"), name: z.string().min(1), disable_parallel_tool_use: z.boolean().optional() }).loose(),
  z.object({ type: z.literal("none") }).loose(),
]);

const common = {
  model: z.string().min(1),
  messages: z.array(Message).min(1),
  system: Content.optional(),
  tools: z.array(Tool).optional(),
  tool_choice: ToolChoice.optional(),
  thinking: z
    .object({ type: z.string().min(1) })
    .loose()
    .optional(),
};

export const MessagesRequest = z
  .object(
    Object.assign({}, common, {
      max_tokens: z.number().int().positive(),
      stop_sequences: z.array(z.string()).optional(),
      temperature: z.number().min(0).max(1).optional(),
      top_p: z.number().min(0).max(1).optional(),
      top_k: z.number().int().nonnegative().optional(),
      stream: z.boolean().optional(),
      metadata: z.object({ user_id: z.string().nullable().optional() }).loose().optional(),
    }),
  )
  .loose();

/** `POST /v1/messages/count_tokens`: the same request without `max_tokens`. */
export const CountTokensRequest = z.object(common).loose();
