const _ = require("lodash");
const minimist = require("minimist");

exports.handler = async (event) => {
  const args = minimist((event.args || "").split(" "));
  return { statusCode: 200, body: JSON.stringify(_.pick(args, ["page"])) };
};
