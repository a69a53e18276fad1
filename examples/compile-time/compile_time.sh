#!/bin/sh
# The compile time of a program that uses only tencentcloud-cvm and transport-std (main.rs
# here), for two trees of this repository side by side: `cargo build` from clean, and with
# the third-party dependencies built (our crates rebuilt: core, runtime, cvm, transport-std
# and the program), each measured ROUNDS times alternately; and the generated source size
# (services/cvm/src).
#
#   examples/compile-time/compile_time.sh BEFORE_TREE AFTER_TREE [ROUNDS]
#
# Each tree is a checkout (a git worktree) of this repository. Prints one line per build and
# the medians. Debug builds, as `cargo build` makes them; CARGO_INCREMENTAL as in the caller.
set -eu
before=$(cd "$1" && pwd); after=$(cd "$2" && pwd); rounds=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
work=${TMPDIR:-/tmp}/tencentcloud-compile-time
rm -rf "$work"; mkdir -p "$work"

project() { # NAME TREE: a program crate outside both workspaces
  mkdir -p "$work/$1/src"
  cp "$here/main.rs" "$work/$1/src/main.rs"
  cat > "$work/$1/Cargo.toml" <<TOML
[package]
name = "compile-time-$1"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
tencentcloud-cvm = { path = "$2/services/cvm" }
tencentcloud-transport-std = { path = "$2/transport-std", features = ["blocking"] }

[workspace]
TOML
  # The same third-party versions as the tree's own lock file.
  cp "$2/Cargo.lock" "$work/$1/Cargo.lock"
}

seconds() { # DIR ARGS...: wall seconds of cargo ARGS in DIR
  d=$1; shift
  start=$(date +%s.%N)
  (cd "$d" && cargo "$@" -q >/dev/null 2>&1) || { echo "cargo $* failed in $d" >&2; exit 1; }
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}

median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f", m}'; }

project before "$before"; project after "$after"
ours="-p tencentcloud-core -p tencentcloud-runtime -p tencentcloud-cvm -p tencentcloud-transport-std"
for name in before after; do (cd "$work/$name" && cargo fetch -q); done
for r in $(seq "$rounds"); do
  for name in before after; do
    d="$work/$name"
    rm -rf "$d/target"
    clean=$(seconds "$d" build)
    # shellcheck disable=SC2086
    (cd "$d" && cargo clean -q $ours -p "compile-time-$name")
    deps=$(seconds "$d" build)
    echo "round $r $name: from clean ${clean}s, with dependencies built ${deps}s"
    echo "$clean" >> "$work/$name.clean"; echo "$deps" >> "$work/$name.deps"
  done
done
for name in before after; do
  tree=$before; [ "$name" = after ] && tree=$after
  src=$(cat "$tree"/services/cvm/src/*.rs "$tree"/services/cvm/src/*/*.rs 2>/dev/null | wc -c)
  lines=$(cat "$tree"/services/cvm/src/*.rs "$tree"/services/cvm/src/*/*.rs 2>/dev/null | wc -l)
  echo "$name: from clean $(median < "$work/$name.clean")s, with dependencies built $(median < "$work/$name.deps")s (median of $rounds); services/cvm/src $src bytes, $lines lines"
done
c0=$(median < "$work/before.clean"); c1=$(median < "$work/after.clean")
d0=$(median < "$work/before.deps"); d1=$(median < "$work/after.deps")
echo "after/before: from clean $(echo "scale=3; $c1 / $c0" | bc), with dependencies built $(echo "scale=3; $d1 / $d0" | bc)"
