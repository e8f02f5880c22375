package com.acme.reports;

import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/** Report metadata in DynamoDB, report bodies in S3; shared by the three functions. */
public final class ReportStore {
    private final S3Client s3 = S3Client.create();
    private final DynamoDbClient dynamo = DynamoDbClient.create();
    private final String bucket = System.getenv("REPORTS_BUCKET");
    private final String table = System.getenv("REPORTS_TABLE");

    public Optional<String> body(String reportId) {
        GetItemResponse item = dynamo.getItem(GetItemRequest.builder()
                .tableName(table)
                .key(Map.of("id", AttributeValue.fromS(reportId)))
                .build());
        if (!item.hasItem()) {
            return Optional.empty();
        }
        String key = item.item().get("s3Key").s();
        return Optional.of(s3.getObjectAsBytes(GetObjectRequest.builder().bucket(bucket).key(key).build()).asUtf8String());
    }

    public void save(String reportId, String csv) {
        String key = "reports/" + reportId + ".csv";
        s3.putObject(PutObjectRequest.builder().bucket(bucket).key(key).contentType("text/csv").build(),
                RequestBody.fromString(csv));
        dynamo.putItem(PutItemRequest.builder()
                .tableName(table)
                .item(Map.of("id", AttributeValue.fromS(reportId), "s3Key", AttributeValue.fromS(key)))
                .build());
    }
}
