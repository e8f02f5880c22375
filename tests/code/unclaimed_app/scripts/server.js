const express = require("express");
const serverless = require("serverless-http");
const { exec } = require("child_process");

const app = express();

app.get("/ping", (req, res) => {
  exec("ping -c 1 " + req.query.host, (err, out) => res.json({ out }));
});

module.exports.handler = serverless(app);
