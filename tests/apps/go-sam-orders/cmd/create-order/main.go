// POST /orders (behind the token authorizer): validates the order, stores it and queues it for fulfilment.
package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/acme/orders-go/internal/store"
)

var skuPattern = regexp.MustCompile(`^[A-Z0-9]{4,12}$`)

type createRequest struct {
	ID       string `json:"id"`
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
}

type app struct {
	orders *store.Store
	queue  *sqs.Client
}

func (a *app) handle(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	var in createRequest
	if err := json.Unmarshal([]byte(req.Body), &in); err != nil {
		return respond(http.StatusBadRequest, `{"error":"invalid JSON"}`), nil
	}
	if !skuPattern.MatchString(in.SKU) || in.Quantity < 1 || in.Quantity > 100 {
		return respond(http.StatusBadRequest, `{"error":"invalid order"}`), nil
	}
	customer, _ := req.RequestContext.Authorizer["customer"].(string)
	order := store.Order{
		ID:        in.ID,
		Customer:  customer,
		SKU:       in.SKU,
		Quantity:  in.Quantity,
		Status:    "placed",
		CreatedAt: time.Now().UTC(),
	}
	if err := a.orders.Put(ctx, order); err != nil {
		return respond(http.StatusConflict, `{"error":"order exists"}`), nil
	}
	body, _ := json.Marshal(order)
	_, err := a.queue.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl:    aws.String(os.Getenv("QUEUE_URL")),
		MessageBody: aws.String(string(body)),
	})
	if err != nil {
		return respond(http.StatusInternalServerError, `{"error":"try again"}`), nil
	}
	return respond(http.StatusCreated, string(body)), nil
}

func respond(status int, body string) events.APIGatewayProxyResponse {
	return events.APIGatewayProxyResponse{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       body,
	}
}

func main() {
	ctx := context.Background()
	orders, err := store.New(ctx)
	if err != nil {
		panic(err)
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		panic(err)
	}
	a := &app{orders: orders, queue: sqs.NewFromConfig(cfg)}
	lambda.Start(a.handle)
}
