#!/bin/sh
# Keys for the compose stack's SFTP partner, written to deploy/keys/ (git-ignored, never committed):
# crossdock's client key pair, the SFTP server's host key, and known_hosts pinning that host key.
set -eu
cd "$(dirname "$0")"
mkdir -p keys
[ -f keys/crossdock_ed25519 ] || ssh-keygen -q -t ed25519 -N "" -C crossdock -f keys/crossdock_ed25519
[ -f keys/sftp_host_ed25519_key ] || ssh-keygen -q -t ed25519 -N "" -C sftp -f keys/sftp_host_ed25519_key
printf 'sftp %s\n' "$(cut -d' ' -f1,2 keys/sftp_host_ed25519_key.pub)" >keys/known_hosts
# the containers run as uid 10001 (crossdock) and read the client key
chmod 0644 keys/*.pub keys/known_hosts
echo "keys in $(pwd)/keys"
