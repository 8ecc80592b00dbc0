#!/usr/bin/env bash
# Head office's nightly backup (tillbook-backup.timer): a custom-format pg_dump of the whole
# database into $TILLBOOK_BACKUP_DIR, written beside and renamed so a half-written dump never
# has a final name, then dumps older than $TILLBOOK_BACKUP_DAYS days removed. The newest dump
# is never removed, whatever its age. Restore with deploy/README.md, "Restore".
#
#   DATABASE_URL=postgres://tillbook_owner:…@127.0.0.1:5432/tillbook deploy/backup.sh
set -euo pipefail

: "${DATABASE_URL:?set DATABASE_URL to the owner role or one that can read everything}"
folder="${TILLBOOK_BACKUP_DIR:-/var/backups/tillbook}"
days="${TILLBOOK_BACKUP_DAYS:-30}"
umask 077
mkdir -p "$folder"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
target="$folder/tillbook-$stamp.dump"
pg_dump --format=custom --compress=6 --no-owner --file="$target.partial" "$DATABASE_URL"
# A dump that does not list is no backup: check it before it takes the final name.
pg_restore --list "$target.partial" >/dev/null
mv "$target.partial" "$target"
echo "$target"
newest="$(ls -1t "$folder"/tillbook-*.dump | head -n 1)"
find "$folder" -maxdepth 1 -name 'tillbook-*.dump' -mtime "+$days" ! -path "$newest" -print -delete
