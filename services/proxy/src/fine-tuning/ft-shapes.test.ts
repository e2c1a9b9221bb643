import { describe, expect, it } from "vitest";
import { unixSeconds } from "./ft-api.js";
import { mistralToOpenAIJob, toMistralHyperparameters } from "./ft-mistral.js";
import { slice, togetherToOpenAIJob } from "./ft-together.js";

describe("Together's job as OpenAI's", () => {
  it("maps every status, and names the fine-tuned model only once it succeeded", () => {
    const cases: [string, string][] = [
      ["pending", "queued"],
      ["queued", "queued"],
      ["running", "running"],
      ["compressing", "running"],
      ["uploading", "running"],
      ["cancel_requested", "running"],
      ["cancelled", "cancelled"],
      ["error", "failed"],
      ["completed", "succeeded"],
    ];
    for (const [theirs, ours] of cases) {
      const j = togetherToOpenAIJob({ id: "ft-1", status: theirs, model_output_name: "acme/llama-ft", created_at: "2026-12-07T10:00:00Z" });
      expect(j.status, theirs).toBe(ours);
      expect(j.fine_tuned_model, theirs).toBe(ours === "succeeded" ? "acme/llama-ft" : null);
      expect(j.created_at).toBe(Date.UTC(2026, 11, 7, 10) / 1000);
    }
    expect(togetherToOpenAIJob({ id: "ft-2", status: "error" }).error).toMatchObject({ code: "provider_error" });
  });
});

describe("Mistral's job as OpenAI's", () => {
  it("maps statuses, training files with weights, and hyperparameters both ways", () => {
    const cases: [string, string][] = [
      ["QUEUED", "queued"],
      ["VALIDATING", "validating_files"],
      ["VALIDATED", "queued"],
      ["STARTED", "running"],
      ["RUNNING", "running"],
      ["CANCELLATION_REQUESTED", "running"],
      ["FAILED_VALIDATION", "failed"],
      ["FAILED", "failed"],
      ["SUCCESS", "succeeded"],
      ["CANCELLED", "cancelled"],
    ];
    for (const [theirs, ours] of cases) expect(mistralToOpenAIJob({ id: "j", status: theirs }).status, theirs).toBe(ours);
    const j = mistralToOpenAIJob({
      id: "j",
      status: "SUCCESS",
      training_files: [{ file_id: "f1", weight: 1 }],
      hyperparameters: { epochs: 2 },
    });
    expect(j.training_file).toBe("f1");
    expect(j.hyperparameters).toMatchObject({ n_epochs: 2, epochs: 2 });
    expect(toMistralHyperparameters({ n_epochs: 3, learning_rate: 0.0001, batch_size: "auto", unknown_knob: 7 })).toEqual({
      epochs: 3,
      learning_rate: 0.0001,
    });
  });
});

describe("helpers", () => {
  it("reads RFC 3339 and Unix times (seconds or ms) as Unix seconds; junk as null", () => {
    expect(unixSeconds("2026-12-07T10:00:00Z")).toBe(Date.UTC(2026, 11, 7, 10) / 1000);
    expect(unixSeconds(1_765_000_000)).toBe(1_765_000_000);
    expect(unixSeconds(1_765_000_000_123)).toBe(1_765_000_000);
    expect(unixSeconds("not a time")).toBeNull();
    expect(unixSeconds(undefined)).toBeNull();
  });

  it("pages a whole list after an id, bounded to 100", () => {
    const list = Array.from({ length: 150 }, (_, i) => ({ id: `e${i}` }));
    expect(slice(list, {}).data).toHaveLength(20);
    expect(slice(list, { after: "e9", limit: 2 })).toEqual({ data: [{ id: "e10" }, { id: "e11" }], has_more: true });
    expect(slice(list, { limit: 10_000 }).data).toHaveLength(100);
    expect(slice(list, { after: "e149" })).toEqual({ data: [], has_more: false });
  });
});
