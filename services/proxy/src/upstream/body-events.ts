// biome-ignore lint/suspicious/noExplicitAny: listeners take what their event carries
type Listener = (...args: any[]) => void;
type Wrapped = Listener & { listener?: Listener };

/** The events an upstream body emits. */
export type BodyEvent = "data" | "end" | "error" | "close";

/**
 * The part of an EventEmitter an upstream body needs (`on`/`once`/`off`/`emit` for its four events),
 * without Node's: a body gets about ten listeners added and removed per request, and EventEmitter's
 * bookkeeping (and a `newListener` event for each when anything listens for it) cost microseconds.
 * Like EventEmitter, an `error` nobody listens to is thrown.
 */
export class BodyEvents {
  private readonly listeners: Record<BodyEvent, Wrapped[] | undefined> = {
    data: undefined,
    end: undefined,
    error: undefined,
    close: undefined,
  };

  on(event: BodyEvent, fn: Listener): this {
    const list = this.listeners[event];
    if (list === undefined) this.listeners[event] = [fn];
    else list.push(fn);
    return this;
  }

  once(event: BodyEvent, fn: Listener): this {
    const wrapped: Wrapped = (...args) => {
      this.off(event, wrapped);
      fn(...args);
    };
    wrapped.listener = fn;
    return this.on(event, wrapped);
  }

  off(event: BodyEvent, fn: Listener): this {
    const list = this.listeners[event];
    if (list === undefined) return this;
    for (let i = list.length - 1; i >= 0; i--) {
      const l = list[i] as Wrapped;
      if (l === fn || l.listener === fn) {
        list.splice(i, 1);
        break;
      }
    }
    return this;
  }

  emit(event: BodyEvent, arg?: unknown): boolean {
    const list = this.listeners[event];
    if (list === undefined || list.length === 0) {
      if (event === "error") throw arg;
      return false;
    }
    if (list.length === 1) (list[0] as Listener)(arg);
    // A listener may remove itself or others while this runs: call the ones there were.
    else for (const fn of list.slice()) fn(arg);
    return true;
  }
}
