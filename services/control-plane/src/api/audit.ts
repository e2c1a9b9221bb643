import type { Db, Prisma } from "../db/client.js";

/** Appends one audit row. `details` must never hold a secret (keys appear masked only). */
export async function audit(
  db: Db,
  actor: string,
  action: string,
  entity: string,
  entityId: string | number | null,
  details: Record<string, unknown> = {},
): Promise<void> {
  await db.auditLog.create({
    data: { actor, action, entity, entityId: entityId === null ? null : String(entityId), details: details as Prisma.InputJsonValue },
  });
}
