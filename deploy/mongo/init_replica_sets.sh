#!/bin/sh
# Step 3 of docs/deploy.md, run once on db0 after fleetmon-mongod@{configsvr,shard0,shard1,shard2}
# run on db0, db1 and db2. Initiates the four replica sets, each with one member per DB VM.
# Uses MongoDB's localhost exception (no user exists yet), so it must run on db0 itself.
# Each shard prefers its primary on a different VM, so the three VMs share the write load.
set -eu
DB0=${DB0:-10.0.0.40}
DB1=${DB1:-10.0.0.41}
DB2=${DB2:-10.0.0.42}
CA=${CA:-/etc/mongodb/tls/ca.pem}
# The members require a client certificate signed by the CA (net.tls.CAFile without
# allowConnectionsWithoutCertificates): this VM's member certificate is one.
PEM=${PEM:-/etc/mongodb/tls/member.pem}

initiate() { # name port configsvr preferred-member(0-2)
  js="rs.initiate({_id: '$1', configsvr: $3, members: [
    {_id: 0, host: '$DB0:$2', priority: $([ "$4" = 0 ] && echo 2 || echo 1)},
    {_id: 1, host: '$DB1:$2', priority: $([ "$4" = 1 ] && echo 2 || echo 1)},
    {_id: 2, host: '$DB2:$2', priority: $([ "$4" = 2 ] && echo 2 || echo 1)}]})"
  echo "initiating $1 on port $2"
  mongosh --quiet --tls --tlsCAFile "$CA" --tlsCertificateKeyFile "$PEM" "mongodb://localhost:$2/" --eval "$js"
}

initiate cfg 27019 true 0
initiate shard0 27018 false 0
initiate shard1 27028 false 1
initiate shard2 27038 false 2
# Wait until each set has a primary (bounded: 60 tries, a second apart).
for port in 27019 27018 27028 27038; do
  mongosh --quiet --tls --tlsCAFile "$CA" --tlsCertificateKeyFile "$PEM" "mongodb://localhost:$port/" --eval '
    for (let i = 0; i < 60 && !db.hello().isWritablePrimary && !db.hello().primary; i++) sleep(1000);
    if (!db.hello().primary) { print("no primary on port '"$port"' after 60 s"); quit(1); }
    print("primary of " + db.hello().setName + ": " + db.hello().primary);'
done
