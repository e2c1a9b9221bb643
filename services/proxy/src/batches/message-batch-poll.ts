import type { Logger } from "@ai-router/logger";
import type { OfflineUsage } from "../record/offline-usage.js";
import type { RuntimeTable } from "../routing/runtime-table.js";
import { chargeEndedBatches } from "./message-batch-charge.js";
import type { MessageBatchLinks } from "./message-batch-native.js";

export interface MessageBatchPollOptions {
  links: MessageBatchLinks;
  table: () => RuntimeTable | undefined;
  usage: OfflineUsage;
  logger: Logger;
  /** The first wait after a batch is passed through, and the shortest (default 30 s). */
  minMs?: number;
  /** The longest wait: it doubles after each poll that charged nothing (default 10 min). */
  maxMs?: number;
}

/**
 * Standalone: charges the Message Batches passed through to Anthropic that no client reads after they
 * ended (a read charges them too; in a cluster the health worker's poll does this). A timer reads each
 * batch not charged yet at Anthropic, charges those that ended, and waits longer after each poll that
 * charged nothing (a batch may take a day); it stops when none is left open and starts again when a
 * batch is passed through. Its timer never keeps the process alive.
 */
export class MessageBatchPoll {
  private timer: NodeJS.Timeout | undefined;
  private waitMs: number;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly minMs: number;
  private readonly maxMs: number;

  constructor(private readonly o: MessageBatchPollOptions) {
    this.minMs = o.minMs ?? 30_000;
    this.maxMs = Math.max(this.minMs, o.maxMs ?? 600_000);
    this.waitMs = this.minMs;
  }

  /** A batch was passed through (or the process started with some open): poll soon. */
  kick(): void {
    if (this.stopped) return;
    this.waitMs = this.minMs;
    if (this.timer === undefined && this.running === undefined) this.schedule();
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.poll().finally(() => {
        this.running = undefined;
      });
    }, this.waitMs);
    this.timer.unref();
  }

  /** One pass over the open batches; schedules the next while any is left (or no table is loaded yet). */
  async poll(): Promise<void> {
    const table = this.o.table();
    const pass =
      table &&
      (await chargeEndedBatches({ links: this.o.links, table, usage: this.o.usage, logger: this.o.logger, keyName: () => undefined }).catch(
        (err: Error) => {
          this.o.logger.warn({ err: err.message }, "message batches not listed");
          return { open: 0, charged: 0 };
        },
      ));
    if (this.stopped || (pass !== undefined && pass.open === pass.charged)) return;
    const charged = pass?.charged ?? 0;
    this.waitMs = charged > 0 ? this.minMs : Math.min(this.maxMs, this.waitMs * 2);
    this.schedule();
  }

  /** Whether a next pass is planned (false once every batch is charged), and in how long. */
  get next(): { scheduled: boolean; waitMs: number } {
    return { scheduled: this.timer !== undefined, waitMs: this.waitMs };
  }

  /** Resolves once a pass under way has finished. */
  async settled(): Promise<void> {
    await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
