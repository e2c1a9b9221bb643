import { describe, expect, it } from "vitest";
import { assembleConversation, MAX_CONVERSATION_TURNS } from "./conversation.js";
import { MemoryResponseStore, type ResponseStore, type StoredEntry, type TurnRef } from "./store.js";

/** A memory store that counts its lookups (a Redis store makes one round trip per call). */
function countingStore() {
  const inner = new MemoryResponseStore({ ttlMs: 60_000, maxEntries: 100_000, maxBytes: 1 << 30 });
  const calls = { get: 0, getMany: 0 };
  const store: ResponseStore = {
    get(id, owner) {
      calls.get++;
      return inner.get(id, owner);
    },
    getMany(ids, owner) {
      calls.getMany++;
      return inner.getMany(ids, owner);
    },
    put: (id, v, keep) => inner.put(id, v, keep),
    delete: (id, owner) => inner.delete(id, owner),
  };
  return { store, calls, inner };
}

const message = (role: string, text: string) => ({ type: "message", role, content: [{ type: "input_text", text }] });

/** Stores `n` turns the way the Responses ingress does (each continuing the previous), returns the last id. */
async function chain(store: ResponseStore, n: number, text = (t: number) => `turn ${t}`): Promise<string> {
  let previous: string | undefined;
  let ancestors: TurnRef[] = [];
  let ids: string[] = [];
  for (let t = 1; t <= n; t++) {
    const id = `resp_${t}`;
    const value = {
      owner: "k",
      response: { id, output: [{ id: `msg_o${t}`, ...message("assistant", `answer ${t}`) }] },
      input: [{ id: `msg_i${t}`, ...message("user", text(t)) }],
    };
    await store.put(id, previous ? Object.assign(value, { previous, ancestors }) : value, ids);
    const c = await assembleConversation(store, id, "k", 0, Number.MAX_SAFE_INTEGER);
    previous = id;
    ancestors = c.ancestors;
    ids = c.ids;
  }
  return previous as string;
}

describe("assembleConversation", () => {
  it("assembles every turn in order, fetching 32 earlier turns per lookup", async () => {
    const { store, calls } = countingStore();
    const last = await chain(store, 70);
    calls.get = 0;
    calls.getMany = 0;
    const c = await assembleConversation(store, last, "k", 0, Number.MAX_SAFE_INTEGER);
    expect(c.items).toHaveLength(140);
    expect(c.items.slice(0, 3)).toEqual([message("user", "turn 1"), message("assistant", "answer 1"), message("user", "turn 2")]);
    expect(c.items.at(-1)).toEqual(message("assistant", "answer 70"));
    expect(c.ids).toEqual(Array.from({ length: 70 }, (_, i) => `resp_${70 - i}`));
    // One lookup for the turn named, then 69 earlier turns in ceil(69 / 32) = 3 (it was one per turn).
    expect(calls).toEqual({ get: 1, getMany: 3 });
    expect(c.ancestors.map((a) => a.id)).toEqual(c.ids.slice(0, 32));
  });

  it("refuses a conversation over the byte limit from the sizes its newest turn lists, before fetching the rest", async () => {
    const { store, calls } = countingStore();
    const last = await chain(store, 40, (t) => `turn ${t} `.padEnd(1000, "x"));
    calls.get = 0;
    calls.getMany = 0;
    const err = await assembleConversation(store, last, "k", 0, 20_000).catch((e) => e);
    expect(err.toBody().error).toMatchObject({ code: "conversation_too_large", param: "previous_response_id" });
    expect(calls).toEqual({ get: 1, getMany: 0 });
  });

  it("refuses a chain longer than MAX_CONVERSATION_TURNS", async () => {
    const { store } = countingStore();
    const entry = (id: string, previous?: string): StoredEntry =>
      Object.assign({ owner: "k", response: { id, output: [] }, input: [], turnBytes: 2 }, previous ? { previous } : {});
    // A chain that loops (ids chosen by an upstream) ends at the bound too.
    const looping: ResponseStore = {
      get: async (id) => entry(id, id === "a" ? "b" : "a"),
      getMany: async (ids) => ids.map((id) => entry(id, id === "a" ? "b" : "a")),
      put: store.put,
      delete: store.delete,
    };
    const err = await assembleConversation(looping, "a", "k", 0, Number.MAX_SAFE_INTEGER).catch((e) => e);
    expect(err.toBody().error).toMatchObject({
      code: "conversation_too_long",
      message: expect.stringContaining(`${MAX_CONVERSATION_TURNS} turns`),
    });
  });
});
