export { TableFollower, type TableFollowerOptions } from "./table-follower.js";
