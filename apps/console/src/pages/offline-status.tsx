import { useState } from "react";
import { Badge } from "../components/ui.js";
import type { MessageKey } from "../i18n/en.js";
import { en } from "../i18n/en.js";
import { useI18n } from "../i18n/index.js";

const TONES: Record<string, "ok" | "warn" | "bad" | "brand"> = {
  completed: "ok",
  succeeded: "ok",
  failed: "bad",
  expired: "bad",
  cancelling: "warn",
  cancelled: "warn",
  paused: "warn",
};

/** A batch's or a job's status as a translated badge (`batches.status.*`, `ft.status.*`); unknown ones as they are. */
export function OfflineStatus(props: { kind: "batches" | "ft"; status: string }) {
  const { t } = useI18n();
  const key = `${props.kind}.status.${props.status}` as MessageKey;
  return (
    <Badge tone={TONES[props.status] ?? "brand"} dot>
      {key in en ? t(key) : props.status}
    </Badge>
  );
}

/** Runs a page action, keeping what it threw for the page's error alert. */
export function useAction() {
  const [error, setError] = useState<unknown>();
  const run = async (fn: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await fn();
    } catch (err) {
      setError(err);
    }
  };
  return { error, run };
}
