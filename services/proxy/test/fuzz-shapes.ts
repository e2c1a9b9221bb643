import fc from "fast-check";

/**
 * A rough description of a request body, for fuzzing: objects name their usual keys, arrays their
 * usual items, leaves their usual values. Every position may also get random JSON instead, so the
 * bodies are of the right top-level shape and wrong anywhere below it.
 */
export type Shape = { [key: string]: Shape } | [Shape] | readonly (string | number | boolean | null)[] | "any";

/** Anything: edge values (null, empty, negative) as often as random JSON. */
const anyJson = fc.oneof(fc.constantFrom(null, 0, -1, 1e308, "", true, false, {}, []), fc.jsonValue({ maxDepth: 3 }));

/** Random JSON near `shape`: each position is the expected kind seven times in eight, anything otherwise. */
export function shaped(shape: Shape, depth = 0): fc.Arbitrary<unknown> {
  if (shape === "any" || depth > 8) return anyJson;
  let expected: fc.Arbitrary<unknown>;
  if (Array.isArray(shape) && shape.length === 1 && typeof shape[0] === "object" && shape[0] !== null) {
    expected = fc.array(shaped(shape[0] as Shape, depth + 1), { maxLength: 4 });
  } else if (Array.isArray(shape)) {
    expected = fc.constantFrom(...(shape as (string | number | boolean | null)[]));
  } else {
    const fields: Record<string, fc.Arbitrary<unknown>> = {};
    // Each key present three times in four (an absent value is left out by JSON.stringify).
    for (const [k, v] of Object.entries(shape as Record<string, Shape>))
      fields[k] = fc.option(shaped(v, depth + 1), { nil: undefined, freq: 4 });
    expected = fc.record(fields);
  }
  return fc.oneof({ weight: 7, arbitrary: expected }, { weight: 1, arbitrary: anyJson });
}

/**
 * A body: `required` keys always (model names the router knows), `main` keys of `shape` always (the
 * conversation, so most bodies reach the translations), and up to three of its other keys.
 */
export function body(
  required: Record<string, fc.Arbitrary<unknown>>,
  shape: Record<string, Shape>,
  main: readonly string[] = [],
): fc.Arbitrary<Record<string, unknown>> {
  const always: Record<string, fc.Arbitrary<unknown>> = { ...required };
  for (const k of main) always[k] = shaped(shape[k] as Shape);
  const others = Object.keys(shape).filter((k) => !main.includes(k));
  const some = fc.subarray(others, { maxLength: 3 }).chain((keys) => {
    const picked: Record<string, fc.Arbitrary<unknown>> = {};
    for (const k of keys) picked[k] = shaped(shape[k] as Shape);
    return fc.record(picked);
  });
  return fc.tuple(fc.record(always), some).map(([a, o]) => Object.assign({}, o, a) as Record<string, unknown>);
}

const text: Shape = ["hello", "", "x".repeat(40), "data:image/png;base64,iVBORw0KGgo=", "https://example.com/a.png"];
const schema: Shape = {
  type: ["object", "OBJECT", "string", "array", "STRING", 5, null],
  properties: { a: { type: ["string", "OBJECT", 1] }, b: "any" },
  items: { type: ["string"] },
  required: [{ x: ["a"] }],
  nullable: [true, false],
};

/** OpenAI chat messages and parts. */
const chatPart: Shape = {
  type: ["text", "image_url", "input_audio", "file", "bogus"],
  text,
  image_url: { url: text, detail: ["low", "high"] },
  file: { file_data: text },
};
const chatMessage: Shape = {
  role: ["user", "assistant", "system", "tool", "developer", "bogus"],
  content: [chatPart],
  name: text,
  tool_call_id: text,
  tool_calls: [{ id: text, type: ["function"], function: { name: text, arguments: ["{}", "{bad", ""] } }],
};
export const chatShape: Record<string, Shape> = {
  messages: [chatMessage],
  tools: [{ type: ["function", "web_search"], function: { name: text, description: text, parameters: schema } }],
  tool_choice: ["auto", "none", "required", "bogus"],
  stream: [true, false],
  stream_options: { include_usage: [true, false] },
  max_tokens: [1, 16, 0, -1, 1.5],
  temperature: [0, 1, 2, 3],
  response_format: { type: ["json_object", "json_schema", "text"], json_schema: { name: text, schema } },
  n: [1, 2],
  stop: [["a"]],
};

