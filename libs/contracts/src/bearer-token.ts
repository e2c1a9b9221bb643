import { createHash, timingSafeEqual } from "node:crypto";

/** What a request's `Authorization` header holds against one expected bearer token. */
export type BearerVerdict = "ok" | "missing" | "wrong";

const digest = (s: string) => createHash("sha256").update(s).digest();

/**
 * Checks `Authorization: Bearer <token>` against one secret (admin token, metrics token). Both sides
 * are hashed to 32-byte digests and compared with `timingSafeEqual`, so neither the token's length nor
 * a matching prefix shows in the time taken. The expected digest is computed once.
 */
export function bearerTokenCheck(token: string): (authorization: string | undefined) => BearerVerdict {
  const expected = digest(token);
  return (authorization) => {
    if (authorization === undefined || authorization.length <= 7 || authorization.slice(0, 7).toLowerCase() !== "bearer ") {
      return "missing";
    }
    return timingSafeEqual(digest(authorization.slice(7).trim()), expected) ? "ok" : "wrong";
  };
}
