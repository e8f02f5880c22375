package com.acme.reports;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;

/** Opens connections to the sales database; the URL (with its credentials) is a Secrets Manager secret. */
final class Db {
    private static final SecretsManagerClient SECRETS = SecretsManagerClient.create();
    private static String url;

    private Db() {}

    static synchronized Connection connect() throws SQLException {
        if (url == null) {
            url = SECRETS.getSecretValue(GetSecretValueRequest.builder()
                    .secretId(System.getenv("DB_SECRET_ARN"))
                    .build()).secretString();
        }
        return DriverManager.getConnection(url);
    }
}
