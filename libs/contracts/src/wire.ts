import { z } from "zod";

/**
 * Data one release publishes and another reads (routing tables, NATS messages, queue jobs, disk caches)
 * is read tolerantly and written strictly, so a rolling upgrade never freezes a replica: a reader of the
 * previous release ignores the fields a newer writer added (protobuf's unknown fields), while a writer
 * can never publish a typo. Schemas are declared once; these two walk them and set every nested
 * object's mode (arrays, records, optionals and nullables are followed; checks such as `.min(1)` kept).
 */
type Mode = "strip" | "strict";

function deep<T extends z.ZodType>(schema: T, mode: Mode): T {
  const s = schema as unknown as z.ZodType & { clone(def: unknown): z.ZodType };
  const def = s._zod.def as unknown as Record<string, unknown> & { type: string };
  switch (def.type) {
    case "object": {
      const shape = Object.fromEntries(Object.entries(def.shape as Record<string, z.ZodType>).map(([k, v]) => [k, deep(v, mode)]));
      return s.clone({ ...def, shape, catchall: mode === "strict" ? z.never() : undefined }) as unknown as T;
    }
    case "array":
      return s.clone({ ...def, element: deep(def.element as z.ZodType, mode) }) as unknown as T;
    case "optional":
    case "nullable":
    case "default":
      return s.clone({ ...def, innerType: deep(def.innerType as z.ZodType, mode) }) as unknown as T;
    case "record":
      return s.clone({ ...def, valueType: deep(def.valueType as z.ZodType, mode) }) as unknown as T;
    default:
      return schema;
  }
}

/** The reading form: unknown fields are ignored (dropped) at every level; everything known is still checked. */
export const tolerant = <T extends z.ZodType>(schema: T): T => deep(schema, "strip");

/** The writing form: an unknown field at any level is an error. */
export const strictly = <T extends z.ZodType>(schema: T): T => deep(schema, "strict");
