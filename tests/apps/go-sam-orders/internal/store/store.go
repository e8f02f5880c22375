// Package store keeps orders in DynamoDB; every function of the service shares it.
package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// ErrNotFound is returned by Get when no order has the id.
var ErrNotFound = errors.New("order not found")

// Order is one customer order.
type Order struct {
	ID        string    `dynamodbav:"pk" json:"id"`
	Customer  string    `dynamodbav:"customer" json:"customer"`
	SKU       string    `dynamodbav:"sku" json:"sku"`
	Quantity  int       `dynamodbav:"quantity" json:"quantity"`
	Status    string    `dynamodbav:"status" json:"status"`
	CreatedAt time.Time `dynamodbav:"created_at" json:"createdAt"`
}

// Store reads and writes the orders table named by TABLE_NAME.
type Store struct {
	client *dynamodb.Client
	table  string
}

// New loads the default AWS configuration of the function's role.
func New(ctx context.Context) (*Store, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load aws config: %w", err)
	}
	return &Store{client: dynamodb.NewFromConfig(cfg), table: os.Getenv("TABLE_NAME")}, nil
}

// Put writes a new order; an order with the same id is never overwritten.
func (s *Store) Put(ctx context.Context, o Order) error {
	item, err := attributevalue.MarshalMap(o)
	if err != nil {
		return err
	}
	_, err = s.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:           aws.String(s.table),
		Item:                item,
		ConditionExpression: aws.String("attribute_not_exists(pk)"),
	})
	return err
}

// Get reads one order by id.
func (s *Store) Get(ctx context.Context, id string) (Order, error) {
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table),
		Key:       map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: id}},
	})
	if err != nil {
		return Order{}, err
	}
	if out.Item == nil {
		return Order{}, ErrNotFound
	}
	var o Order
	err = attributevalue.UnmarshalMap(out.Item, &o)
	return o, err
}

// MarkShipped moves an order from "placed" to "shipped"; the values are bound, never spliced into the expression.
func (s *Store) MarkShipped(ctx context.Context, id string) error {
	_, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(s.table),
		Key:                 map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: id}},
		UpdateExpression:    aws.String("SET #s = :shipped"),
		ConditionExpression: aws.String("#s = :placed"),
		ExpressionAttributeNames: map[string]string{
			"#s": "status",
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":shipped": &types.AttributeValueMemberS{Value: "shipped"},
			":placed":  &types.AttributeValueMemberS{Value: "placed"},
		},
	})
	return err
}
