// Step 4 of docs/deploy.md, run once on a host with a mongos (the admin host, or cs0):
//   DBA_PASSWORD=… mongosh --quiet "mongodb://127.0.0.1:27017/admin" /opt/fleetmon/mongo/init_cluster.js
// Creates the cluster administrator through mongos's localhost exception (no user exists yet),
// adds the three shards and shards fleetmon's readings collections before any fleetmon code has
// run, so they start sharded: sharding it after data arrived would leave that data on the primary
// shard until the balancer moves it. Safe to run again.
const password = process.env.DBA_PASSWORD;
if (!password || password.length < 16) {
  print("Set DBA_PASSWORD (at least 16 characters) for the cluster administrator fleetmon-dba");
  quit(2);
}
const admin = db.getSiblingDB("admin");
// No getUser first: under the localhost exception MongoDB refuses usersInfo ("requires
// authentication"); only createUser is allowed, and only while no user exists.
try {
  admin.createUser({ user: "fleetmon-dba", pwd: password, roles: ["root"] });
  print("created fleetmon-dba through the localhost exception");
} catch (error) {
  // A user exists already, so the localhost exception is gone: authenticate instead.
  if (!/requires authentication|not authorized|already exists/.test(String(error))) throw error;
}
admin.auth("fleetmon-dba", password);
const hosts = ["10.0.0.40", "10.0.0.41", "10.0.0.42"];
for (const [name, port] of [["shard0", 27018], ["shard1", 27028], ["shard2", 27038]]) {
  sh.addShard(`${name}/${hosts.map((h) => `${h}:${port}`).join(",")}`);
}
sh.enableSharding("fleetmon");
// The same key `deno task db:init` uses (docs/data.md, "Sharding"): the device hashed, then _id
// (which orders one device's documents by time). One device's reads go to one shard, devices
// spread evenly, and _id stays unique cluster-wide because it begins with the device. On an
// empty collection MongoDB pre-splits the hashed chunks over all three shards at once.
for (const name of ["readings_raw", "readings_1m", "readings_1h"]) {
  sh.shardCollection(`fleetmon.${name}`, { d: "hashed", _id: 1 });
}
printjson(sh.status());
