import type { Balancer } from "@ai-router/balancing";
import { fineTunedPrice } from "@ai-router/config";
import type { LiveModel, LiveTarget, RuntimeTable } from "../routing/runtime-table.js";

/** A fine-tuned model: routable for its owner, served by the provider that trained it. */
export interface PrivateModel {
  /** The provider's name for it (`ft:gpt-4o-mini:org::abc`), the name clients use. */
  name: string;
  /** The client key that owns it (its id, or name standalone); "" without client keys. */
  owner: string;
  /** Other keys it is shared with (the admin API). */
  sharedWith: string[];
  /** The router model it was trained from (its settings are the fine-tuned model's, and its price unless a fine-tuned one is known). */
  base: string;
  /** The provider that trained it. */
  provider: string;
}

/**
 * Fine-tuned models, routable at once for the keys that may use them. Looked up only when a name is
 * not in the routing table (no cost for table models); each is the base model narrowed to the training
 * provider's target, its upstream model the fine-tuned name, its price the provider's fine-tuned price
 * when the bundled list has one (else the base model's), built once per table.
 */
export class PrivateModels {
  private readonly models = new Map<string, PrivateModel>();
  private readonly built = new WeakMap<RuntimeTable, Map<string, LiveModel>>();

  add(m: PrivateModel): void {
    this.models.set(m.name, m);
  }

  /** The router model a fine-tuned model was trained from. */
  baseOf(name: string): string | undefined {
    return this.models.get(name)?.base;
  }

  get size(): number {
    return this.models.size;
  }

  /** The model for `owner`, or undefined (unknown, not theirs, or its provider left the table). */
  find(table: RuntimeTable, name: string, owner: string): LiveModel | undefined {
    const m = this.models.get(name);
    if (m === undefined || (m.owner !== owner && !m.sharedWith.includes(owner))) return undefined;
    let cache = this.built.get(table);
    if (cache === undefined) {
      cache = new Map();
      this.built.set(table, cache);
    }
    const hit = cache.get(name);
    if (hit !== undefined) return hit;
    const base = table.models.get(m.base);
    const target = base?.targets.find((t) => t.provider === m.provider);
    if (base === undefined || target === undefined) return undefined;
    // Priced as the provider prices fine-tuned models (OpenAI publishes them), else as its base model.
    const price = fineTunedPrice(target.live.config.type, target.upstreamModel) ?? target.price;
    const only: LiveTarget = Object.assign({}, target, { upstreamModel: name, price });
    const balancer: Balancer = { order: () => [only] };
    // One target: nothing to keep a conversation on.
    const live: LiveModel = { config: Object.assign({}, base.config, { name }), targets: [only], balancer, affinity: "off" };
    cache.set(name, live);
    return live;
  }

  /** The models `owner` may use (for `/v1/models`). */
  visible(table: RuntimeTable, owner: string): LiveModel[] {
    const out: LiveModel[] = [];
    for (const m of this.models.values()) {
      const live = this.find(table, m.name, owner);
      if (live !== undefined) out.push(live);
    }
    return out;
  }
}

/** The process's fine-tuned models (filled by the fine-tuning API when jobs succeed). */
export const privateModels = new PrivateModels();
