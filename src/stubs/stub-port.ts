// The seam of issue 17: the unmatched-request capture (services/unmatched) asks this engine first.
export type {
  StubHttpAnswer,
  StubResponder,
  StubSipAnswer,
  UnmatchedHttpRequest,
  UnmatchedSipRequest,
} from "../services/index.js";
