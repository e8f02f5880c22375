// The fulfilment queue's consumer: marks each order shipped and reports the messages that failed.
package main

import (
	"context"
	"encoding/json"
	"log"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/acme/orders-go/internal/store"
)

type message struct {
	ID string `json:"id"`
}

var orders *store.Store

func handler(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var failures []events.SQSBatchItemFailure
	for _, record := range ev.Records {
		var m message
		if err := json.Unmarshal([]byte(record.Body), &m); err != nil || m.ID == "" {
			log.Printf("skipping malformed message %s", record.MessageId)
			continue
		}
		if err := orders.MarkShipped(ctx, m.ID); err != nil {
			failures = append(failures, events.SQSBatchItemFailure{ItemIdentifier: record.MessageId})
		}
	}
	return events.SQSEventResponse{BatchItemFailures: failures}, nil
}

func main() {
	var err error
	orders, err = store.New(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(handler)
}
