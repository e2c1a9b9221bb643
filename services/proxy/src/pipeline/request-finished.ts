/**
 * What request-finished listeners get: the request's one record (see record/request-record.ts), the
 * same object every other sink reads.
 */
export type {
  AttemptRecord,
  RequestFinishedListener,
  RequestRecord as RequestFinished,
} from "../record/request-record.js";
