export {
  type Presence,
  type PresenceChange,
  type PresencePorts,
  PresenceService,
  type PresenceSource,
} from "./presence-service.js";
