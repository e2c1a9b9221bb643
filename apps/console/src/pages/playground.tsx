import { useRef, useState } from "react";
import { type ChatResult, getPlaygroundKey, setPlaygroundKey, streamChat } from "../api/chat-stream.js";
import { useModels } from "../api/use-api.js";
import { Empty } from "../components/empty-state.js";
import { ErrorAlert } from "../components/error-alert.js";
import { Field, SelectField } from "../components/form-field.js";
import { Badge, Card, PageHead } from "../components/ui.js";
import { fmtInt, fmtMs } from "../format.js";
import { useI18n } from "../i18n/index.js";

/** The shape of a client key, shown in its empty field (not a word to translate). */
const KEY_EXAMPLE = "sk-router-...";

interface Turn {
  role: "user" | "assistant";
  content: string;
  meta?: ChatResult;
}

/** Sends a chat through a proxy and streams the answer, with who served it. */
export function Playground(props: { model?: string; compact?: boolean }) {
  const { t, locale } = useI18n();
  const { models } = useModels();
  const [model, setModel] = useState(props.model ?? "");
  const [key, setKey] = useState(getPlaygroundKey);
  const [prompt, setPrompt] = useState("");
  const [turns, setTurns] = useState<Turn[]>([]);
  const [streaming, setStreaming] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const abort = useRef<AbortController>(undefined);
  const chosen = props.model ?? (model || models?.find((m) => m.llm_type === "chat")?.name || "");

  const send = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!prompt.trim() || !chosen) return;
    const history: Turn[] = [...turns, { role: "user", content: prompt.trim() }];
    setTurns(history);
    setPrompt("");
    setBusy(true);
    setError(undefined);
    setStreaming("");
    abort.current = new AbortController();
    try {
      const r = await streamChat(
        {
          model: chosen,
          clientKey: key.trim(),
          messages: history.map(({ role, content }) => ({ role, content })),
          signal: abort.current.signal,
        },
        setStreaming,
      );
      setTurns([...history, { role: "assistant", content: r.text, meta: r }]);
    } catch (err) {
      if ((err as Error).name !== "AbortError") setError(err);
    } finally {
      setStreaming("");
      setBusy(false);
    }
  };

  return (
    <form className="stack" onSubmit={send} aria-label={t("playground.title")}>
      <div className="form-grid">
        {!props.model && (
          <SelectField label={t("playground.model")} value={chosen} onChange={setModel} options={(models ?? []).map((m) => m.name)} />
        )}
        <Field
          className={props.model ? "span-2" : ""}
          label={t("playground.clientKey")}
          type="password"
          autoComplete="off"
          value={key}
          placeholder={KEY_EXAMPLE}
          hint={t("playground.clientKeyHint")}
          onChange={(e) => {
            setKey(e.target.value);
            setPlaygroundKey(e.target.value.trim());
          }}
        />
      </div>
      <div className="chat-log" aria-live="polite">
        {turns.length === 0 && !streaming && <p className="muted small">{t("playground.hint")}</p>}
        {turns.map((turn, i) => (
          <div key={i} style={{ display: "flex", flexDirection: "column", alignItems: turn.role === "user" ? "flex-end" : "flex-start" }}>
            <div className={`msg ${turn.role}`} data-testid={turn.role === "assistant" ? "assistant-message" : undefined}>
              {turn.content}
            </div>
            {turn.meta && (
              <div className="msg-meta served">
                <Badge tone="brand">
                  <span data-testid="served-by">
                    {t("playground.servedBy", { provider: turn.meta.provider ?? "–", model: turn.meta.upstreamModel ?? "–" })}
                  </span>
                </Badge>
                <span>
                  {t("playground.ttft")} {fmtMs(turn.meta.ttftMs)} · {t("playground.latency")} {fmtMs(turn.meta.latencyMs)}
                  {turn.meta.usage &&
                    ` · ${t("playground.tokens", { n: fmtInt(locale, (turn.meta.usage.prompt_tokens ?? 0) + (turn.meta.usage.completion_tokens ?? 0)) })}`}
                </span>
              </div>
            )}
          </div>
        ))}
        {streaming && <div className="msg assistant">{streaming}</div>}
      </div>
      <ErrorAlert error={error} />
      <Field label={t("playground.message")}>
        {(id) => (
          <textarea
            id={id}
            value={prompt}
            style={{ fontFamily: "var(--font)", fontSize: 14, minHeight: props.compact ? 64 : 96 }}
            placeholder={t("playground.placeholder")}
            onChange={(e) => setPrompt(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && (e.metaKey || e.ctrlKey)) (e.currentTarget.form as HTMLFormElement | null)?.requestSubmit();
            }}
          />
        )}
      </Field>
      <div className="actions">
        {turns.length > 0 && (
          <button type="button" onClick={() => setTurns([])} disabled={busy}>
            {t("playground.clear")}
          </button>
        )}
        {busy ? (
          <button type="button" onClick={() => abort.current?.abort()}>
            {t("playground.stop")}
          </button>
        ) : (
          <button type="submit" className="primary" disabled={!prompt.trim() || !chosen}>
            {t("playground.send")}
          </button>
        )}
      </div>
    </form>
  );
}

export function PlaygroundPage() {
  const { t } = useI18n();
  const { models } = useModels();
  return (
    <>
      <PageHead title={t("playground.title")} subtitle={t("playground.subtitle")} />
      <Card>{models && models.length === 0 ? <Empty title={t("models.empty")} hint={t("models.emptyHint")} /> : <Playground />}</Card>
    </>
  );
}
