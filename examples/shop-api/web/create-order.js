// Create an order and queue it for payment.
const { DynamoDBClient } = require("@aws-sdk/client-dynamodb");
const { DynamoDBDocumentClient, PutCommand } = require("@aws-sdk/lib-dynamodb");
const { randomUUID } = require("crypto");

const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));

exports.handler = async (event) => {
  const order = JSON.parse(event.body);
  const item = { id: randomUUID(), customer_id: event.requestContext.authorizer.jwt.claims.sub, ...order };
  await db.send(new PutCommand({ TableName: process.env.ORDERS_TABLE, Item: item }));
  return { statusCode: 201, body: JSON.stringify({ id: item.id }) };
};
