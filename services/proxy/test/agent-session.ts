import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { UsageRecord } from "@ai-router/contracts";
import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { type ProxyProcess, spawnProxy } from "./harness.js";

/** Three equally weighted OpenAI-style targets that model prompt caching per API key, behind N proxy processes. */
export interface AgentRig {
  ups: MockUpstream[];
  proxies: ProxyProcess[];
  logs: string[];
  close(): Promise<void>;
}

/** Prices like gpt-4.1's: cached input at a quarter of the input price. */
const PRICE = { input_per_mtok: 2, cached_input_per_mtok: 0.5, output_per_mtok: 8 };

export async function startAgentRig(affinity: "off" | "session" | "prefix" | undefined, replicas = 2): Promise<AgentRig> {
  const ups = await Promise.all([0, 1, 2].map(() => startMockUpstream({ promptCache: true })));
  const dir = mkdtempSync(join(tmpdir(), "ai-router-affinity-"));
  const logs = Array.from({ length: replicas }, (_, i) => join(dir, `usage-${i}.jsonl`));
  const proxies: ProxyProcess[] = [];
  for (let i = 0; i < replicas; i++) {
    const config = {
      server: { cooldown_ms: 60_000, failure_threshold: 1, usage_log: logs[i] },
      providers: ups.map((u, k) => ({
        name: `up${k}`,
        type: "openai-compatible",
        base_url: u.baseUrl,
        api_key: `sk-cache-${k}`,
        timeout_ms: 3000,
      })),
      models: [
        {
          name: "agent",
          strategy: "round_robin",
          ...(affinity ? { affinity } : {}),
          providers: ups.map((_, k) => ({ provider: `up${k}`, model: "gpt-4o", price: PRICE })),
        },
      ],
    };
    const file = join(dir, `router-${i}.json`);
    writeFileSync(file, JSON.stringify(config));
    proxies.push(await spawnProxy({ ROUTER_CONFIG: file, ROUTER_WARMUP: "0" }));
  }
  return {
    ups,
    proxies,
    logs,
    async close() {
      await Promise.all(proxies.map((p) => p.stop()));
      await Promise.all(ups.map((u) => u.close()));
    },
  };
}

export interface Turn {
  status: number;
  provider: string | null;
  promptTokens: number;
  cachedTokens: number;
}

/**
 * A coding agent's conversation: a long system prompt and tools, then turns that each resend the whole
 * history plus a new user message, alternating between the replicas.
 */
export class AgentConversation {
  readonly messages: { role: string; content: string }[];
  constructor(
    private readonly rig: AgentRig,
    private readonly name: string,
    private readonly extra: { headers?: Record<string, string>; body?: Record<string, unknown> } = {},
  ) {
    this.messages = [{ role: "system", content: `You are agent ${name}. ${"Follow the project's rules carefully. ".repeat(160)}` }];
  }

  async turn(n: number): Promise<Turn> {
    this.messages.push({ role: "user", content: `Turn ${n} of ${this.name}: ${"please look at the next file and fix it. ".repeat(8)}` });
    const proxy = this.rig.proxies[n % this.rig.proxies.length] as ProxyProcess;
    const r = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", ...this.extra.headers },
      body: JSON.stringify({
        model: "agent",
        messages: this.messages,
        tools: [{ type: "function", function: { name: "read_file", parameters: { type: "object" } } }],
        tool_choice: "none",
        ...this.extra.body,
      }),
    });
    const body = (await r.json()) as {
      choices?: { message: { content: string } }[];
      usage?: { prompt_tokens: number; prompt_tokens_details?: { cached_tokens?: number } };
    };
    const answer = body.choices?.[0]?.message.content ?? "";
    this.messages.push({ role: "assistant", content: answer });
    return {
      status: r.status,
      provider: r.headers.get("x-router-provider"),
      promptTokens: body.usage?.prompt_tokens ?? 0,
      cachedTokens: body.usage?.prompt_tokens_details?.cached_tokens ?? 0,
    };
  }
}

/** The usage records the replicas wrote (their `usage_log` files). */
export function usageRecords(rig: AgentRig): UsageRecord[] {
  return rig.logs.flatMap((f) => {
    try {
      return readFileSync(f, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as UsageRecord);
    } catch {
      return [];
    }
  });
}
