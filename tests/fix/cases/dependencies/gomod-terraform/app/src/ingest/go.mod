module example.com/ingest

go 1.22

require (
	github.com/aws/aws-lambda-go v1.47.0
	golang.org/x/net v0.17.0 // HTML parsing
)

require golang.org/x/text v0.13.0 // indirect
