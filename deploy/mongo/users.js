// Step 5 of docs/deploy.md, run once after init_cluster.js, as the cluster administrator:
//   DBA_PASSWORD=… COMM_PASSWORD=… WEB_PASSWORD=… OPERATOR_PASSWORD=… mongosh --quiet \
//     "mongodb://127.0.0.1:27017/admin" /opt/fleetmon/mongo/users.js
// (The passwords come from the environment, not the URI, where a "/" or "+" would need escaping.)
// One role per kind of client, defined in admin (a role defined there may name other databases:
// db:init reads config.collections), and one user each in the fleetmon database (so the URI's
// /fleetmon is also the authentication database). None may drop anything, manage users, or write
// another database. Safe to run again: it updates what exists.
const fleet = db.getSiblingDB("fleetmon");
const admin = db.getSiblingDB("admin");
if (!process.env.DBA_PASSWORD) {
  print("Set DBA_PASSWORD: the password of fleetmon-dba, made by init_cluster.js");
  quit(2);
}
admin.auth("fleetmon-dba", process.env.DBA_PASSWORD);
const everyCollection = { db: "fleetmon", collection: "" };
// comm and web still create their indexes at start (an existing index is a no-op, but needs the
// privilege): createIndex and createCollection stay until `deno task db:init` is the only place.
const NODE_ACTIONS = ["find", "insert", "update", "remove", "createIndex", "createCollection"];
const ROLES = {
  fleetmonNode: [{ resource: everyCollection, actions: NODE_ACTIONS }],
  // web's cluster page (web/cluster/database.ts) also reads how readings spread over the shards
  // ($collStats) and lists the shards: metadata only, nothing written.
  fleetmonWeb: [
    { resource: everyCollection, actions: [...NODE_ACTIONS, "collStats"] },
    { resource: { cluster: true }, actions: ["listShards"] },
  ],
  // db:init, users and devices: also listing, stats and sharding fleetmon's collections
  // (enableSharding covers sh.enableSharding and sh.shardCollection), no drop.
  fleetmonOperator: [
    {
      resource: everyCollection,
      actions: [...NODE_ACTIONS, "listIndexes", "listCollections", "collStats", "dbStats"],
    },
    { resource: { db: "fleetmon", collection: "" }, actions: ["enableSharding"] },
    { resource: { db: "config", collection: "collections" }, actions: ["find"] },
  ],
};
for (const [role, privileges] of Object.entries(ROLES)) {
  if (admin.getRole(role) === null) admin.createRole({ role, privileges, roles: [] });
  else admin.updateRole(role, { privileges, roles: [] });
}
const USERS = [
  ["fleetmon-comm", "COMM_PASSWORD", "fleetmonNode"],
  ["fleetmon-web", "WEB_PASSWORD", "fleetmonWeb"],
  ["fleetmon-operator", "OPERATOR_PASSWORD", "fleetmonOperator"],
];
for (const [user, variable, role] of USERS) {
  const pwd = process.env[variable];
  if (!pwd || pwd.length < 16) {
    print(`Set ${variable} (at least 16 characters) for ${user}`);
    quit(2);
  }
  const roles = [{ role, db: "admin" }];
  if (fleet.getUser(user) === null) fleet.createUser({ user, pwd, roles });
  else fleet.updateUser(user, { pwd, roles });
  print(`user ${user}: role ${role}`);
}
