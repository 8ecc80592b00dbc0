#!/usr/bin/env bash
# Creates head office's database on this machine's PostgreSQL, run once as root:
#   - tillbook_owner: owns the schema; `tillbook-server migrate` runs as it (and nothing else).
#   - tillbook_server: the LOGIN role the server runs as: a member of tillbook_app (insert into
#     the ledger, never update or delete it) and nothing else; it cannot become the owner.
# The passwords are read from TILLBOOK_OWNER_DB_PASSWORD and TILLBOOK_RUNTIME_PASSWORD; the
# script prints the two DATABASE_URLs to put in /etc/tillbook/.
#
#   TILLBOOK_OWNER_DB_PASSWORD=… TILLBOOK_RUNTIME_PASSWORD=… deploy/postgres-setup.sh [database]
set -euo pipefail

database="${1:-tillbook}"
host="${PGHOST:-127.0.0.1}"
port="${PGPORT:-5432}"
server="${TILLBOOK_SERVER_BINARY:-/usr/local/bin/tillbook-server}"
: "${TILLBOOK_OWNER_DB_PASSWORD:?set TILLBOOK_OWNER_DB_PASSWORD}"
: "${TILLBOOK_RUNTIME_PASSWORD:?set TILLBOOK_RUNTIME_PASSWORD}"
as_postgres() { if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi; }
psql_admin() { as_postgres psql -v ON_ERROR_STOP=1 -h "$host" -p "$port" -d postgres "$@"; }

# The owner: may log in and owns the database, may not create roles or databases.
psql_admin -v password="$TILLBOOK_OWNER_DB_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE tillbook_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', :'password')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tillbook_owner') \gexec
SELECT format('ALTER ROLE tillbook_owner PASSWORD %L', :'password') \gexec
SQL
psql_admin -v database="$database" <<'SQL'
SELECT format('CREATE DATABASE %I OWNER tillbook_owner', :'database')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'database') \gexec
SQL
# Nobody else may connect or create objects in it.
psql_admin -v database="$database" <<'SQL'
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'database') \gexec
SQL
as_postgres psql -v ON_ERROR_STOP=1 -h "$host" -p "$port" -d "$database" -c 'REVOKE CREATE ON SCHEMA public FROM PUBLIC'
as_postgres psql -v ON_ERROR_STOP=1 -h "$host" -p "$port" -d "$database" -c 'ALTER SCHEMA public OWNER TO tillbook_owner'

owner_url="postgres://tillbook_owner:${TILLBOOK_OWNER_DB_PASSWORD}@${host}:${port}/${database}"
runtime_url="postgres://tillbook_server:${TILLBOOK_RUNTIME_PASSWORD}@${host}:${port}/${database}"
# The schema, as its owner. The first migration creates the NOLOGIN group role tillbook_app,
# which needs CREATEROLE: the owner holds it for that run only.
psql_admin -c "ALTER ROLE tillbook_owner CREATEROLE"
migrated=0
DATABASE_URL="$owner_url" "$server" migrate || migrated=$?
psql_admin -c "ALTER ROLE tillbook_owner NOCREATEROLE"
[ "$migrated" -eq 0 ] || exit "$migrated"
# The runtime role: a member of tillbook_app, nothing else.
as_postgres env DATABASE_URL="postgres://postgres@${host}:${port}/${database}" \
    TILLBOOK_RUNTIME_PASSWORD="$TILLBOOK_RUNTIME_PASSWORD" "$server" create-runtime-role --role tillbook_server
psql_admin -v database="$database" <<'SQL'
SELECT format('GRANT CONNECT ON DATABASE %I TO tillbook_owner, tillbook_server', :'database') \gexec
SQL

echo "migrate, import, create-owner, verify: DATABASE_URL=${owner_url%%:*}://tillbook_owner:…@${host}:${port}/${database}"
echo "serve (tillbook-server.env):           DATABASE_URL=${runtime_url%%:*}://tillbook_server:…@${host}:${port}/${database}"
