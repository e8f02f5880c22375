package com.acme.billing;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDBClientBuilder;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.GetItemRequest;
import com.amazonaws.services.dynamodbv2.model.PutItemRequest;
import com.amazonaws.services.dynamodbv2.model.UpdateItemRequest;
import java.util.Map;

/** The invoices table (AWS SDK for Java v1), shared by both functions. */
final class Invoices {
    private static final AmazonDynamoDB DYNAMO = AmazonDynamoDBClientBuilder.defaultClient();
    private static final String TABLE = System.getenv("INVOICES_TABLE");

    private Invoices() {}

    static Map<String, AttributeValue> get(String id) {
        return DYNAMO.getItem(new GetItemRequest().withTableName(TABLE).withKey(Map.of("id", new AttributeValue(id))))
                .getItem();
    }

    static void put(String id, String customer, long cents, String note) {
        DYNAMO.putItem(new PutItemRequest().withTableName(TABLE).withItem(Map.of(
                "id", new AttributeValue(id),
                "customer", new AttributeValue(customer),
                "cents", new AttributeValue().withN(Long.toString(cents)),
                "note", new AttributeValue(note),
                "status", new AttributeValue("open"))));
    }

    static void markPaid(String id) {
        DYNAMO.updateItem(new UpdateItemRequest()
                .withTableName(TABLE)
                .withKey(Map.of("id", new AttributeValue(id)))
                .withUpdateExpression("SET #s = :paid")
                .withExpressionAttributeNames(Map.of("#s", "status"))
                .withExpressionAttributeValues(Map.of(":paid", new AttributeValue("paid"))));
    }
}
