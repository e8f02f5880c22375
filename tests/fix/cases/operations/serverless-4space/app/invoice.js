exports.handler = async (event) => {
  for (const r of event.Records) console.log("invoice", r.Sns.MessageId);
};
