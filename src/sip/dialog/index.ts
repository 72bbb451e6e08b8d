export { AcceptedInvites } from "./accepted-invites.js";
export { Dialog, type DialogFlow, type DialogState, newDialogTag, type RequestOptions } from "./dialog.js";
export { dialogKey, dialogKeyOfIncoming } from "./dialog-id.js";
export type { LocalEndpoint } from "./local-endpoint.js";
export { copyRecordRoute, routeRequest } from "./route-set.js";
