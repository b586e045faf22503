#!/usr/bin/env python3
"""Build the inputs of tests/cli/limits.bats: for every limit ocigate
enforces, one input at the limit and one just beyond it.

Usage: limits-gen.py BASE-CONFIG DEFAULT-POLICY OUTDIR SECCOMP-PROFILE

BASE-CONFIG is a config every shipped policy allows as is (helpers.bash's
compliant_config); DEFAULT-POLICY is policies/default.json; SECCOMP-PROFILE
a profile for the seccomp rule's fix to insert.  Written:

  OUTDIR/cfg/NAME.at/config.json, OUTDIR/cfg/NAME.over/config.json
      configs (each in a directory of its own: a bundle for the hook and the
      wrapper too)
  OUTDIR/pol/NAME.at.json, OUTDIR/pol/NAME.over.json
      policies
  OUTDIR/state/..., OUTDIR/process/..., OUTDIR/profile/..., OUTDIR/links/...
      OCI states, exec --process files, seccomp profiles, symbolic links

Nothing here knows what ocigate answers: limits.bats states that.
"""
import copy
import json
import os
import sys

MiB = 1024 * 1024
CONFIG_MAX = 16 * MiB      # OCIGATE_MAX_CONFIG_BYTES
POLICY_MAX = 1 * MiB       # OCIGATE_MAX_POLICY_BYTES
STATE_MAX = 1 * MiB        # OCIGATE_MAX_STATE_BYTES
PROFILE_MAX = 4 * MiB      # SECCOMP_MAX_PROFILE_BYTES
DEPTH_MAX = 64             # OCIGATE_MAX_JSON_DEPTH
CONTAINERS_MAX = 131072    # OCIGATE_MAX_JSON_CONTAINERS (objects and arrays)
VALUES_MAX = 1048576       # OCIGATE_MAX_JSON_VALUES (every value, the document's included)
LIST_MAX = 4096            # OCIGATE_MAX_LIST
MAPPINGS_MAX = 340         # OCIGATE_MAX_MAPPINGS
EXCEPTIONS_MAX = 1024      # OCIGATE_MAX_EXCEPTIONS
SC_SYSCALLS_MAX = 4096     # SECCOMP_MAX_SYSCALLS
SC_NAMES_MAX = 1024        # SECCOMP_MAX_NAMES
SC_ARGS_MAX = 6            # SECCOMP_MAX_ARGS
SC_ARCHES_MAX = 64         # SECCOMP_MAX_ARCHES
SC_FLAGS_MAX = 64          # SECCOMP_MAX_FLAGS
SC_RULES_MAX = 8192        # SECCOMP_MAX_RULES
SC_DENY_MAX = 1024         # SECCOMP_MAX_DENY
SYMLINKS_MAX = 40          # PATHUTIL_MAX_SYMLINKS
LOOKUPS_MAX = 16384        # PATHUTIL_LOOKUP_BUDGET
PATH_MAX = 4096            # a bind source is at most PATH_MAX - 1 bytes
ID_MAX = 4294967295

base_path, policy_path, out, profile_src = sys.argv[1:5]
BASE = json.load(open(base_path))
POLICY = json.load(open(policy_path))
POLICY_TEXT = open(policy_path, "rb").read()


def mkdir(*parts):
    d = os.path.join(out, *parts)
    os.makedirs(d, exist_ok=True)
    return d


def write(path, data):
    if isinstance(data, str):
        data = data.encode()
    with open(path, "wb") as f:
        f.write(data)


def config(name, tag, c):
    """c: a dict (dumped), or bytes/str written as they are."""
    d = mkdir("cfg", f"{name}.{tag}")
    write(os.path.join(d, "config.json"), c if isinstance(c, (bytes, str)) else json.dumps(c, indent=1))


def pair(name, make, at, over):
    """config NAME.at from make(at), NAME.over from make(over)."""
    for tag, n in (("at", at), ("over", over)):
        c = copy.deepcopy(BASE)
        make(c, n)
        config(name, tag, c)


def policy(name, tag, p):
    write(os.path.join(mkdir("pol"), f"{name}.{tag}.json"),
          p if isinstance(p, (bytes, str)) else json.dumps(p, indent=1))


def policy_pair(name, make, at, over):
    for tag, n in (("at", at), ("over", over)):
        p = copy.deepcopy(POLICY)
        make(p, n)
        policy(name, tag, p)


def exactly(n, build):
    """build(pad) -> bytes for a padding string; the result is n bytes."""
    probe = build("")
    data = build("a" * (n - len(probe)))
    assert len(data) == n, (len(data), n)
    return data