const responsesPart: Shape = {
  type: ["input_text", "output_text", "input_image", "input_file", "refusal", "bogus"],
  text,
  image_url: text,
  file_data: text,
  refusal: text,
};
const responsesItem: Shape = {
  type: ["message", "function_call", "function_call_output", "reasoning", "item_reference", "bogus"],
  role: ["user", "assistant", "system", "developer", "bogus"],
  content: [responsesPart],
  call_id: text,
  name: text,
  arguments: ["{}", "{bad"],
  output: [responsesPart],
  encrypted_content: ["air1.abc", "x"],
  summary: [{ type: ["summary_text"], text }],
};
export const responsesShape: Record<string, Shape> = {
  input: [responsesItem],
  instructions: text,
  tools: [
    {
      type: ["function", "namespace", "web_search", "custom"],
      name: text,
      parameters: schema,
      tools: [{ type: ["function"], name: text }],
    },
  ],
  tool_choice: { type: ["function", "allowed_tools", "bogus"], name: text, mode: ["auto", "required"] },
  text: { format: { type: ["json_schema", "json_object", "text", "bogus"], name: text, schema } },
  reasoning: { effort: ["low", "high", "bogus"], summary: ["auto"] },
  max_output_tokens: [16, 0, -5],
  stream: [true, false],
  store: [true, false],
  previous_response_id: ["resp_nope", ""],
  include: [["reasoning.encrypted_content"]],
  truncation: ["auto", "disabled", "bogus"],
  background: [true, false],
};

const anthropicBlock: Shape = {
  type: ["text", "image", "tool_use", "tool_result", "thinking", "document", "bogus"],
  text,
  source: { type: ["base64", "url"], media_type: ["image/png"], data: text, url: text },
  id: text,
  name: text,
  input: "any",
  tool_use_id: text,
  content: [{ type: ["text", "image"], text }],
  thinking: text,
  signature: text,
};
export const messagesShape: Record<string, Shape> = {
  messages: [{ role: ["user", "assistant", "system"], content: [anthropicBlock] }],
  system: [{ type: ["text"], text }],
  tools: [{ name: text, description: text, input_schema: schema, type: ["custom", "web_search_20250305"] }],
  tool_choice: { type: ["auto", "any", "tool", "none"], name: text },
  thinking: { type: ["enabled", "disabled"], budget_tokens: [1024, 0] },
  stream: [true, false],
  temperature: [0, 1],
  stop_sequences: [["a"]],
  metadata: { user_id: text },
};

const geminiPart: Shape = {
  text,
  inlineData: { mimeType: ["image/png", "application/pdf", 5], data: text },
  fileData: { mimeType: ["image/png"], fileUri: text },
  functionCall: { name: text, args: "any", id: text },
  functionResponse: { name: text, response: "any", id: text },
  thought: [true, false],
  thoughtSignature: text,
};
export const geminiShape: Record<string, Shape> = {
  contents: [{ role: ["user", "model", "bogus"], parts: [geminiPart] }],
  systemInstruction: { role: ["system"], parts: [geminiPart] },
  tools: [
    { functionDeclarations: [{ name: text, description: text, parameters: schema, parametersJsonSchema: schema }], googleSearch: {} },
  ],
  toolConfig: { functionCallingConfig: { mode: ["AUTO", "ANY", "NONE", "bogus"], allowedFunctionNames: [text] } },
  generationConfig: {
    temperature: [0, 1, 3],
    topP: [0.5],
    maxOutputTokens: [16, 0],
    stopSequences: [text],
    responseMimeType: ["application/json", "text/plain"],
    responseSchema: schema,
    responseJsonSchema: schema,
    thinkingConfig: { thinkingBudget: [0, -1, 2048], thinkingLevel: ["low", "HIGH"] },
    candidateCount: [1, 2],
  },
  safetySettings: "any",
};
