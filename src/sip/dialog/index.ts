export { Dialog, type DialogState, newDialogTag, type RequestOptions } from "./dialog.js";
export { dialogKey, dialogKeyOfIncoming } from "./dialog-id.js";
export type { LocalEndpoint } from "./local-endpoint.js";
