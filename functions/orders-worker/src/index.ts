import {
  BatchProcessor,
  EventType,
  processPartialResponse,
  UnexpectedBatchTypeError,
} from "@aws-lambda-powertools/batch";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { type PricedOrder, parseOrder, priceOrder } from "./order.js";

// Service name and log level come from POWERTOOLS_SERVICE_NAME and POWERTOOLS_LOG_LEVEL (or LOG_LEVEL).
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "orders-worker" });
// Namespace and the service dimension come from POWERTOOLS_METRICS_NAMESPACE and POWERTOOLS_SERVICE_NAME (set in
// the config's "environment"); each batch's metrics go to stdout as one Embedded Metric Format line.
const metrics = new Metrics({ logger });

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
    metrics.addMetric("ordersRejected", MetricUnit.Count, 1);
    throw new InvalidOrderError(parsed.error);
  }
  const priced = priceOrder(parsed.order);
  logger.info("Order accepted", { messageId: record.messageId, receiveCount, ...priced });
  metrics.addMetric("ordersAccepted", MetricUnit.Count, 1);
  return priced;
}

/**
 * SQS event source handler with partial batch responses (ReportBatchItemFailures): every record is processed,
 * and only the ids of the records that failed are returned, so SQS redelivers those and deletes the rest. When
 * every record fails, Powertools throws FullBatchFailureError and Lambda retries the whole batch.
 */
export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  logger.addContext(context);
  try {
    const response = await processPartialResponse(event, processRecord, processor, { context });
    logger.info("Batch done", { records: event.Records.length, failed: response.batchItemFailures.length });
    return response;
  } catch (error) {
    if (error instanceof UnexpectedBatchTypeError) {
      throw new TypeError(
        "Expected an SQS event with a Records array: this function is triggered by an SQS queue.",
        { cause: error },
      );
    }
    throw error;
  } finally {
    // Accepted and rejected counts of the whole batch, also when every record failed.
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
};
