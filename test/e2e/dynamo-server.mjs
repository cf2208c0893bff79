// DynamoDB on loopback (dynalite behind test/fakes/dynamodb.mjs) in its own process, so its
// work does not share the harness's event loop. Prints {"port": n} once listening; exits
// when the harness disconnects.
import { startDynamoDb } from "../fakes/dynamodb.mjs";

const db = await startDynamoDb();
process.send?.({ port: db.port });
process.on("disconnect", () => process.exit(0));
