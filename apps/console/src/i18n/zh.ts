import type { MessageKey } from "./en.js";
import { zhAdmin } from "./zh-admin.js";
import { zhOffline } from "./zh-offline.js";
import { zhTraffic } from "./zh-traffic.js";

/** 简体中文. Every key of en.ts, checked by the types and by i18n.test.ts. */
export const zh: Record<MessageKey, string> = { ...zhAdmin, ...zhTraffic, ...zhOffline };
