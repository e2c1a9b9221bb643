/** Navigation icons as inline SVG (no icon font: nothing is downloaded and no glyph can be missing). */
const paths: Record<string, string> = {
  overview: "M3 3h7v9H3zM14 3h7v5h-7zM14 12h7v9h-7zM3 16h7v5H3z",
  providers: "M4 4h16v6H4zM4 14h16v6H4zM8 7h.01M8 17h.01",
  models: "M12 3 3 8l9 5 9-5-9-5zM3 13l9 5 9-5M3 17.5l9 5 9-5",
  keys: "M15 7a4 4 0 1 1-3.9 5H9l-2 2-2-2-2 2v-3l4-4h5.1A4 4 0 0 1 15 7zM16 10h.01",
  playground: "M4 5h16v11H8l-4 4z",
  usage: "M4 20V10M10 20V4M16 20v-7M22 20H2",
  health: "M2 12h4l3-8 4 16 3-8h6",
  audit: "M8 4h8v3H8zM6 5H5v16h14V5h-1M9 12h6M9 16h4",
  files: "M6 2h8l4 4v16H6zM14 2v4h4",
  batches: "M4 6h16M4 12h16M4 18h10M18 16l2 2-2 2",
  fineTuning: "M4 21v-7M4 10V3M12 21v-9M12 8V3M20 21v-5M20 12V3M1 14h6M9 8h6M17 16h6",
};

export function Icon(props: { name: keyof typeof paths | string }) {
  return (
    <svg
      className="nav-icon"
      width="18"
      height="18"
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.8"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
    >
      <path d={paths[props.name] ?? ""} />
    </svg>
  );
}
