import { useEffect, useState } from "react";

/** A small history router under /ui/ (the control plane answers index.html for every /ui/ path). */
export const BASE = "/ui";

const listeners = new Set<() => void>();
export function navigate(to: string, replace = false): void {
  const url = `${BASE}${to.startsWith("/") ? to : `/${to}`}`;
  if (replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  for (const l of listeners) l();
  window.scrollTo?.(0, 0);
}

function current(): string {
  const p = window.location.pathname;
  const rest = p.startsWith(BASE) ? p.slice(BASE.length) : p;
  return rest === "" ? "/" : rest;
}

/** The path below /ui (`/`, `/providers`, `/models/3`...). */
export function usePath(): string {
  const [path, setPath] = useState(current);
  useEffect(() => {
    const on = () => setPath(current());
    listeners.add(on);
    window.addEventListener("popstate", on);
    return () => {
      listeners.delete(on);
      window.removeEventListener("popstate", on);
    };
  }, []);
  return path;
}

/** A link that routes in the page (ctrl/cmd-click still opens a tab). */
export function Link(props: { to: string; children: React.ReactNode; className?: string; current?: boolean; onClick?: () => void }) {
  return (
    <a
      href={`${BASE}${props.to}`}
      className={props.className}
      aria-current={props.current ? "page" : undefined}
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        props.onClick?.();
        navigate(props.to);
      }}
    >
      {props.children}
    </a>
  );
}
