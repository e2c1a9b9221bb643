import type { Price } from "@ai-router/contracts";
import { describe, expect, it } from "vitest";
import type { LiveModel } from "../routing/runtime-table.js";
import { DEFAULT_OUTPUT_CAP, maxCostUsd, UNIT_PRICES } from "./reserve.js";

const model = (...prices: (Price | undefined)[]) => ({ targets: prices.map((price) => ({ price })) }) as unknown as LiveModel;

describe("maxCostUsd (what a key's budget reserves before a request is sent)", () => {
  it("prompt and max_tokens at the dearest target's prices (failover may land on any)", () => {
    const m = model({ input_per_mtok: 1, output_per_mtok: 2 }, { input_per_mtok: 3, output_per_mtok: 1 }, undefined);
    expect(maxCostUsd(m, 1000, 500)).toBeCloseTo((1000 * 3 + 500 * 2) / 1e6, 12);
    expect(maxCostUsd(m, 1000, undefined)).toBeCloseTo((1000 * 3 + DEFAULT_OUTPUT_CAP * 2) / 1e6, 12);
  });

  it("image requests reserve their images at the dearest per-image price (they were reserved at $0)", () => {
    const m = model({ input_per_mtok: 0, output_per_mtok: 0, per_image: 0.04 }, { input_per_mtok: 0, output_per_mtok: 0, per_image: 0.08 });
    expect(maxCostUsd(m, 10, undefined, { images: 3 })).toBeCloseTo(0.24, 12);
    expect(maxCostUsd(m, 10, undefined)).toBe(0); // not an image request: no images reserved
  });

  it("every priced unit of a request is reserved, each at its dearest price; a unit no target prices costs nothing", () => {
    const m = model({ input_per_mtok: 1, output_per_mtok: 1, per_image: 0.02 }, { input_per_mtok: 1, output_per_mtok: 1 });
    const tokens = (100 + 10) / 1e6;
    expect(maxCostUsd(m, 100, 10, {})).toBeCloseTo(tokens, 12);
    expect(maxCostUsd(m, 100, 10, { images: 4 })).toBeCloseTo(tokens + 0.08, 12);
    for (const [unit] of UNIT_PRICES) expect(maxCostUsd(model({ input_per_mtok: 0, output_per_mtok: 0 }), 1, 1, { [unit]: 5 })).toBe(0);
  });

  it("nothing is reserved when no target has a price", () => {
    expect(maxCostUsd(model(undefined, undefined), 1000, 100, { images: 2 })).toBe(0);
  });
});
