export { connectForever } from "./connect.js";
export { TableFollower, type TableFollowerOptions } from "./table-follower.js";
