export { type Colours, colourEnabled, colours, type OutputStream, PLAIN } from "./colour.js";
export {
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  isUsageError,
  type ReportOptions,
  reportError,
  UsageError,
} from "./convention.js";
export {
  formatElapsed,
  Progress,
  type ProgressOptions,
  type ProgressStream,
} from "./progress.js";
export { listenForStop, type StopSignalOptions, type StopSignals } from "./stop-signals.js";
