// Every value in this fixture is fake.
const slackToken = 'xoxb-2048-1024-Zq8mZ4pWyB9sJ3eF6aU0oIxy';

exports.handler = async (event) => {
  return { statusCode: 204, sent: Boolean(slackToken) };
};
