exports.handler = async (event) => {
  console.log("received", event.body && event.body.length);
  return { statusCode: 202, body: "" };
};

exports.audit = async (event) => {
  for (const record of event.Records) {
    console.log("audit", record.Sns.MessageId);
  }
};
