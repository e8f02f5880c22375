package com.acme.billing;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.apache.commons.text.StringSubstitutor;

/** The invoices REST API, as a stream handler: the API Gateway proxy event is read from the raw stream. */
public class InvoiceApiHandler implements RequestStreamHandler {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path TEMPLATES = Path.of("/opt/invoice-templates");

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        JsonNode event = JSON.readTree(input);
        ObjectNode response = JSON.createObjectNode();
        if ("POST".equals(event.path("httpMethod").asText())) {
            JsonNode body = JSON.readTree(event.path("body").asText("{}"));
            long cents = Long.parseLong(body.path("cents").asText("0"));
            String id = UUID.randomUUID().toString();
            // commons-text 1.9 interpolates ${script:...} and ${url:...} lookups in the caller's note
            String note = StringSubstitutor.createInterpolator().replace(body.path("note").asText("")); // expect: template-injection, vulnerable-library-call
            Invoices.put(id, body.path("customer").asText(), cents, note);
            response.put("statusCode", 201);
            response.put("body", JSON.writeValueAsString(Map.of("id", id)));
        } else {
            String id = event.path("pathParameters").path("id").asText();
            Map<String, ?> item = Invoices.get(id);
            if (item == null) {
                response.put("statusCode", 404);
            } else {
                // the template named by the query string is read from the layer: `../` climbs out of it
                String layout = event.path("queryStringParameters").path("layout").asText("default");
                String template = Files.readString(TEMPLATES.resolve(layout + ".html")); // expect: path-traversal
                response.put("statusCode", 200);
                response.put("body", template.replace("{{id}}", id));
            }
        }
        JSON.writeValue(output, response);
    }
}