def nested(doc, depth, key="x"):
    """doc (a dict) as text with KEY holding arrays nested so that the
    document is DEPTH levels deep (the document itself is level 1)."""
    text = json.dumps(doc)
    assert text.endswith("}")
    return text[:-1] + f', "{key}": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"


def userns(c, uid_maps=1, gid_maps=1):
    c["linux"]["namespaces"].append({"type": "user"})
    for key, n in (("uidMappings", uid_maps), ("gidMappings", gid_maps)):
        c["linux"][key] = [{"containerID": i * 10, "hostID": 1000000 + i * 10, "size": 10} for i in range(n)]


# ---------------------------------------------------------------- configs

def sized_config(n):
    def build(pad):
        c = copy.deepcopy(BASE)
        c.setdefault("annotations", {})["io.example.pad"] = pad
        return json.dumps(c).encode()
    return exactly(n, build)


config("size", "at", sized_config(CONFIG_MAX))
config("size", "over", sized_config(CONFIG_MAX + 1))
config("depth", "at", nested(BASE, DEPTH_MAX))
config("depth", "over", nested(BASE, DEPTH_MAX + 1))



def counts(v):
    """(objects and arrays, values) of a JSON value, itself included."""
    if isinstance(v, dict):
        items = list(v.values())
    elif isinstance(v, list):
        items = v
    else:
        return 0, 1
    sub = [counts(x) for x in items]
    return 1 + sum(c for c, _ in sub), 1 + sum(n for _, n in sub)


# A key no runtime reads, holding as many items as make the document's
# count n: each {} is a container (and a value), each 0 a value.
def filler(item, which):
    def make(c, n):
        c["io.ocigate.filler"] = []
        c["io.ocigate.filler"] = [item] * (n - counts(c)[which])
    return make


pair("json-containers", filler({}, 0), CONTAINERS_MAX, CONTAINERS_MAX + 1)
pair("json-values", filler(0, 1), VALUES_MAX, VALUES_MAX + 1)

pair("gids", lambda c, n: c["process"]["user"].update(additionalGids=[1000 + i for i in range(n)]),
     LIST_MAX, LIST_MAX + 1)
for s in ("bounding", "effective", "inheritable", "permitted", "ambient"):
    pair(f"caps-{s}", lambda c, n, s=s: c["process"]["capabilities"].update({s: ["CAP_NET_BIND_SERVICE"] * n}),
         LIST_MAX, LIST_MAX + 1)
# Each namespace type may be given once: 4096 entries repeat one.
pair("namespaces", lambda c, n: c["linux"].update(
    namespaces=c["linux"]["namespaces"] + [{"type": "pid"}] * (n - len(c["linux"]["namespaces"]))),
    LIST_MAX, LIST_MAX + 1)
