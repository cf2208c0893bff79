// dynalite (DynamoDB on loopback) in its own process, so its work does not share the harness's
// event loop. Prints {"port": n} once listening; exits when the harness disconnects.
import dynalite from "dynalite";

const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(0, "127.0.0.1", () => {
  process.send?.({ port: server.address().port });
});
process.on("disconnect", () => process.exit(0));
