import type { IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import { cleanClientRequestId } from "@ai-router/contracts";
import type { Logger } from "@ai-router/logger";
import { newRequestId } from "../http/request-id.js";
import type { KeyLimiter } from "../limits/key-limiter.js";
import type { Reservation, SharedLimits } from "../limits/shared-limits.js";
import type { OtlpExporter } from "../tracing/otlp-exporter.js";
import type { RequestTrace } from "../tracing/trace-context.js";
import { finishRecord } from "./finish-record.js";
import type { RequestRecord } from "./request-record.js";
import type { UsageRecorder } from "./usage-recorder.js";
import type { UsageSink } from "./usage-sink.js";

/** What the server kept about a request's transport for its end: byte counters and timings. */
export interface RequestTransport {
  req: IncomingMessage;
  res: ServerResponse;
  /** performance.now() at arrival. */
  start: number;
  /** The socket's counters at arrival (request bytes from them only for a chunked body). */
  written0: number;
  read0: number;
  aborted: boolean;
  queuedMs: number;
}

/** What a request's end charges: the key's limiter, and the cluster-wide reservation made for it. */
export interface RequestCharges {
  limiter: KeyLimiter | undefined;
  reservation: Reservation | undefined;
  /** USD reserved from a budget counted in this process, given back once the key is charged (0: none). */
  localReserve: number;
  trace: RequestTrace | undefined;
}

/**
 * The one point where a request's record is finished and read: the stats, access log and listeners
 * (routed and refused requests), the key's limits and cluster-wide reservation, then the usage sinks
 * (ledger, `usage_log`, metrics) and the traces for every request whose model is known or that a limit
 * refused. Each sink reads the same record; none copies it.
 */
export class RequestEnd {
  /** Per-replica sequence of the usage records written (the ledger's spend watermark). */
  private seq = 0;

  constructor(
    private readonly usage: UsageRecorder,
    private readonly sink: UsageSink | undefined,
    private readonly replica: string,
    private readonly logger: Logger,
    private readonly shared: SharedLimits | undefined,
    private readonly tracer: OtlpExporter | undefined,
  ) {}

  /** Sinks take usage records (a trace then has something to export). */
  get recording(): boolean {
    return this.sink !== undefined;
  }

  end(rec: RequestRecord, t: RequestTransport, charges: RequestCharges, usageRoute: boolean): void {
    const routed = rec.outcome !== undefined;
    const recorded = this.sink !== undefined && usageRoute && (rec.model !== undefined || rec.outcome === "refused");
    if (!routed && !recorded) {
      if (charges.localReserve !== 0) charges.limiter!.release(charges.localReserve);
      return;
    }
    try {
      const now = performance.now();
      const req = t.req;
      const socket = req.socket;
      const cl = Number(req.headers["content-length"]);
      finishRecord(rec, {
        replica: this.replica,
        seq: recorded ? ++this.seq : 0,
        arrivedAt: performance.timeOrigin + t.start,
        latencyMs: now - t.start,
        ttfbMs: t.res.headersSent ? now - t.start : undefined,
        status: t.aborted ? 499 : t.res.statusCode,
        requestBytes: cl >= 0 ? cl : Math.max(0, socket.bytesRead - t.read0),
        responseBytes: Math.max(0, socket.bytesWritten - t.written0),
        queuedMs: t.queuedMs,
      });
      if (routed) this.usage.finished(rec, charges.limiter);
      if (charges.reservation !== undefined) {
        this.shared!.settle(charges.reservation, rec.promptTokens + rec.completionTokens, rec.costUsd ?? undefined);
      }
      if (recorded) {
        // The ledger's key is always the server's own id: a client's id is only kept beside it.
        const incoming = req.headers["x-request-id"];
        rec.recordId = incoming === rec.requestId ? newRequestId() : rec.requestId;
        rec.clientRequestId = typeof incoming === "string" ? cleanClientRequestId(incoming) : null;
        this.sink!.write(rec);
        if (charges.trace !== undefined) this.tracer!.add(charges.trace, rec);
      }
    } catch (err) {
      this.logger.warn({ err, reqId: rec.requestId }, "usage record not built");
    } finally {
      // Charged by now (usage.finished): the reservation is given back, even if something threw.
      if (charges.localReserve !== 0) charges.limiter!.release(charges.localReserve);
    }
  }
}
