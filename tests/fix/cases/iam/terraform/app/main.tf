resource "aws_dynamodb_table" "notes" {
  name         = "notes"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"

  attribute {
    name = "id"
    type = "S"
  }
}

resource "aws_s3_bucket" "attachments" {
  bucket = "notes-attachments"
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "notes" {
  statement {
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["arn:aws:logs:*:*:log-group:/aws/lambda/notes:*"]
  }

  statement {
    actions   = ["dynamodb:*", "s3:*"]
    resources = ["*"]
  }
}

resource "aws_iam_role" "notes" {
  name               = "notes"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_iam_role_policy" "notes" {
  role   = aws_iam_role.notes.id
  policy = data.aws_iam_policy_document.notes.json
}

data "archive_file" "notes" {
  type        = "zip"
  source_dir  = "${path.module}/src"
  output_path = "${path.module}/build/notes.zip"
}

resource "aws_lambda_function" "notes" {
  function_name = "notes"
  role          = aws_iam_role.notes.arn
  runtime       = "python3.12"
  handler       = "index.handler"
  filename      = data.archive_file.notes.output_path

  environment {
    variables = {
      TABLE_NAME  = aws_dynamodb_table.notes.name
      BUCKET_NAME = aws_s3_bucket.attachments.bucket
    }
  }
}
