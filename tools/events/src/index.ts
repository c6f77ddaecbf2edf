/**
 * Sample Lambda events, like `sam local generate-event`: pure functions of an EventContext (account, region, time,
 * randomness) and the source's options. The CLI in ./cli.ts maps command-line options onto these.
 */
export {
  ACCOUNT_ID,
  type ContextOptions,
  createContext,
  DEFAULT_REGION,
  type EventContext,
} from "./context.js";
export {
  type AttributeValue,
  type DynamoDBOptions,
  dynamoDBStreamEvent,
  marshall,
  type StreamEventName,
  toAttributeValue,
} from "./dynamodb.js";
export {
  type EventBridgeOptions,
  eventBridgeEvent,
  type ScheduleOptions,
  scheduledEvent,
} from "./eventbridge.js";
export { functionUrlEvent, type HttpOptions, httpApiEvent, restApiEvent } from "./http.js";
export { md5OfBody, type SnsOptions, type SqsOptions, snsEvent, sqsEvent } from "./messaging.js";
export { encodeS3Key, S3_EVENT_NAMES, type S3Options, s3Event } from "./s3.js";
