// The failure converter of every client, worker and workflow (lib/payload-codec.ts names it by path, as the SDK
// wants, since the workflow sandbox loads it too): a failure's message and stack trace travel as an encoded
// payload, so the codec encrypts them as well (a refusal may quote what an applicant typed). Plain CommonJS: it
// is loaded by Node's require and by the workflow bundler alike.
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
