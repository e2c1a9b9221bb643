import { z } from "zod";
import { llmTypes } from "./config-file.js";

/** Field schemas the admin API's requests and responses share. */

export const entityName = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/, "letters, digits and . _ : / @ - only");
export const modelName = z.string().min(1).max(256).regex(/^\S+$/, "no whitespace");
export const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });
export const description = z.string().max(2000).nullable();
export const jsonObject = z.record(z.string(), z.unknown());
export const apiKey = z.string().min(1).max(4096);

/** Seed classification of a provider. */
export const SeedProviderType = z.enum(["PUBLIC_CLOUD", "THIRD_PARTY", "PRIVATE"]);
/** `llm_type`: what the model serves, or the seed's PUBLIC/PRIVATE (treated as a chat model). */
export const AdminLlmType = z.enum([...llmTypes, "PUBLIC", "PRIVATE"]);
