#!/usr/bin/env bash
# Install the Debian packages listed in build/packages.txt that are missing. Idempotent and fast when
# everything is present (one dpkg-query call). Needs root (or sudo) only when something is missing.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mapfile -t wanted < <(grep -vE '^\s*(#|$)' "$here/packages.txt")
missing=()
installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${wanted[@]}" 2>/dev/null || true)
for p in "${wanted[@]}"; do
	grep -qx "$p installed" <<<"$installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "tessera: installing missing packages: ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists yet; refresh them at most once a day.
stamp=/var/lib/apt/periodic/update-success-stamp
if [ ! -d /var/lib/apt/lists ] || [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v lock)" ] ||
	[ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +1440 2>/dev/null)" ]; then
	$sudo apt-get update -qq >&2
	$sudo mkdir -p "$(dirname "$stamp")" && $sudo touch "$stamp"
fi
# lava-server's postinst creates its database, so PostgreSQL must be running while it installs; without
# systemd nothing starts it: install it first, start its clusters by hand, install lava-server, stop them.
late=()
for i in "${!missing[@]}"; do
	[ "${missing[$i]}" = lava-server ] && late=(lava-server) && unset "missing[$i]"
done
install() {
	if ! $sudo apt-get install -y -qq --no-install-recommends "$@" >&2; then
		echo "tessera: apt-get install failed; retrying after apt-get update" >&2
		$sudo apt-get update -qq >&2
		$sudo apt-get install -y -qq --no-install-recommends "$@" >&2
	fi
}
[ ${#missing[@]} -eq 0 ] || install "${missing[@]}"
if [ ${#late[@]} -ne 0 ]; then
	started=$(pg_lsclusters -h | awk '$4 != "online" { print $1 " " $2 }')
	while read -r ver cluster; do [ -n "$ver" ] && $sudo pg_ctlcluster "$ver" "$cluster" start; done <<<"$started"
	install "${late[@]}"
	while read -r ver cluster; do [ -n "$ver" ] && $sudo pg_ctlcluster "$ver" "$cluster" stop; done <<<"$started"
fi
