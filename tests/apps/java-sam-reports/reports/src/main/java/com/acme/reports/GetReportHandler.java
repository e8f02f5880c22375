package com.acme.reports;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/** GET /reports/{id} (public): a report's CSV by id. */
public class GetReportHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private static final Logger LOG = LogManager.getLogger(GetReportHandler.class);
    private final ReportStore store = new ReportStore();

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        String id = event.getPathParameters().get("id");
        String agent = event.getHeaders().get("user-agent");
        // log4j-core 2.14.1 looks up ${jndi:...} in logged text: a header is enough to reach it
        LOG.info("report {} requested by {}", id, agent); // expect: log-injection, vulnerable-library-call
        return store.body(id)
                .map(csv -> APIGatewayV2HTTPResponse.builder()
                        .withStatusCode(200)
                        .withHeaders(Map.of("Content-Type", "text/csv"))
                        .withBody(csv)
                        .build())
                .orElseGet(() -> APIGatewayV2HTTPResponse.builder().withStatusCode(404).build());
    }
}
