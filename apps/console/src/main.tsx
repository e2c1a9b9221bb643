import { createRoot } from "react-dom/client";
import "uplot/dist/uPlot.min.css";
import "./styles/base.css";
import "./styles/controls.css";
import "./styles/widgets.css";
import "./styles/panels.css";
import { App } from "./app.js";
import { I18nProvider } from "./i18n/index.js";

createRoot(document.getElementById("root") as HTMLElement).render(
  <I18nProvider>
    <App />
  </I18nProvider>,
);
