import { expect, it } from "vitest";
import { isoOf } from "./offline.js";

it("reads created_at as Unix seconds, and a missing or zero date as none rather than 1970", () => {
  expect(isoOf(1_765_000_000)).toBe("2025-12-06T05:46:40.000Z"); // read as milliseconds it would be 1970-01-21
  expect(isoOf(0)).toBeNull();
  expect(isoOf(null)).toBeNull();
  expect(isoOf(undefined)).toBeNull();
  expect(isoOf(Number.NaN)).toBeNull();
});
