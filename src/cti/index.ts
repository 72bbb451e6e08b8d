// CTI toward the PBX: the ECMA-323 CSTA codec (csta/) and the uaCSTA (ECMA TR/87) session.
export * from "./csta/index.js";
