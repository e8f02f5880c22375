exports.github = async (event) => ({ statusCode: 200, body: "ok" });
exports.stripe = async (event) => ({ statusCode: 200, body: "ok" });
exports.exportCsv = async (event) => ({ statusCode: 200, body: "a,b" });
exports.status = async (event) => ({ statusCode: 200, body: "up" });
