import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request as a mock upstream saw it. */
export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  text: string;
}

/** The fields and the file of a multipart form (small test bodies only). */
export function parseMultipart(req: SeenRequest): { fields: Record<string, string>; file?: { name: string; text: string } } {
  const boundary = /boundary=([^;]+)/.exec(String(req.headers["content-type"] ?? ""))?.[1];
  const fields: Record<string, string> = {};
  let file: { name: string; text: string } | undefined;
  if (!boundary) return { fields };
  for (const part of req.text.split(`--${boundary}`)) {
    const head = /^\r\n([\s\S]*?)\r\n\r\n([\s\S]*)\r\n$/.exec(part);
    if (!head) continue;
    const name = /name="([^"]*)"/.exec(head[1] as string)?.[1] ?? "";
    const filename = /filename="([^"]*)"/.exec(head[1] as string)?.[1];
    if (filename !== undefined) file = { name: filename, text: head[2] as string };
    else fields[name] = head[2] as string;
  }
  return file ? { fields, file } : { fields };
}

export type MockHandler = (req: SeenRequest, res: ServerResponse) => unknown;

/** An HTTP mock on a free loopback port: every request recorded, then given to `handle`. */
export async function startMockServer(handle: MockHandler) {
  const seen: SeenRequest[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? "/", "http://mock");
    const r: SeenRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      text: Buffer.concat(chunks).toString("utf8"),
    };
    seen.push(r);
    try {
      await handle(r, res);
    } catch (err) {
      json(res, 500, { error: { message: (err as Error).message } });
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/** An OpenAI chat completion answering `from <model>`. */
export const chatReply = (model: string) => ({
  id: "chatcmpl-mock",
  object: "chat.completion",
  created: 1,
  model,
  choices: [{ index: 0, message: { role: "assistant", content: `from ${model}` }, finish_reason: "stop" }],
  usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
});
