// Run once against the mongos router of a sharded cluster (mongosh "mongodb://mongos:27017" shard.js).
// The seed: three database servers share the data. Readings, the only large collection, are
// sharded on a hashed _id ("<device>:<seq>"), which spreads writes evenly over the shards and keeps
// _id unique cluster-wide (each _id maps to exactly one shard). Other collections are small and stay
// on the primary shard.
const dbName = "fleetmon";
sh.enableSharding(dbName);
sh.shardCollection(`${dbName}.readings`, { _id: "hashed" });
const fleet = db.getSiblingDB(dbName);
fleet.readings.createIndex({ device: 1, seq: -1 }, { name: "device_seq" });
fleet.readings.createIndex({ device: 1, ts: -1 }, { name: "device_ts" });
fleet.devices.createIndex({ updatedAt: 1 }, { name: "updated_at" });
fleet.sessions.createIndex({ expiresAt: 1 }, { name: "expires_at" });
printjson(sh.status());
