import { type ErrorCode, errorCodes } from "./codes.js";

/** OpenAI's error envelope, used for every error the router answers. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export interface RouterErrorOptions {
  param?: string | null;
  cause?: unknown;
  /** Overrides the table's status (upstream errors keep the provider's status). */
  status?: number;
  /** Overrides the table's type (upstream errors keep the provider's type). */
  type?: string;
  /** Overrides the code shown to clients (upstream errors keep the provider's code). */
  publicCode?: string | null;
}

/** An error with a stable code from the error table. */
export class RouterError extends Error {
  override readonly name = "RouterError";
  readonly code: ErrorCode;
  readonly status: number;
  readonly type: string;
  readonly param: string | null;
  readonly publicCode: string | null;

  constructor(code: ErrorCode, message: string, options: RouterErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const row = errorCodes[code];
    this.code = code;
    this.status = options.status ?? row.status;
    this.type = options.type ?? row.type;
    this.param = options.param ?? null;
    this.publicCode = options.publicCode === undefined ? code : options.publicCode;
  }

  /** The client-facing envelope. Messages of internal errors are replaced. */
  toBody(): OpenAIErrorBody {
    const safe = errorCodes[this.code].clientSafe;
    return {
      error: {
        message: safe ? this.message : "The server had an error while processing your request.",
        type: this.type,
        param: this.param,
        code: this.publicCode,
      },
    };
  }
}

/** Wraps anything thrown into a RouterError; unknown errors become `internal_error`. */
export function toRouterError(err: unknown): RouterError {
  if (err instanceof RouterError) return err;
  return new RouterError("internal_error", err instanceof Error ? err.message : String(err), { cause: err });
}
