import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * An OpenAI-style upstream whose streams stay open until `release()`: each answers its headers and a
 * first chunk at once, then waits. It counts the requests open on it now and at most, so a test can
 * see how many streams are in flight upstream at the same time without timing anything.
 */
export interface HeldUpstream {
  baseUrl: string;
  /** Requests whose response is not finished. */
  readonly open: number;
  /** The most requests open at once. */
  readonly maxOpen: number;
  /** Finishes every held stream, and answers later requests at once. */
  release(): void;
  close(): Promise<void>;
}

const chunk = (delta: Record<string, unknown>, finish: string | null, usage?: Record<string, number>) =>
  `data: ${JSON.stringify({
    id: "chatcmpl-held",
    object: "chat.completion.chunk",
    created: 0,
    model: "gpt-4o",
    choices: usage ? [] : [{ index: 0, delta, finish_reason: finish }],
    ...(usage ? { usage } : {}),
  })}\n\n`;

function finish(res: ServerResponse): void {
  res.end(
    `${chunk({ content: " there" }, "stop")}${chunk({}, null, { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 })}data: [DONE]\n\n`,
  );
}

export async function startHeldUpstream(opts: { hold?: boolean } = {}): Promise<HeldUpstream> {
  let hold = opts.hold ?? true;
  let open = 0;
  let maxOpen = 0;
  const held: ServerResponse[] = [];
  const server = createServer((req, res) => {
    open++;
    maxOpen = Math.max(maxOpen, open);
    res.once("close", () => open--);
    req.resume();
    req.once("end", () => {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      res.write(chunk({ role: "assistant", content: "hi" }, null));
      if (hold) held.push(res);
      else finish(res);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    get open() {
      return open;
    },
    get maxOpen() {
      return maxOpen;
    },
    release() {
      hold = false;
      for (const res of held.splice(0)) finish(res);
    },
    async close() {
      this.release();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
