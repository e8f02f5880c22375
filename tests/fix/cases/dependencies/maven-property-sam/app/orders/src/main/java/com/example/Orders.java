package com.example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

public class Orders implements RequestHandler<SQSEvent, Void> {
    private static final Logger LOG = LogManager.getLogger(Orders.class);

    @Override
    public Void handleRequest(SQSEvent event, Context context) {
        for (SQSEvent.SQSMessage message : event.getRecords()) {
            LOG.info("order {}", message.getMessageId());
        }
        return null;
    }
}
