// The media HTTP API: GET /media/{key} answers a presigned download URL; POST /media/import copies a
// remote file into the bucket.
package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

type importRequest struct {
	URL  string `json:"url"`
	Name string `json:"name"`
}

type api struct {
	client  *s3.Client
	presign *s3.PresignClient
	bucket  string
}

func (a *api) handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if req.RouteKey == "POST /media/import" {
		return a.importURL(ctx, req)
	}
	// path.Base keeps the caller inside thumbnails/: the key cannot climb out
	key := "thumbnails/" + path.Base(req.PathParameters["key"])
	signed, err := a.presign.PresignGetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(a.bucket),
		Key:    aws.String(key),
	}, s3.WithPresignExpires(5*time.Minute))
	if err != nil {
		return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusNotFound}, nil
	}
	body, _ := json.Marshal(map[string]string{"url": signed.URL})
	return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusOK, Body: string(body)}, nil
}

func (a *api) importURL(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	var in importRequest
	if err := json.Unmarshal([]byte(req.Body), &in); err != nil || !strings.HasPrefix(in.URL, "http") {
		return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusBadRequest}, nil
	}
	// any URL the caller names is fetched from inside the VPC (metadata endpoints included)
	resp, err := http.Get(in.URL) // expect: ssrf
	if err != nil {
		return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusBadGateway}, nil
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 20<<20))
	if err != nil {
		return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusBadGateway}, nil
	}
	_, err = a.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(a.bucket),
		Key:    aws.String("uploads/" + path.Base(in.Name)),
		Body:   strings.NewReader(string(data)),
	})
	if err != nil {
		return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusInternalServerError}, nil
	}
	return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusAccepted}, nil
}

func main() {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		panic(err)
	}
	client := s3.NewFromConfig(cfg)
	a := &api{client: client, presign: s3.NewPresignClient(client), bucket: os.Getenv("MEDIA_BUCKET")}
	lambda.Start(a.handle)
}
