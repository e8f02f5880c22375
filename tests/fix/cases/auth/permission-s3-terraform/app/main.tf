data "aws_caller_identity" "me" {}

resource "aws_iam_role" "thumb" {
  name               = "thumb"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }] })
}

resource "aws_lambda_function" "thumb" {
  function_name = "thumb"
  runtime       = "python3.12"
  handler       = "app.handler"
  role          = aws_iam_role.thumb.arn
  filename      = "build/thumb.zip"
}

resource "aws_s3_bucket" "uploads" {
  bucket = "acme-thumb-uploads"
}

resource "aws_s3_bucket_notification" "uploads" {
  bucket = aws_s3_bucket.uploads.id
  lambda_function {
    lambda_function_arn = aws_lambda_function.thumb.arn
    events              = ["s3:ObjectCreated:*"]
  }
  depends_on = [aws_lambda_permission.s3]
}

resource "aws_lambda_permission" "s3" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.thumb.function_name
  principal     = "*" # TODO narrow
}
