const _ = require("lodash");

exports.handler = async (event) => {
  const render = _.template("Receipt <%= id %>");
  return { statusCode: 200, body: render({ id: event.queryStringParameters.id }) };
};
