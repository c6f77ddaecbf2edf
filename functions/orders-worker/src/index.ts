import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { Logger } from "@aws-lambda-powertools/logger";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { type PricedOrder, parseOrder, priceOrder } from "./order.js";

// Service name and log level come from POWERTOOLS_SERVICE_NAME and POWERTOOLS_LOG_LEVEL (or LOG_LEVEL).
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "orders-worker" });

const processor = new BatchProcessor(EventType.SQS);

/** A record that is not a valid order. Its message stays on the queue and, after maxReceiveCount, goes to the DLQ. */
export class InvalidOrderError extends Error {
  override readonly name = "InvalidOrderError";
}

async function processRecord(record: SQSRecord): Promise<PricedOrder> {
  const receiveCount = record.attributes?.ApproximateReceiveCount;
  const parsed = parseOrder(record.body);
  if (!parsed.ok) {
    logger.warn("Rejected record", { messageId: record.messageId, receiveCount, reason: parsed.error });
    throw new InvalidOrderError(parsed.error);
  }
  const priced = priceOrder(parsed.order);
  logger.info("Order accepted", { messageId: record.messageId, receiveCount, ...priced });
  return priced;
}

/**
 * SQS event source handler with partial batch responses (ReportBatchItemFailures): every record is processed,
 * and only the ids of the records that failed are returned, so SQS redelivers those and deletes the rest. When
 * every record fails, Powertools throws FullBatchFailureError and Lambda retries the whole batch.
 */
export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  logger.addContext(context);
  if (!Array.isArray(event?.Records)) {
    throw new TypeError(
      "Expected an SQS event with a Records array: this function is triggered by an SQS queue.",
    );
  }
  const response = await processPartialResponse(event, processRecord, processor, { context });
  logger.info("Batch done", { records: event.Records.length, failed: response.batchItemFailures.length });
  return response;
};
