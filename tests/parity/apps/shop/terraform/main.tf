data "archive_file" "src" {
  type        = "zip"
  source_dir  = "${path.module}/src"
  output_path = "${path.module}/build/src.zip"
}

resource "aws_iam_role" "shop" {
  name = "shop"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
  managed_policy_arns = ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]
}

data "aws_iam_policy_document" "shop" {
  statement {
    actions   = ["dynamodb:*"]
    resources = ["*"]
  }
  statement {
    actions   = ["s3:ListBucket"]
    resources = ["arn:aws:s3:::shop-reports"]
  }
  statement {
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
    resources = ["arn:aws:sqs:us-east-1:123456789012:shop-jobs"]
  }
}

resource "aws_iam_role_policy" "shop" {
  name   = "shop"
  role   = aws_iam_role.shop.id
  policy = data.aws_iam_policy_document.shop.json
}

resource "aws_lambda_function" "orders" {
  function_name = "orders"
  runtime       = "python3.12"
  handler       = "orders.handler"
  role          = aws_iam_role.shop.arn
  filename      = data.archive_file.src.output_path
  environment {
    variables = {
      STAGE      = "prod"
      STRIPE_KEY = "sk_live_4eC39HqLyjWDarjtT1zdp7dcQrZ8Yb2w"
    }
  }
}

resource "aws_lambda_function" "reports" {
  function_name = "reports"
  runtime       = "python3.12"
  handler       = "reports.handler"
  role          = aws_iam_role.shop.arn
  filename      = data.archive_file.src.output_path
}

resource "aws_lambda_function" "worker" {
  function_name = "worker"
  runtime       = "python3.8"
  handler       = "worker.handler"
  role          = aws_iam_role.shop.arn
  filename      = data.archive_file.src.output_path
}

resource "aws_lambda_function_url" "reports" {
  function_name      = aws_lambda_function.reports.function_name
  authorization_type = "NONE"
}

resource "aws_apigatewayv2_api" "http" {
  name          = "shop"
  protocol_type = "HTTP"
}

resource "aws_apigatewayv2_integration" "orders" {
  api_id                 = aws_apigatewayv2_api.http.id
  integration_type       = "AWS_PROXY"
  integration_uri        = aws_lambda_function.orders.invoke_arn
  payload_format_version = "2.0"
}

resource "aws_apigatewayv2_route" "orders" {
  api_id    = aws_apigatewayv2_api.http.id
  route_key = "GET /orders"
  target    = "integrations/${aws_apigatewayv2_integration.orders.id}"
}

resource "aws_apigatewayv2_stage" "default" {
  api_id      = aws_apigatewayv2_api.http.id
  name        = "$default"
  auto_deploy = true
}

resource "aws_lambda_event_source_mapping" "jobs" {
  event_source_arn = "arn:aws:sqs:us-east-1:123456789012:shop-jobs"
  function_name    = aws_lambda_function.worker.arn
}
