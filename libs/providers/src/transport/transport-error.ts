/** A provider's transport settings cannot be used (a file missing, a proxy scheme not supported...). */
export class TransportConfigError extends Error {
  override readonly name = "TransportConfigError";
}
