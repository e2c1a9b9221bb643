import { asHistory } from "../responses/conversation.js";

type Json = Record<string, unknown>;

/** `store: false` responses kept per socket (besides the byte bound). */
const MAX_KEPT = 64;

/** A `store: false` response kept for a later turn: its input (with its history) and its terminal event as sent. */
export interface Kept {
  id: string;
  /** The lane that made it. */
  streamId: string | undefined;
  input: Json[];
  final: string | undefined;
  bytes: number;
}

/**
 * A socket's recent `store: false` responses, whichever lane made them, continuable by id: together at
 * most `maxBytes` and MAX_KEPT (the oldest go first; one bigger than the bound is not kept). Nothing is
 * written anywhere: the state dies with the socket.
 */
export class KeptResponses {
  private readonly kept = new Map<string, Kept>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(id: string): Kept | undefined {
    return this.kept.get(id);
  }

  keep(k: Kept): void {
    if (k.bytes > this.maxBytes) return;
    const old = this.kept.get(k.id);
    if (old !== undefined) {
      this.kept.delete(k.id);
      this.bytes -= old.bytes;
    }
    this.kept.set(k.id, k);
    this.bytes += k.bytes;
    // The oldest go first (a Map keeps insertion order).
    for (const id of this.kept.keys()) {
      if (this.bytes <= this.maxBytes && this.kept.size <= MAX_KEPT) break;
      this.bytes -= (this.kept.get(id) as Kept).bytes;
      this.kept.delete(id);
    }
  }
}

/** A kept response as history: its input, then the output of its terminal event. */
export function historyOf(k: Kept): Json[] {
  let output: Json[] = [];
  if (k.final !== undefined) {
    try {
      const out = (JSON.parse(k.final) as { response?: { output?: unknown } }).response?.output;
      if (Array.isArray(out)) output = out as Json[];
    } catch {
      output = [];
    }
  }
  return asHistory(k.input).concat(asHistory(output));
}
