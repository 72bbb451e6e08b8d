export { type MailboxChange, type MailboxView, MwiService } from "./mwi-service.js";
