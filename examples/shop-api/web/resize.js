// Resize uploaded product images (the resizing itself is elided).
const { S3Client, GetObjectCommand, PutObjectCommand } = require("@aws-sdk/client-s3");

const s3 = new S3Client({});

exports.handler = async (event) => {
  for (const record of event.Records) {
    const Bucket = record.s3.bucket.name;
    const Key = decodeURIComponent(record.s3.object.key.replace(/\+/g, " "));
    const original = await s3.send(new GetObjectCommand({ Bucket, Key }));
    const body = await original.Body.transformToByteArray();
    await s3.send(new PutObjectCommand({ Bucket, Key: `thumbnails/${Key}`, Body: body }));
  }
};
