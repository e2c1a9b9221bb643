import { describe, expect, it } from "vitest";
import { BodyEvents } from "./body-events.js";

describe("BodyEvents", () => {
  it("calls listeners in order; once runs once; off removes a plain or a once listener", () => {
    const e = new BodyEvents();
    const got: string[] = [];
    const a = (x: string) => got.push(`a${x}`);
    const b = (x: string) => got.push(`b${x}`);
    const c = (x: string) => got.push(`c${x}`);
    e.on("data", a).once("data", b).on("data", c);
    expect(e.emit("data", "1")).toBe(true);
    expect(e.emit("data", "2")).toBe(true);
    e.off("data", a);
    e.once("end", c);
    e.off("end", c); // a once listener goes by its own function
    e.emit("data", "3");
    expect(e.emit("end")).toBe(false);
    expect(got).toEqual(["a1", "b1", "c1", "a2", "c2", "c3"]);
    got.length = 0;
    e.emit("data", "4");
    expect(got).toEqual(["c4"]); // one listener left
  });

  it("a listener removing others while an event runs does not skip or repeat any", () => {
    const e = new BodyEvents();
    const got: string[] = [];
    const second = () => got.push("second");
    e.on("close", () => {
      got.push("first");
      e.off("close", second);
    });
    e.on("close", second);
    e.emit("close");
    e.emit("close");
    expect(got).toEqual(["first", "second", "first"]);
  });

  it("an error nobody listens to is thrown, as EventEmitter does", () => {
    const e = new BodyEvents();
    expect(() => e.emit("error", new Error("boom"))).toThrow("boom");
    e.on("error", () => {});
    expect(e.emit("error", new Error("handled"))).toBe(true);
  });
});
