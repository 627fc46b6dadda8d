/** One thing wrong with a payload: where (`tags.campaign`, `mediaUrls[0]`, `type`) and what, in plain words. */
export interface Problem {
  path: string;
  message: string;
}

/**
 * Why a body did not become an event. 404 when the URL names an event that does not exist, 400 for
 * everything about the body. `details` names every bad field; it is what the HTTP answer and `route` print.
 */
export interface DecodeError {
  status: 400 | 404;
  error: string;
  details: Problem[];
}
