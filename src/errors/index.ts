export { ApiError, type FieldProblem } from "./api-error.js";
export { API_ERRORS, type ApiErrorCode, isApiErrorCode } from "./api-error-codes.js";
export { type Problem, problemFor } from "./problem.js";
