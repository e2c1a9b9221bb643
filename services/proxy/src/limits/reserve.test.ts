import type { Price } from "@ai-router/contracts";
import { describe, expect, it } from "vitest";
import type { LiveModel } from "../routing/runtime-table.js";
import { DEFAULT_OUTPUT_CAP, maxCostUsd } from "./reserve.js";

const model = (...prices: (Price | undefined)[]) => ({ targets: prices.map((price) => ({ price })) }) as unknown as LiveModel;

describe("maxCostUsd (what a key's budget reserves before a request is sent)", () => {
  it("prompt and max_tokens at the dearest target's prices (failover may land on any)", () => {
    const m = model({ input_per_mtok: 1, output_per_mtok: 2 }, { input_per_mtok: 3, output_per_mtok: 1 }, undefined);
    expect(maxCostUsd(m, 1000, 500)).toBeCloseTo((1000 * 3 + 500 * 2) / 1e6, 12);
    expect(maxCostUsd(m, 1000, undefined)).toBeCloseTo((1000 * 3 + DEFAULT_OUTPUT_CAP * 2) / 1e6, 12);
  });

  it("image requests reserve their images at the dearest per-image price (they were reserved at $0)", () => {
    const m = model({ input_per_mtok: 0, output_per_mtok: 0, per_image: 0.04 }, { input_per_mtok: 0, output_per_mtok: 0, per_image: 0.08 });
    expect(maxCostUsd(m, 10, undefined, 3)).toBeCloseTo(0.24, 12);
    expect(maxCostUsd(m, 10, undefined)).toBe(0); // not an image request: no images reserved
  });

  it("nothing is reserved when no target has a price", () => {
    expect(maxCostUsd(model(undefined, undefined), 1000, 100, 2)).toBe(0);
  });
});
