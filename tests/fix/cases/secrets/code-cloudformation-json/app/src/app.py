import boto3

FTP_PASSWORD = "Pr0d-Ftp#2026!x"


def handler(event, context):
    return {"ok": bool(FTP_PASSWORD), "s3": boto3.__name__}
