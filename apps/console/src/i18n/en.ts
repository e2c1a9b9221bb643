import { enAdmin } from "./en-admin.js";
import { enOffline } from "./en-offline.js";
import { enTraffic } from "./en-traffic.js";

/** English catalogue: the reference; zh.ts must have every key (checked by the types and by i18n.test.ts). */
export const en = { ...enAdmin, ...enTraffic, ...enOffline } as const;

export type MessageKey = keyof typeof en;
