import { describe, expect, it } from "vitest";
import { type BreakingKind, breakingChanges, describeChanges, majorVersion } from "./openapi-compat.js";

type Json = Record<string, unknown>;
const json = (schema: unknown) => ({ "application/json": { schema } });

/** A document with one `POST /things` taking `body` and answering `response`, plus `GET /things`. */
function doc(opts: { body?: unknown; response?: unknown; params?: unknown[]; bodyRequired?: boolean; extra?: Json } = {}): Json {
  const body = opts.body ?? {
    type: "object",
    properties: { name: { type: "string", maxLength: 64 }, size: { type: "integer", minimum: 1 }, kind: { enum: ["a", "b"] } },
    required: ["name"],
  };
  const response = opts.response ?? {
    type: "object",
    properties: { id: { type: "integer" }, name: { type: "string" }, note: { anyOf: [{ type: "string" }, { type: "null" }] } },
    required: ["id", "name"],
  };
  return {
    openapi: "3.1.0",
    info: { title: "t", version: "1" },
    paths: {
      "/things": {
        get: {
          parameters: opts.params ?? [{ name: "limit", in: "query", required: false, schema: { type: "integer", maximum: 100 } }],
          responses: { 200: { description: "ok", content: json({ type: "array", items: response }) } },
        },
        post: {
          requestBody: { required: opts.bodyRequired ?? false, content: json(body) },
          responses: { 200: { description: "ok", content: json(response) }, 404: { description: "gone" } },
        },
      },
      ...(opts.extra ?? {}),
    },
  };
}

const kinds = (before: Json, after: Json): BreakingKind[] => breakingChanges(before, after).map((c) => c.kind);
/** A deep copy (no shared parts) edited in place. */
function edit(d: Json, change: (d: any) => void): Json {
  const copy = JSON.parse(JSON.stringify(d));
  change(copy);
  return copy;
}

describe("breakingChanges: each breaking kind is detected", () => {
  const base = doc();
  const cases: [string, (d: any) => void, BreakingKind][] = [
    ["a path removed", (d) => delete d.paths["/things"], "path-removed"],
    ["a method removed", (d) => delete d.paths["/things"].get, "method-removed"],
    ["a parameter removed", (d) => (d.paths["/things"].get.parameters = []), "parameter-removed"],
    ["a parameter made required", (d) => (d.paths["/things"].get.parameters[0].required = true), "parameter-made-required"],
    [
      "a required parameter added",
      (d) => d.paths["/things"].get.parameters.push({ name: "tenant", in: "header", required: true, schema: { type: "string" } }),
      "parameter-made-required",
    ],
    ["a parameter's bound tightened", (d) => (d.paths["/things"].get.parameters[0].schema.maximum = 50), "constraint-tightened"],
    ["a body made required", (d) => (d.paths["/things"].post.requestBody.required = true), "request-body-made-required"],
    ["a request media type removed", (d) => (d.paths["/things"].post.requestBody.content = {}), "media-type-removed"],
    ["a success response removed", (d) => delete d.paths["/things"].post.responses[200], "response-removed"],
    [
      "a response field removed",
      (d) => delete d.paths["/things"].post.responses[200].content["application/json"].schema.properties.name,
      "response-field-removed",
    ],
    [
      "a response field removed inside an array",
      (d) => delete d.paths["/things"].get.responses[200].content["application/json"].schema.items.properties.id,
      "response-field-removed",
    ],
    [
      "a response field made optional",
      (d) => (d.paths["/things"].post.responses[200].content["application/json"].schema.required = ["id"]),
      "response-field-made-optional",
    ],
    [
      "a response type widened (may now be null)",
      (d) => (d.paths["/things"].post.responses[200].content["application/json"].schema.properties.id = { type: ["integer", "null"] }),
      "type-widened",
    ],
    [
      "a request field removed",
      (d) => delete d.paths["/things"].post.requestBody.content["application/json"].schema.properties.size,
      "request-field-removed",
    ],
    [
      "a request field made required",
      (d) => d.paths["/things"].post.requestBody.content["application/json"].schema.required.push("size"),
      "field-made-required",
    ],
    [
      "a request field added as required",
      (d) => {
        const s = d.paths["/things"].post.requestBody.content["application/json"].schema;
        s.properties.owner = { type: "string" };
        s.required.push("owner");
      },
      "required-field-added",
    ],
    [
      "a request type changed (string to integer)",
      (d) => {
        const s = d.paths["/things"].post.requestBody.content["application/json"].schema;
        s.properties.name = { type: "integer" };
      },
      "type-narrowed",
    ],
    [
      "a nullable request field no longer nullable",
      (d) => (d.paths["/things"].post.requestBody.content["application/json"].schema.properties.size = { type: "integer" }),
      "type-narrowed",
    ],
    [
      "an enum value removed",
      (d) => (d.paths["/things"].post.requestBody.content["application/json"].schema.properties.kind = { enum: ["a"] }),
      "enum-value-removed",
    ],
    [
      "a maxLength lowered",
      (d) => (d.paths["/things"].post.requestBody.content["application/json"].schema.properties.name.maxLength = 10),
      "constraint-tightened",
    ],
    [
      "unknown request fields refused",
      (d) => (d.paths["/things"].post.requestBody.content["application/json"].schema.additionalProperties = false),
      "constraint-tightened",
    ],
  ];
  // The nullable case needs a nullable field first.
  const withNullable = edit(base, (d) => {
    d.paths["/things"].post.requestBody.content["application/json"].schema.properties.size = { type: ["integer", "null"] };
  });
  for (const [name, change, kind] of cases)
    it(name, () => {
      const before = name.startsWith("a nullable") ? withNullable : base;
      const found = kinds(before, edit(before, change));
      expect(found, describeChanges(breakingChanges(before, edit(before, change)))).toContain(kind);
    });

  it("pairs union members by their constant properties (a removed content-part kind is a narrowing)", () => {
    const part = (t: string, field: string) => ({
      type: "object",
      properties: { type: { const: t }, [field]: { type: "string" } },
      required: ["type", field],
    });
    const before = doc({ body: { type: "array", items: { anyOf: [part("text", "text"), part("image", "url")] } } });
    const after = doc({ body: { type: "array", items: { anyOf: [part("text", "text")] } } });
    expect(kinds(before, after)).toContain("type-narrowed");
    const renamed = doc({ body: { type: "array", items: { anyOf: [part("text", "content"), part("image", "url")] } } });
    expect(kinds(before, renamed)).toEqual(expect.arrayContaining(["request-field-removed", "required-field-added"]));
  });

  it("names each change in the description", () => {
    const after = edit(base, (d) => delete d.paths["/things"].post.responses[200].content["application/json"].schema.properties.name);
    expect(describeChanges(breakingChanges(base, after))).toBe(
      "- response-field-removed: POST /things response 200 (application/json).name: field removed",
    );
  });
});

