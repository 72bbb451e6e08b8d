import { malformed } from "./csta-error.js";

/**
 * Text values allowed in the CSTA XML: dial strings, SIP URIs, identifiers and ECMA-323 enumeration
 * words. None needs an XML escape, so the builder writes them as they are and the parser never
 * expands an entity.
 */
const TEXT = /^[A-Za-z0-9+*#@._:;=/-]{1,128}$/;
const INVOKE_ID = /^[A-Za-z0-9]{1,32}$/;

export const checkText = (value: unknown, where: string): string => {
  if (typeof value !== "string" || !TEXT.test(value)) throw malformed(`${where}: not a valid CSTA value`);
  return value;
};

export const checkInvokeId = (value: unknown): string => {
  if (typeof value !== "string" || !INVOKE_ID.test(value))
    throw malformed("invokeID: not 1-32 letters or digits");
  return value;
};

export const checkBool = (value: unknown, where: string): boolean => {
  if (typeof value !== "boolean") throw malformed(`${where}: not a boolean`);
  return value;
};

export const parseBool = (text: string, where: string): boolean => {
  if (text === "true") return true;
  if (text === "false") return false;
  throw malformed(`${where}: not true or false`);
};

export const checkEnum = <T extends string>(value: unknown, allowed: readonly T[], where: string): T => {
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value))
    throw malformed(`${where}: not one of ${allowed.join(", ")}`);
  return value as T;
};
