// Makes a thumbnail of every upload with ImageMagick from the layer, using the v1 SDK.
package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/session"
	"github.com/aws/aws-sdk-go/service/s3"

	"github.com/acme/media-go/internal/media"
)

var svc = s3.New(session.Must(session.NewSession()))

func handler(ctx context.Context, ev events.S3Event) error {
	for _, rec := range ev.Records {
		bucket := rec.S3.Bucket.Name
		key, err := url.QueryUnescape(rec.S3.Object.Key)
		if err != nil {
			return err
		}
		obj, err := svc.GetObjectWithContext(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			return err
		}
		in, err := os.CreateTemp("", "upload-*")
		if err != nil {
			return err
		}
		_, err = io.Copy(in, obj.Body)
		obj.Body.Close()
		in.Close()
		if err != nil {
			return err
		}
		// the object key (chosen by whoever uploaded) is spliced into a shell command line
		script := fmt.Sprintf("convert %s -thumbnail 256x256 /tmp/thumb.jpg && echo done %s", in.Name(), key)
		if out, err := exec.Command("sh", "-c", script).CombinedOutput(); err != nil { // expect: command-injection
			return fmt.Errorf("convert: %v: %s", err, out)
		}
		thumb, err := os.Open("/tmp/thumb.jpg")
		if err != nil {
			return err
		}
		_, err = svc.PutObjectWithContext(ctx, &s3.PutObjectInput{
			Bucket:      aws.String(os.Getenv("MEDIA_BUCKET")),
			Key:         aws.String(media.ThumbnailKey(key)),
			Body:        thumb,
			ContentType: aws.String("image/jpeg"),
		})
		thumb.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

func main() {
	lambda.Start(handler)
}
