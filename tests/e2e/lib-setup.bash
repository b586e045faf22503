# tests/e2e/lib-setup.bash - the real host as `ocigate setup` finds it and
# must leave it, for tests/e2e/setup.bats: a lock shared by every suite that
# changes the host, what setup may touch, a snapshot of it (path, type,
# mode, owner, link target, SHA-256), a full copy to restore, and the
# cleanup of what an earlier run left.
#
# Load after lib-daemon (stop_pid).

# Suites that change the host take this lock (flock(1)) for their whole run.
HOST_LOCK=/tmp/ocigate-host.lock

# Everything `ocigate setup` may write on a host (the globs are expanded at
# each look: setup runtimes adds runc.distrib and crun.distrib).
SETUP_TOUCHES=(/etc/docker /etc/containers /etc/containerd /etc/crio /etc/ocigate /etc/subuid /etc/subgid
  '/usr/sbin/runc*' '/usr/bin/crun*' /var/lib/dpkg/diversions /var/lib/ocigate)
# Saved and restored too, but not compared by the tests: dockerd's
# userns-remap adds its dockremap user with useradd when it is missing.
SETUP_ALSO_SAVED=(/etc/passwd /etc/group /etc/shadow /etc/gshadow '/etc/passwd-' '/etc/group-' '/etc/shadow-'
  '/etc/gshadow-' '/etc/subuid-' '/etc/subgid-' /var/lib/dpkg/diversions-old)
# Of those, what is expected to change (dpkg-divert's backup of its
# database): restored without a word.
SETUP_QUIET=(/var/lib/dpkg/diversions-old)

# ------------------------------------------------------------------ lock

# host_lock DIR: hold HOST_LOCK until host_unlock DIR; nothing to do when
# a process above this one holds it (`flock HOST_LOCK bats ...`).  The
# lock is held by a process of its own (its PID in DIR/lock.pid), so that
# no daemon a test starts inherits it.
host_lock() {
  local dir=$1 ino holder p line
  : >>"$HOST_LOCK"
  ino=$(stat -c %i "$HOST_LOCK")
  while read -r holder; do
    p=$BASHPID
    while [ -n "$p" ] && [ "$p" -gt 1 ]; do
      [ "$p" = "$holder" ] && return 0
      p=$(awk '{print $4}' "/proc/$p/stat" 2>/dev/null)
    done
  done < <(awk -v i="$ino" '$2 == "FLOCK" { n = split($6, a, ":"); if (a[n] == i) print $5 }' /proc/locks)
  mkfifo "$dir/lock.fifo"
  # shellcheck disable=SC2016  # $$ is the inner shell's, which becomes the holder
  flock -w 900 "$HOST_LOCK" sh -c 'echo $$; exec sleep 86400' >"$dir/lock.fifo" 3>&- &
  read -r line <"$dir/lock.fifo" || true
  rm -f "$dir/lock.fifo"
  if [ -z "$line" ]; then
    echo "$HOST_LOCK: not locked within 900 s (another suite changes the host)" >&2
    return 1
  fi
  echo "$line" >"$dir/lock.pid"
}

host_unlock() {
  [ -f "$1/lock.pid" ] || return 0
  stop_pid "$(cat "$1/lock.pid")" 5
  rm -f "$1/lock.pid"
}

# loud PREFIX: standard input to bats' output (fd 3), each line after
# "# PREFIX: ", so that it shows beside the test results.
loud() {
  local line
  while IFS= read -r line; do echo "# $1: $line"; done >&3
}

# ------------------------------------------------------------ snapshot

# host_paths PATTERN...: the paths that exist now.
host_paths() {
  local p q
  for p in "$@"; do
    while IFS= read -r q; do
      if [ -e "$q" ] || [ -L "$q" ]; then echo "$q"; fi
    done < <(compgen -G "$p" || true)
  done
}

