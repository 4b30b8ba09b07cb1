#!/usr/bin/env bash
# Installs Go 1.23 and golang.org/x/sync (errgroup) from Debian when they are missing: the test
# command builds every example's generated Go program and compares its run with the simulator.
# Debian bookworm's own golang-go is 1.19; Go 1.21+ (context.AfterFunc, WithoutCancel, the Cause
# functions) comes from bookworm-backports, which this enables for the mirror apt already uses.
# Builds then work offline in GOPATH mode over /usr/share/gocode (see scripts/go-proof.sh).
set -euo pipefail

say() { printf 'setup: %s\n' "$*"; }
GO=/usr/lib/go-1.23/bin/go
ERRGROUP=/usr/share/gocode/src/golang.org/x/sync/errgroup/errgroup.go

if [ -x "$GO" ] && [ -f "$ERRGROUP" ]; then
  exit 0
fi

SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"

if [ ! -x "$GO" ]; then
  if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    # The mirror apt uses for bookworm (deb822 sources first, then the one-line format).
    mirror=$(awk '/^URIs:/ { uri = $2 } /^Suites:/ && / bookworm( |$)/ { print uri; exit }' \
      /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
    if [ -z "$mirror" ]; then
      mirror=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' \
        /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
    fi
    mirror=${mirror:-http://deb.debian.org/debian}
    say "enabling bookworm-backports from $mirror"
    printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$mirror" | $SUDO tee /etc/apt/sources.list.d/bookworm-backports.sources >/dev/null
  fi
  say "installing golang-1.23-go from bookworm-backports"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq -t bookworm-backports golang-1.23-go
fi

if [ ! -f "$ERRGROUP" ]; then
  say "installing golang-golang-x-sync-dev (errgroup)"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq golang-golang-x-sync-dev
fi

say "Go ready: $("$GO" version)"
