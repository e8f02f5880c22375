package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
	"golang.org/x/net/html"
	"strings"
)

func handler(ctx context.Context, body string) (int, error) {
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	_ = doc
	return 200, nil
}

func main() {
	lambda.Start(handler)
}
