import { formatUri, parseNameAddr, type SipRequest, type SipResponse } from "../message/index.js";

/**
 * RFC 3261 §12.1.1: a UAS copies every Record-Route of a dialog-creating request into its
 * responses that create the dialog (1xx with a To tag, 2xx), in order, so the proxies that
 * record-routed see the rest of the dialog too. Other responses are left alone.
 */
export function copyRecordRoute(request: SipRequest, response: SipResponse): void {
  const status = response.status;
  if (status <= 100 || status >= 300) return;
  const recordRoute = request.headers.getAll("record-route");
  if (recordRoute.length > 0) response.headers.set("record-route", recordRoute);
}

/**
 * RFC 3261 §12.2.1.1: the Request-URI and Route values of a request inside a dialog.
 * Loose routing (the first route has `;lr`, or there is none): Request-URI = remote target,
 * Route = the route set. Strict routing (a pre-RFC 3261 proxy first): the first route
 * becomes the Request-URI (without the parameters a Request-URI may not have), the rest of
 * the route set follows, and the remote target goes last. An unparseable first route is
 * taken as loose: the request still goes out and the proxy can judge it.
 */
export function routeRequest(
  remoteTarget: string,
  routeSet: readonly string[],
): { requestUri: string; routes: readonly string[] } {
  const first = routeSet[0];
  if (first === undefined) return { requestUri: remoteTarget, routes: [] };
  let uri: ReturnType<typeof parseNameAddr>["uri"];
  try {
    uri = parseNameAddr(first).uri;
  } catch {
    return { requestUri: remoteTarget, routes: routeSet };
  }
  if ("lr" in uri.params) return { requestUri: remoteTarget, routes: routeSet };
  // RFC 3261 §19.1.1 Table 1: `method` and URI headers are not allowed in a Request-URI.
  const { method: _method, ...params } = uri.params;
  const requestUri = formatUri({ ...uri, params, headers: {} });
  return { requestUri, routes: [...routeSet.slice(1), `<${remoteTarget}>`] };
}
