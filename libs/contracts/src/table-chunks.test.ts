import { describe, expect, it } from "vitest";
import { assembleTable, MAX_MODELS_PER_CHUNK, MODELS_PER_CHUNK, splitTable } from "./table-chunks.js";

const model = (i: number, extra = "") => ({
  name: `model-${i}`,
  targets: [{ provider: "p", upstreamModel: `m-${i}${extra}`, pad: "x".repeat(400) }],
});
const table = (n: number) => ({ revision: 1, providers: [], models: Array.from({ length: n }, (_, i) => model(i)), clientKeys: [] });

describe("model chunks", () => {
  it("keeps a small table whole", () => {
    const t = table(10);
    expect(splitTable(t)).toEqual({ head: t, chunks: [] });
  });

  it("splits a big table into content-named chunks that only change where the models did, and puts it back", async () => {
    const t = table(5_000);
    const a = splitTable(t);
    expect(a.head.models).toEqual([]);
    // Chunk ends depend on model names: about MODELS_PER_CHUNK models each on average, never more than the cap.
    expect(a.chunks.length).toBeGreaterThanOrEqual(5_000 / MAX_MODELS_PER_CHUNK);
    expect(a.chunks.length).toBeLessThanOrEqual((3 * 5_000) / MODELS_PER_CHUNK);
    expect(Math.max(...a.chunks.map((c) => (JSON.parse(c.text) as unknown[]).length))).toBeLessThanOrEqual(MAX_MODELS_PER_CHUNK);
    expect(Math.max(...a.chunks.map((c) => c.text.length))).toBeLessThan(512 * 1024);
    expect(JSON.stringify(a.head).length).toBeLessThan(4_096);
    // One model changed, one added: the head and two chunks change, the other chunks keep their ids.
    const t2 = structuredClone(t);
    t2.models[7] = model(7, "-v2");
    t2.models.push(model(5_000));
    const b = splitTable(t2);
    const before = new Set(a.chunks.map((c) => c.id));
    expect(b.chunks.filter((c) => !before.has(c.id))).toHaveLength(2);
    const store = new Map([...a.chunks, ...b.chunks].map((c) => [c.id, c.text]));
    expect(await assembleTable(b.head as unknown as Record<string, unknown>, async (id) => store.get(id))).toEqual(t2);
  });

  it("a model removed or inserted in the middle changes one chunk, not every chunk after it", () => {
    const t = table(5_000);
    const before = new Set(splitTable(t).chunks.map((c) => c.id));
    const removed = structuredClone(t);
    removed.models.splice(1_234, 1);
    const r = splitTable(removed);
    expect(r.chunks.filter((c) => !before.has(c.id))).toHaveLength(1);
    const inserted = structuredClone(t);
    inserted.models.splice(2_345, 0, model(9_999));
    const ins = splitTable(inserted);
    expect(ins.chunks.filter((c) => !before.has(c.id)).length).toBeLessThanOrEqual(2);
  });

  it("passes the models' own texts through unchanged", () => {
    const t = table(2_000);
    const texts = t.models.map((m) => JSON.stringify(m));
    expect(splitTable(t, texts)).toEqual(splitTable(t));
  });

  it("refuses a missing chunk or one that does not match its id", async () => {
    const { head, chunks } = splitTable(table(600));
    const h = head as unknown as Record<string, unknown>;
    await expect(assembleTable(h, async () => undefined)).rejects.toThrow(/missing/);
    const forged = new Map(chunks.map((c) => [c.id, c.text.replace("model-1", "evil-1")]));
    await expect(assembleTable(h, async (id) => forged.get(id))).rejects.toThrow(/does not match/);
  });
});
