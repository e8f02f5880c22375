// GET /orders/search (public): searches the reporting replica of the orders database.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	_ "github.com/jackc/pgx/v5/stdlib"
)

var db *sql.DB

type row struct {
	ID     string `json:"id"`
	SKU    string `json:"sku"`
	Status string `json:"status"`
}

func handler(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	status := req.QueryStringParameters["status"]
	limit, err := strconv.Atoi(req.QueryStringParameters["limit"])
	if err != nil || limit < 1 || limit > 50 {
		limit = 20
	}
	// the limit is a number: safe; the status is spliced into the text as the caller sent it
	query := fmt.Sprintf("SELECT id, sku, status FROM orders WHERE status = '%s' LIMIT %d", status, limit)
	rows, err := db.QueryContext(ctx, query) // expect: sql-injection
	if err != nil {
		return events.APIGatewayProxyResponse{StatusCode: http.StatusInternalServerError}, nil
	}
	defer rows.Close()
	out := []row{}
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.ID, &r.SKU, &r.Status); err != nil {
			return events.APIGatewayProxyResponse{StatusCode: http.StatusInternalServerError}, nil
		}
		out = append(out, r)
	}
	sku := req.QueryStringParameters["sku"]
	if sku != "" {
		// bound as a placeholder value: not an injection
		var count int
		_ = db.QueryRowContext(ctx, "SELECT count(*) FROM orders WHERE sku = $1", sku).Scan(&count)
	}
	body, _ := json.Marshal(out)
	return events.APIGatewayProxyResponse{
		StatusCode: http.StatusOK,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       string(body),
	}, nil
}

func main() {
	var err error
	db, err = sql.Open("pgx", os.Getenv("REPORTING_DSN"))
	if err != nil {
		panic(err)
	}
	lambda.Start(handler)
}
