resource "aws_iam_role" "ingest" {
  name = "ingest"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_lambda_function" "ingest" {
    function_name = "ingest"
    role          = aws_iam_role.ingest.arn
    handler       = "main.handler"
    runtime       = "python3.12"
    filename      = "build/ingest.zip"

    environment {
        variables = {
            STAGE       = "prod"
            DB_PASSWORD = "Xk9#mQ2\"vL7!pR4w%%{x}" # rotate me
        }
    }
}

output "ingest_arn" {
  value = aws_lambda_function.ingest.arn
}
