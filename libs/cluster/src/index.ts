export { connectForever, type NatsCredentials, natsConnectOptions, natsCredentials } from "./connect.js";
export { publishSigned, subscribeSignedSignal, subscribeValid, warnEvery } from "./subscribe.js";
export { type FollowedTable, TableFollower, type TableFollowerOptions } from "./table-follower.js";
export { ensureUsageStream } from "./usage-stream.js";
