// The token authorizer of the orders API: a caller's bearer token must be an HS256 JWT signed with our key.
package main

import (
	"context"
	"errors"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/golang-jwt/jwt/v5"
)

var errUnauthorized = errors.New("Unauthorized")

func handler(ctx context.Context, req events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	raw := strings.TrimPrefix(req.AuthorizationToken, "Bearer ")
	key := []byte(os.Getenv("JWT_SIGNING_KEY"))
	token, err := jwt.Parse(raw, func(t *jwt.Token) (interface{}, error) {
		return key, nil
	}, jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired())
	if err != nil || !token.Valid {
		return events.APIGatewayCustomAuthorizerResponse{}, errUnauthorized
	}
	subject, err := token.Claims.GetSubject()
	if err != nil || subject == "" {
		return events.APIGatewayCustomAuthorizerResponse{}, errUnauthorized
	}
	return events.APIGatewayCustomAuthorizerResponse{
		PrincipalID: subject,
		PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{
			Version: "2012-10-17",
			Statement: []events.IAMPolicyStatement{
				{Action: []string{"execute-api:Invoke"}, Effect: "Allow", Resource: []string{req.MethodArn}},
			},
		},
		Context: map[string]interface{}{"customer": subject},
	}, nil
}

func main() {
	lambda.Start(handler)
}
