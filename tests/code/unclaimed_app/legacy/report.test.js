const { execSync } = require("child_process");

exports.handler = (event, context) => execSync("echo " + event.name);
