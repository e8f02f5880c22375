resource "aws_iam_role" "notify" {
  name = "notify"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

data "archive_file" "notify" {
  type        = "zip"
  source_dir  = "${path.module}/src"
  output_path = "${path.module}/build/notify.zip"
}

resource "aws_lambda_function" "notify" {
  function_name = "notify"
  role          = aws_iam_role.notify.arn
  handler       = "index.handler"
  runtime       = "nodejs20.x"
  filename      = data.archive_file.notify.output_path
}