# host_tree [PATTERN...]: a line for every file, directory and link under
# the paths (default SETUP_TOUCHES): path, type, mode, owner, link target,
# and a regular file's SHA-256.
host_tree() {
  local path type mode owner link sum
  [ $# -gt 0 ] || set -- "${SETUP_TOUCHES[@]}"
  host_paths "$@" | while IFS= read -r path; do
    find "$path" -printf '%p\t%y\t%m\t%U:%G\t%l\n'
  done | sort | while IFS=$'\t' read -r path type mode owner link; do
    sum=-
    if [ "$type" = f ]; then sum=$(sha256sum <"$path" | cut -d' ' -f1); fi
    printf '%s %s %s %s %s %s\n' "$path" "$type" "$mode" "$owner" "${link:--}" "$sum"
  done
}

# assert_host_tree FILE: the host's tree is the one in FILE (a diff otherwise).
assert_host_tree() {
  local now
  now=$(host_tree)
  if [ "$now" != "$(cat "$1")" ]; then
    echo "the host's files differ from $1 (< then, > now):" >&2
    diff <(cat "$1") <(echo "$now") >&2
    return 1
  fi
}

# ocigate_diversions: the diversions dpkg-divert lists for the package ocigate.
ocigate_diversions() {
  dpkg-divert --list 2>/dev/null | awk '$NF == "ocigate"' || true
}

# host_save DIR: DIR/host.tar, a full copy of what setup may touch (and of
# SETUP_ALSO_SAVED), the paths it holds in DIR/paths; DIR/tree and
# DIR/also.tree, their snapshots; DIR/diversions, dpkg-divert --list.
host_save() {
  local dir=$1 rel=() p
  host_paths "${SETUP_TOUCHES[@]}" "${SETUP_ALSO_SAVED[@]}" >"$dir/paths"
  while IFS= read -r p; do rel+=("${p#/}"); done <"$dir/paths"
  tar -C / --xattrs --acls -cpf "$dir/host.tar" "${rel[@]}" || return 1
  host_tree >"$dir/tree"
  host_tree "${SETUP_ALSO_SAVED[@]}" >"$dir/also.tree"
  dpkg-divert --list | sort >"$dir/diversions"
}

# host_leftovers: what an earlier run of setup left (a journal, ocigate's
# diversions), one line each; nothing on a clean host.
host_leftovers() {
  if [ -e /var/lib/ocigate/setup/journal.json ]; then echo "journal /var/lib/ocigate/setup/journal.json"; fi
  ocigate_diversions
}

# remove_ocigate_diversions: dpkg-divert --package ocigate --rename --remove
# for each of ocigate's diversions; a link to ocigate in the diverted
# file's place goes first (the rename puts the real file back there).
remove_ocigate_diversions() {
  local from
  for from in $(ocigate_diversions | awk '{print $3}'); do
    if [ -L "$from" ] && [[ "$(readlink "$from")" == */ocigate-* ]]; then rm -f "$from"; fi
    dpkg-divert --package ocigate --rename --remove "$from" || return 1
  done
}

# host_undo OCIGATE ENGINE...: `ocigate setup --undo ENGINE...`, then
# remove what diversions remain.  Its output goes to standard output.
host_undo() {
  local og=$1
  shift
  "$og" setup --undo "$@" 2>&1
  remove_ocigate_diversions 2>&1
}

# host_restore DIR: give back, from DIR/host.tar, each path that was or is
# there (of SETUP_TOUCHES and SETUP_ALSO_SAVED) whose snapshot differs
# from the one host_save took, removing what was not there; each one is
# said on standard output (but those of SETUP_QUIET).  Status 1 when any
# (but those) needed it.
host_restore() {
  local dir=$1 p was now status=0
  while IFS= read -r p; do
    was=$(awk -v p="$p" 'index($1, p) == 1 && (length($1) == length(p) || substr($1, length(p) + 1, 1) == "/")' \
      "$dir/tree" "$dir/also.tree")
    now=$(host_tree "$p")
    [ "$was" = "$now" ] && continue
    if [[ " ${SETUP_QUIET[*]} " != *" $p "* ]]; then
      status=1
      echo "restoring $p: it differs from before the suite (< then, > now):"
      diff <(echo "$was") <(echo "$now") | sed 's/^/    /'
    fi
    # The copy is taken out of the archive before anything is removed.
    rm -rf "$dir/restore"
    mkdir "$dir/restore"
    if [ -n "$was" ] && ! tar -C "$dir/restore" --xattrs --acls -xpf "$dir/host.tar" "${p#/}"; then
      echo "cannot take $p out of $dir/host.tar: left as it is"
      continue
    fi
    rm -rf "$p"
    if [ -n "$was" ]; then cp -a "$dir/restore$p" "$p"; fi
  done < <({
    cat "$dir/paths"
    host_paths "${SETUP_TOUCHES[@]}" "${SETUP_ALSO_SAVED[@]}"
  } | sort -u)
  return "$status"
}
