import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createLogger } from "@ai-router/logger";
import { type MockUpstream, startMockUpstream, waitFor } from "@ai-router/testing";
import { afterEach, describe, expect, it } from "vitest";
import { OtlpExporter } from "../src/tracing/otlp-exporter.js";
import { openAIConfig, startTestProxy, type TestProxy } from "./harness.js";

interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: Record<string, unknown> }[];
  status: { code: number };
}

let a: MockUpstream;
let b: MockUpstream;
let proxy: TestProxy;
let receiver: Server;
let spans: Span[];

/** An in-process OTLP/HTTP receiver (JSON encoding). */
async function startReceiver(): Promise<string> {
  spans = [];
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      expect(req.url).toBe("/v1/traces");
      expect(req.headers["content-type"]).toBe("application/json");
      const doc = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: Span[] }[] }[] };
      for (const rs of doc.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
}

afterEach(async () => {
  await proxy?.close();
  await a?.close();
  await b?.close();
  await new Promise((r) => (receiver ? receiver.close(r) : r(undefined)));
});

const attr = (s: Span, key: string) => {
  const v = s.attributes.find((x) => x.key === key)?.value;
  return v === undefined ? undefined : Object.values(v)[0];
};
const chat = (headers: Record<string, string> = {}) =>
  fetch(`${proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] }),
  });

const PARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

describe("traces", () => {
  it("without an exporter, a valid client traceparent goes upstream as it is, an invalid one never", async () => {
    a = await startMockUpstream();
    proxy = await startTestProxy(openAIConfig([a.baseUrl]));
    await (await chat({ traceparent: PARENT })).text();
    await (await chat({ traceparent: "00-zz-nope-01" })).text();
    const got = a.received("/chat/completions").map((r) => r.headers.traceparent);
    expect(got).toEqual([PARENT, undefined]);
  });

  it("exports a request span (child of the client's) and one span per attempt over OTLP/HTTP with gen_ai attributes", async () => {
    const url = await startReceiver();
    a = await startMockUpstream();
    b = await startMockUpstream();
    const logger = createLogger({ name: "t", level: "silent", sync: true });
    const cfg = openAIConfig([a.baseUrl, b.baseUrl], { model: { strategy: "fallback" } });
    proxy = await startTestProxy(
      cfg,
      {},
      {
        proxy: (store) => {
          const tracer = new OtlpExporter(
            { url: `${url}/v1/traces`, serviceName: "test", logger, flushMs: 20 },
            (p) => store.current?.providers.get(p)?.config.type,
          );
          return { tracer, usageSink: { write: () => {} } };
        },
      },
    );
    a.behavior.next({ status: 500 });
    const r = await chat({ traceparent: PARENT });
    const body = await r.json();
    await waitFor(() => spans.length === 3, 5_000);
    const [traceId, parentId] = [PARENT.split("-")[1], PARENT.split("-")[2]];
    const server = spans.find((s) => s.kind === 2)!;
    expect(server).toMatchObject({ traceId, parentSpanId: parentId, name: "chat gpt-4o", status: { code: 1 } });
    expect(attr(server, "gen_ai.system")).toBe("openai-compatible");
    expect(attr(server, "gen_ai.request.model")).toBe("gpt-4o");
    expect(attr(server, "gen_ai.usage.input_tokens")).toBe(String(body.usage.prompt_tokens));
    expect(attr(server, "gen_ai.usage.output_tokens")).toBe(String(body.usage.completion_tokens));
    expect(attr(server, "ai_router.request_id")).toBe(r.headers.get("x-request-id"));
    const clients = spans.filter((s) => s.kind === 3);
    expect(
      clients.map((s) => [s.parentSpanId, attr(s, "ai_router.provider"), attr(s, "ai_router.attempt.outcome"), s.status.code]),
    ).toEqual([
      [server.spanId, "up0", "retry", 2],
      [server.spanId, "up1", "served", 1],
    ]);
    // Each upstream got its attempt's span as the parent.
    expect(a.received("/chat/completions")[0]!.headers.traceparent).toBe(`00-${traceId}-${clients[0]!.spanId}-01`);
    expect(b.received("/chat/completions")[0]!.headers.traceparent).toBe(`00-${traceId}-${clients[1]!.spanId}-01`);
  });
});
