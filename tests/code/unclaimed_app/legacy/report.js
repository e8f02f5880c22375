const { execSync } = require("child_process");

exports.handler = async (event, context) => {
  console.log(JSON.stringify(event));
  const day = event.queryStringParameters.day;
  const out = execSync("grep " + day + " /var/log/report.log");
  return { statusCode: 200, body: out.toString() };
};

exports.version = "1.0.0";