describe("breakingChanges: additions and compatible changes are accepted", () => {
  const base = doc();
  const ok: [string, (d: any) => void][] = [
    ["an identical document", () => {}],
    ["a new path", (d) => (d.paths["/other"] = { get: { responses: { 200: { description: "ok" } } } })],
    ["a new method", (d) => (d.paths["/things"].delete = { responses: { 204: { description: "gone" } } })],
    ["a new optional parameter", (d) => d.paths["/things"].get.parameters.push({ name: "q", in: "query", schema: { type: "string" } })],
    [
      "a new optional request field",
      (d) => (d.paths["/things"].post.requestBody.content["application/json"].schema.properties.tag = { type: "string" }),
    ],
    [
      "a new response field",
      (d) => (d.paths["/things"].post.responses[200].content["application/json"].schema.properties.tag = { type: "string" }),
    ],
    [
      "a new enum value",
      (d) => (d.paths["/things"].post.requestBody.content["application/json"].schema.properties.kind = { enum: ["a", "b", "c"] }),
    ],
    [
      "a required request field made optional",
      (d) => (d.paths["/things"].post.requestBody.content["application/json"].schema.required = []),
    ],
    [
      "a request type widened (integer to number)",
      (d) => (d.paths["/things"].post.requestBody.content["application/json"].schema.properties.size = { type: "number" }),
    ],
    [
      "a request bound loosened",
      (d) => (d.paths["/things"].post.requestBody.content["application/json"].schema.properties.name.maxLength = 128),
    ],
    [
      "a response field that was optional made always present",
      (d) => d.paths["/things"].post.responses[200].content["application/json"].schema.required.push("note"),
    ],
    [
      "a response type narrowed (no longer null)",
      (d) => (d.paths["/things"].post.responses[200].content["application/json"].schema.properties.note = { type: "string" }),
    ],
    ["an error response no longer documented", (d) => delete d.paths["/things"].post.responses[404]],
    ["a new response media type", (d) => (d.paths["/things"].post.responses[200].content["text/csv"] = {})],
    ["a summary reworded", (d) => (d.paths["/things"].get.summary = "Things, newest first")],
  ];
  for (const [name, change] of ok)
    it(name, () => {
      const after = edit(base, change);
      expect(breakingChanges(base, after), describeChanges(breakingChanges(base, after))).toEqual([]);
    });

  it("resolves local $refs on both sides", () => {
    const withRef = (props: Json) => ({
      ...doc({ body: { $ref: "#/components/schemas/Thing" } }),
      components: { schemas: { Thing: { type: "object", properties: props } } },
    });
    expect(breakingChanges(withRef({ a: { type: "string" } }), withRef({ a: { type: "string" }, b: { type: "string" } }))).toEqual([]);
    expect(kinds(withRef({ a: { type: "string" } }), withRef({}))).toEqual(["request-field-removed"]);
  });
});

describe("recursive schemas", () => {
  it("are walked once, and a change inside them is still found", () => {
    const tree = (leaf: Json) => ({
      ...doc({ body: { $ref: "#/$defs/Node" } }),
      $defs: {
        Node: {
          anyOf: [
            leaf,
            { type: "array", items: { $ref: "#/$defs/Node" } },
            { type: "object", properties: { children: { $ref: "#/$defs/Node" }, sibling: { $ref: "#/$defs/Node" } } },
          ],
        },
      },
    });
    expect(breakingChanges(tree({ type: "string" }), tree({ type: "string" }))).toEqual([]);
    expect(kinds(tree({ type: "string" }), tree({ type: "integer" }))).toContain("type-narrowed");
  });
});

describe("majorVersion", () => {
  it("reads the leading integer of info.version", () => {
    expect(majorVersion({ info: { version: "1" } })).toBe(1);
    expect(majorVersion({ info: { version: "2.3.0" } })).toBe(2);
    expect(() => majorVersion({ info: {} })).toThrow(/major/);
  });
});