pair("uidmappings", lambda c, n: userns(c, uid_maps=n), MAPPINGS_MAX, MAPPINGS_MAX + 1)
pair("gidmappings", lambda c, n: userns(c, gid_maps=n), MAPPINGS_MAX, MAPPINGS_MAX + 1)
pair("mounts", lambda c, n: c["mounts"].extend(
    {"destination": f"/mnt/{i}", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev"]}
    for i in range(n - len(c["mounts"]))), LIST_MAX, LIST_MAX + 1)
pair("mount-options", lambda c, n: c["mounts"].append(
    {"destination": "/mnt", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid"] * n}),
    LIST_MAX, LIST_MAX + 1)
pair("devices", lambda c, n: c["linux"].update(
    devices=[{"path": "/dev/null", "type": "c", "major": 1, "minor": 3, "fileMode": 438}] * n),
    LIST_MAX, LIST_MAX + 1)
pair("cgroup-devices", lambda c, n: c["linux"]["resources"].update(
    devices=[{"allow": False, "access": "rwm"}] * n), LIST_MAX, LIST_MAX + 1)
pair("masked", lambda c, n: c["linux"].update(maskedPaths=c["linux"]["maskedPaths"] + [
    f"/proc/ocigate-limit-{i}" for i in range(n - len(c["linux"]["maskedPaths"]))]), LIST_MAX, LIST_MAX + 1)
pair("readonly", lambda c, n: c["linux"].update(readonlyPaths=c["linux"]["readonlyPaths"] + [
    f"/proc/ocigate-limit-{i}" for i in range(n - len(c["linux"]["readonlyPaths"]))]), LIST_MAX, LIST_MAX + 1)
# Keys the policy "sysctls" (below) allows.
pair("sysctl", lambda c, n: c["linux"].update(sysctl={f"net.ipv4.conf.c{i}.forwarding": "0" for i in range(n)}),
     LIST_MAX, LIST_MAX + 1)
pair("rlimits", lambda c, n: c["process"].update(rlimits=[{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}] * n),
     LIST_MAX, LIST_MAX + 1)


def bind(dest, source):
    return {"destination": dest, "type": "bind", "source": source, "options": ["rbind", "ro"]}


# A bind source of PATH_MAX - 1 bytes, and one byte more.
pair("mount-source", lambda c, n: c["mounts"].append(bind("/mnt", "/" + "a" * (n - 1))), PATH_MAX - 1, PATH_MAX)

# A chain of symbolic links: links/l1 -> /etc, links/lK -> links/l(K-1).
links = mkdir("links")
prev = "/etc"
for k in range(1, SYMLINKS_MAX + 2):
    lk = os.path.join(links, f"l{k}")
    if os.path.lexists(lk):
        os.unlink(lk)
    os.symlink(prev, lk)
    prev = lk
pair("symlinks", lambda c, n: c["mounts"].append(bind("/mnt", os.path.join(links, f"l{n}"))),
     SYMLINKS_MAX, SYMLINKS_MAX + 1)


# Path lookups: under the policy "lookups" (sensitive: ["/"], which costs
# none) each "/etc/.." costs one lstat(2) and the final "/etc" one more.
# 32 binds of 512 lookups are the budget; one more bind of /etc passes it.
def lookups(c, extra):
    per = LOOKUPS_MAX // 32
    c["mounts"].extend(bind(f"/mnt/l{k}", "/etc/.." * (per - 1) + "/etc") for k in range(32))
    if extra:
        c["mounts"].append(bind("/mnt/last", "/etc"))


pair("lookups", lookups, False, True)

# IDs: 0..4294967295.
for name, path in (("uid", ("process", "user", "uid")), ("gid", ("process", "user", "gid"))):
    for tag, v in (("at", ID_MAX), ("over", ID_MAX + 1)):
        c = copy.deepcopy(BASE)
        c[path[0]][path[1]][path[2]] = v
        config(name, tag, c)
    for tag, v in (("at", 0), ("over", -1)):
        c = copy.deepcopy(BASE)
        c[path[0]][path[1]][path[2]] = v
        config(f"{name}-low", tag, c)
pair("additional-gid", lambda c, n: c["process"]["user"].update(additionalGids=[1000, n]), ID_MAX, ID_MAX + 1)
for field in ("containerID", "hostID", "size"):
    def set_field(c, n, field=field):
        userns(c)
        c["linux"]["uidMappings"][0][field] = n
    pair(f"mapping-{field}", set_field, ID_MAX, ID_MAX + 1)


# hostID + size at most 4294967295 (the last host ID it reaches is then
# 4294967294; the kernel keeps 4294967295, (uid_t) -1, unmapped).
def mapping_end(c, end):
    userns(c)
    c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": end - 65536, "size": 65536}]


pair("mapping-end", mapping_end, ID_MAX, ID_MAX + 1)

# Seccomp profiles (linux.seccomp): past a limit, a deny finding.
SECCOMP = BASE["linux"]["seccomp"]
ALLOWED = SECCOMP["syscalls"][0]["names"]  # Docker's own allow list
assert SECCOMP["syscalls"][0]["action"] == "SCMP_ACT_ALLOW" and len(ALLOWED) > 100


def names(n):
    return [ALLOWED[i % len(ALLOWED)] for i in range(n)]


def seccomp(**kw):
    def make(c, n):
        c["linux"]["seccomp"].update({k: v(n) for k, v in kw.items()})
    return make


pair("seccomp-syscalls", seccomp(syscalls=lambda n: [{"names": [x], "action": "SCMP_ACT_ALLOW"} for x in names(n)]),
     SC_SYSCALLS_MAX, SC_SYSCALLS_MAX + 1)
pair("seccomp-names", seccomp(syscalls=lambda n: SECCOMP["syscalls"] + [{"names": names(n), "action": "SCMP_ACT_ALLOW"}]),
     SC_NAMES_MAX, SC_NAMES_MAX + 1)
pair("seccomp-args", seccomp(syscalls=lambda n: SECCOMP["syscalls"] + [{
    "names": ["personality"], "action": "SCMP_ACT_ALLOW",
    "args": [{"index": i % 6, "value": i, "op": "SCMP_CMP_EQ"} for i in range(n)]}]),
    SC_ARGS_MAX, SC_ARGS_MAX + 1)
pair("seccomp-architectures", seccomp(architectures=lambda n: ["SCMP_ARCH_X86_64"] * n), SC_ARCHES_MAX, SC_ARCHES_MAX + 1)
pair("seccomp-flags", seccomp(flags=lambda n: ["SECCOMP_FILTER_FLAG_LOG"] * n), SC_FLAGS_MAX, SC_FLAGS_MAX + 1)
# 8 entries of 1024 names: 8192 rules; one more name passes the limit.
pair("seccomp-rules", seccomp(syscalls=lambda n: [{"names": names(SC_NAMES_MAX), "action": "SCMP_ACT_ALLOW"}] * 8
                              + [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}] * (n - SC_RULES_MAX)),
     SC_RULES_MAX, SC_RULES_MAX + 1)

# ---------------------------------------------------------------- policies

policy("size", "at", POLICY_TEXT + b" " * (POLICY_MAX - len(POLICY_TEXT)))
policy("size", "over", POLICY_TEXT + b" " * (POLICY_MAX + 1 - len(POLICY_TEXT)))
policy("depth", "at", nested(POLICY, DEPTH_MAX))
policy("depth", "over", nested(POLICY, DEPTH_MAX + 1))
policy_pair("exceptions", lambda p, n: p.update(exceptions=[
    {"match": {"id": f"limits-{i}"}, "rules": ["user.root"], "reason": f"limits {i}"} for i in range(n)]),
    EXCEPTIONS_MAX, EXCEPTIONS_MAX + 1)
policy_pair("mounts-sensitive", lambda p, n: p["rules"]["mounts"].update(
    sensitive=[f"/srv/limits/{i}" for i in range(n)]), LIST_MAX, LIST_MAX + 1)
policy_pair("devices-allow", lambda p, n: p["rules"]["devices"].update(allow=["/dev/null"] * n), LIST_MAX, LIST_MAX + 1)
policy_pair("masked-masked", lambda p, n: p["rules"]["maskedPaths"].update(masked=["/proc/kcore"] * n),
            LIST_MAX, LIST_MAX + 1)
policy_pair("masked-readonly", lambda p, n: p["rules"]["maskedPaths"].update(readonly=["/proc/sys"] * n),
            LIST_MAX, LIST_MAX + 1)
policy_pair("sysctls-allow", lambda p, n: p["rules"]["sysctls"].update(allow=["net.ipv4.conf.*"] * n),
            LIST_MAX, LIST_MAX + 1)
policy_pair("cgroupsPath-allow", lambda p, n: p["rules"]["cgroupsPath"].update(allow=["/docker"] * n),
            LIST_MAX, LIST_MAX + 1)
policy_pair("seccomp-deny", lambda p, n: p["rules"]["seccomp"].update(deny=["bpf"] * n), SC_DENY_MAX, SC_DENY_MAX + 1)

# Policies the config cases are judged under.
p = copy.deepcopy(POLICY)
p["rules"]["sysctls"]["allow"] = ["net.ipv4.conf.*"]
policy("sysctls", "use", p)
p = copy.deepcopy(POLICY)
p["rules"]["mounts"]["sensitive"] = ["/"]
policy("lookups", "use", p)

# The profile seccomp's fix inserts, padded with blanks.
text = open(profile_src, "rb").read()
d = mkdir("profile")
write(os.path.join(d, "at.json"), text + b" " * (PROFILE_MAX - len(text)))
write(os.path.join(d, "over.json"), text + b" " * (PROFILE_MAX + 1 - len(text)))
for tag in ("at", "over"):
    p = copy.deepcopy(POLICY)
    p["rules"]["seccomp"] = {"action": "fix", "profile": os.path.join(d, f"{tag}.json")}
    policy("profile", tag, p)

# ------------------------------------------------ OCI states, exec processes

d = mkdir("state")
config("base", "at", BASE)  # a bundle the default policy allows
bundle = os.path.join(out, "cfg", "base.at")
st = {"ociVersion": "1.0.2", "id": "limits", "status": "creating", "bundle": bundle}
text = json.dumps(st)
write(os.path.join(d, "size.at.json"), text + " " * (STATE_MAX - len(text)))
write(os.path.join(d, "size.over.json"), text + " " * (STATE_MAX + 1 - len(text)))
write(os.path.join(d, "depth.at.json"), nested(st, DEPTH_MAX, "annotations"))
write(os.path.join(d, "depth.over.json"), nested(st, DEPTH_MAX + 1, "annotations"))
write(os.path.join(d, "huge.json"), text + " " * (3 * STATE_MAX))

d = mkdir("process")
for tag, n in (("at", CONFIG_MAX), ("over", CONFIG_MAX + 1)):
    def build(pad):
        proc = copy.deepcopy(BASE["process"])
        proc["env"] = proc.get("env", []) + ["PAD=" + pad]
        return json.dumps(proc).encode()
    write(os.path.join(d, f"size.{tag}.json"), exactly(n, build))
