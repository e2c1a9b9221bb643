import { useEffect, useState } from "react";
import { ApiError, api, getToken, onUnauthorized, setToken } from "./api/client.js";
import { Icon } from "./components/icons.js";
import { LangToggle } from "./components/lang-toggle.js";
import type { MessageKey } from "./i18n/en.js";
import { useI18n } from "./i18n/index.js";
import { TERMS } from "./i18n/terms.js";
import { AuditPage } from "./pages/audit.js";
import { BatchesPage } from "./pages/batches.js";
import { FilesPage } from "./pages/files.js";
import { FineTuningPage } from "./pages/fine-tuning.js";
import { HealthPage } from "./pages/health.js";
import { KeysPage } from "./pages/keys.js";
import { ModelsPage } from "./pages/models.js";
import { OverviewPage } from "./pages/overview.js";
import { PlaygroundPage } from "./pages/playground.js";
import { ProvidersPage } from "./pages/providers.js";
import { SignIn } from "./pages/sign-in.js";
import { UsagePage } from "./pages/usage.js";
import { Link, usePath } from "./router.js";

const NAV: { to: string; key: MessageKey; icon: string }[] = [
  { to: "/", key: "nav.overview", icon: "overview" },
  { to: "/providers", key: "nav.providers", icon: "providers" },
  { to: "/models", key: "nav.models", icon: "models" },
  { to: "/keys", key: "nav.keys", icon: "keys" },
  { to: "/playground", key: "nav.playground", icon: "playground" },
  { to: "/usage", key: "nav.usage", icon: "usage" },
  { to: "/files", key: "nav.files", icon: "files" },
  { to: "/batches", key: "nav.batches", icon: "batches" },
  { to: "/fine-tuning", key: "nav.fineTuning", icon: "fineTuning" },
  { to: "/health", key: "nav.health", icon: "health" },
  { to: "/audit", key: "nav.audit", icon: "audit" },
];

type Auth = { state: "checking" } | { state: "signed-out"; message?: MessageKey } | { state: "signed-in"; devMode: boolean };

/** Checks the stored token (or dev mode: no token needed) with one cheap admin call. */
async function probeAuth(): Promise<Auth> {
  try {
    await api("GET", "/v1/db/audit", { query: { limit: 1 } });
    return { state: "signed-in", devMode: !getToken() };
  } catch (err) {
    if (err instanceof ApiError && err.status === 401)
      return { state: "signed-out", ...(getToken() ? { message: "signin.expired" as const } : {}) };
    // The API is down or unreachable: let the pages say so where it matters.
    return { state: "signed-in", devMode: false };
  }
}

export function App() {
  const { t } = useI18n();
  const path = usePath();
  const [auth, setAuth] = useState<Auth>({ state: "checking" });
  const [menu, setMenu] = useState(false);

  useEffect(() => {
    void probeAuth().then(setAuth);
    return onUnauthorized(() => {
      setToken(null);
      setAuth({ state: "signed-out", message: "signin.expired" });
    });
  }, []);

  if (auth.state === "checking") return <div className="signin">{t("common.loading")}</div>;
  if (auth.state === "signed-out")
    return (
      <SignIn {...(auth.message ? { message: auth.message } : {})} onSignedIn={() => setAuth({ state: "signed-in", devMode: false })} />
    );

  const section = `/${path.split("/")[1] ?? ""}`;
  const page = (() => {
    switch (section) {
      case "/":
        return <OverviewPage />;
      case "/providers":
        return <ProvidersPage path={path} />;
      case "/models":
        return <ModelsPage path={path} />;
      case "/keys":
        return <KeysPage />;
      case "/playground":
        return <PlaygroundPage />;
      case "/usage":
        return <UsagePage />;
      case "/health":
        return <HealthPage />;
      case "/audit":
        return <AuditPage />;
      case "/files":
        return <FilesPage />;
      case "/batches":
        return <BatchesPage />;
      case "/fine-tuning":
        return <FineTuningPage />;
      default:
        return <div className="empty">{t("common.notFound")}</div>;
    }
  })();

  return (
    <div className={`shell ${menu ? "menu-open" : ""}`}>
      <aside className="sidebar" aria-label={t("nav.label")}>
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            ▲
          </span>
          {TERMS.product}
        </div>
        <nav className="nav" aria-label={t("nav.label")}>
          {NAV.map((n) => (
            <Link key={n.to} to={n.to} current={section === n.to} onClick={() => setMenu(false)}>
              <Icon name={n.icon} />
              {t(n.key)}
            </Link>
          ))}
        </nav>
        <div className="sidebar-foot">
          <LangToggle />
          {auth.devMode ? (
            <span>{t("signin.devMode")}</span>
          ) : (
            <button
              type="button"
              onClick={() => {
                setToken(null);
                setAuth({ state: "signed-out" });
              }}
            >
              {t("signin.signOut")}
            </button>
          )}
        </div>
      </aside>
      <div className="main">
        <div className="topbar">
          <button type="button" aria-label={t("nav.menu")} aria-expanded={menu} onClick={() => setMenu((m) => !m)}>
            ☰
          </button>
          <span className="brand">{TERMS.product}</span>
        </div>
        <main className="content">{page}</main>
      </div>
    </div>
  );
}
