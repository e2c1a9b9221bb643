export { connectForever } from "./connect.js";
export { subscribeValid } from "./subscribe.js";
export { TableFollower, type TableFollowerOptions } from "./table-follower.js";
export { ensureUsageStream } from "./usage-stream.js";
