// Sends the newsletter.
export const SENDGRID_KEY = "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";

export const handler = async () => ({ statusCode: 202, keyed: Boolean(SENDGRID_KEY) });
