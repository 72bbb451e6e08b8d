/** RFC 3261 §21 (and RFC 6665 / 3903) reason phrases of the statuses a default answer may use. */
const SIP_REASONS: Readonly<Record<number, string>> = {
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  415: "Unsupported Media Type",
  420: "Bad Extension",
  480: "Temporarily Unavailable",
  481: "Call/Transaction Does Not Exist",
  488: "Not Acceptable Here",
  489: "Bad Event",
  500: "Server Internal Error",
  501: "Not Implemented",
  503: "Service Unavailable",
  603: "Decline",
};

export function sipReasonPhrase(status: number): string {
  return (
    SIP_REASONS[status] ??
    (status >= 600 ? "Global Failure" : status >= 500 ? "Server Error" : "Request Failed")
  );
}
