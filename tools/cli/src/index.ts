export { type Colours, colourEnabled, colours, type OutputStream, PLAIN } from "./colour.js";
export {
  formatElapsed,
  Progress,
  type ProgressOptions,
  type ProgressStream,
} from "./progress.js";
