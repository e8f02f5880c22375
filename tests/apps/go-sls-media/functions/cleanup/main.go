// Nightly: deletes thumbnails older than 30 days.
package main

import (
	"context"
	"log"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

const maxAge = 30 * 24 * time.Hour

func handler(ctx context.Context) error {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return err
	}
	client := s3.NewFromConfig(cfg)
	bucket := os.Getenv("MEDIA_BUCKET")
	pages := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{
		Bucket: aws.String(bucket),
		Prefix: aws.String("thumbnails/"),
	})
	cutoff := time.Now().Add(-maxAge)
	deleted := 0
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return err
		}
		var old []types.ObjectIdentifier
		for _, obj := range page.Contents {
			if obj.LastModified != nil && obj.LastModified.Before(cutoff) {
				old = append(old, types.ObjectIdentifier{Key: obj.Key})
			}
		}
		if len(old) == 0 {
			continue
		}
		_, err = client.DeleteObjects(ctx, &s3.DeleteObjectsInput{
			Bucket: aws.String(bucket),
			Delete: &types.Delete{Objects: old, Quiet: aws.Bool(true)},
		})
		if err != nil {
			return err
		}
		deleted += len(old)
	}
	log.Printf("deleted %d thumbnails", deleted)
	return nil
}

func main() {
	lambda.Start(handler)
}
