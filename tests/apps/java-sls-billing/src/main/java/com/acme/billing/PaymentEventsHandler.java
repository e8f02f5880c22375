package com.acme.billing;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.sns.AmazonSNS;
import com.amazonaws.services.sns.AmazonSNSClientBuilder;
import com.amazonaws.services.sns.model.PublishRequest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/** The payment provider's settlement messages: marks invoices paid and announces it. */
public class PaymentEventsHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AmazonSNS SNS = AmazonSNSClientBuilder.defaultClient();

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        for (SQSEvent.SQSMessage message : event.getRecords()) {
            try {
                JsonNode payment = JSON.readTree(message.getBody());
                String invoiceId = payment.path("invoiceId").asText();
                Invoices.markPaid(invoiceId);
                SNS.publish(new PublishRequest(System.getenv("PAYMENTS_TOPIC_ARN"), "paid " + invoiceId));
            } catch (Exception e) {
                context.getLogger().log("payment message " + message.getMessageId() + " failed");
                failures.add(new SQSBatchResponse.BatchItemFailure(message.getMessageId()));
            }
        }
        return new SQSBatchResponse(failures);
    }
}
