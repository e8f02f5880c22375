package com.acme.reports;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** GET /reports (Cognito JWT): reports by region, and a count of the caller's own reports. */
public class SearchReportsHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        Map<String, String> query = event.getQueryStringParameters();
        String region = query.getOrDefault("region", "EU");
        String owner = event.getRequestContext().getAuthorizer().getJwt().getClaims().get("sub");
        List<String> ids = new ArrayList<>();
        try (Connection conn = Db.connect()) {
            Statement stmt = conn.createStatement();
            ResultSet rs = stmt.executeQuery("SELECT id FROM reports WHERE region = '" + region + "'"); // expect: sql-injection
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
            // the safe way: a placeholder, the value bound
            PreparedStatement mine = conn.prepareStatement("SELECT count(*) FROM reports WHERE owner = ? AND region = ?");
            mine.setString(1, owner);
            mine.setString(2, region);
            ResultSet count = mine.executeQuery();
            count.next();
            return APIGatewayV2HTTPResponse.builder()
                    .withStatusCode(200)
                    .withBody("{\"ids\":" + ids.size() + ",\"mine\":" + count.getInt(1) + "}")
                    .build();
        } catch (SQLException e) {
            context.getLogger().log("search failed: " + e.getSQLState());
            return APIGatewayV2HTTPResponse.builder().withStatusCode(500).build();
        }
    }
}
