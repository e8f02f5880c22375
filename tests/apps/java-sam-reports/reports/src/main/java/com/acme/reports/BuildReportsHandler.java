package com.acme.reports;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;

/** Nightly: yesterday's sales per region, one CSV report each. */
public class BuildReportsHandler implements RequestHandler<ScheduledEvent, Integer> {
    private static final String[] REGIONS = {"EU", "US", "APAC"};
    private final ReportStore store = new ReportStore();

    @Override
    public Integer handleRequest(ScheduledEvent event, Context context) {
        LocalDate day = LocalDate.now().minusDays(1);
        int built = 0;
        try (Connection conn = Db.connect()) {
            PreparedStatement ps = conn.prepareStatement(
                    "SELECT sku, sum(amount) FROM sales WHERE region = ? AND day = ? GROUP BY sku");
            for (String region : REGIONS) {
                ps.setString(1, region);
                ps.setObject(2, day);
                StringBuilder csv = new StringBuilder("sku,amount\n");
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        csv.append(rs.getString(1)).append(',').append(rs.getBigDecimal(2)).append('\n');
                    }
                }
                store.save(region + "-" + day, csv.toString());
                built++;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("report build failed", e);
        }
        return built;
    }
}
