const apiToken = 'ghp_R8fK2mQ9xT4vL7pW3nZ6bY1cD5hJ0sA8eG2u';

exports.handler = async () => ({ ok: Boolean(apiToken) });
