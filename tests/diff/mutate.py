#!/usr/bin/env python3
"""The mutation corpus of the differential test (tests/cli/differential.bats).

Usage: mutate.py OUTDIR FIXTURE...

Writes, for each fixture and each mutation below, OUTDIR/BASE.MUTATION.json:
the fixture (with process.user.uid 1000, so a key misread as absent shows
as UID 0) with one place changed in its text.  The mutations are the ways
JSON can be read differently: keys given twice, spelt in another case or
with escapes, NULs, halves of surrogate pairs, invalid UTF-8, numbers Go
and json-c read differently, null in place of objects and arrays, unknown
fields, a byte order mark, data after the document.
"""
import json
import os
import sys

MEMBERS = "@MEMBERS@"  # an object member replaced by raw text
VALUE = "@VALUE@"      # a value replaced by raw text

# (name, path of the object, raw members put in place of its member KEY)
# KEY is removed first; None keeps the object's members.
MEMBER_MUTATIONS = [
    ("uid-twice-0-last", ["process", "user"], "uid", '"uid": 1000, "uid": 0'),
    ("uid-twice-0-first", ["process", "user"], "uid", '"uid": 0, "uid": 1000'),
    ("uid-upper", ["process", "user"], "uid", '"UID": 0'),
    ("uid-title", ["process", "user"], "uid", '"Uid": 0'),
    ("uid-and-upper", ["process", "user"], "uid", '"uid": 1000, "UID": 0'),
    ("uid-nul-key", ["process", "user"], "uid", '"uid\\u0000": 1000'),
    ("uid-nul-key-and-uid", ["process", "user"], "uid", '"uid": 1000, "uid\\u0000": 0'),
    ("uid-escaped-key", ["process", "user"], "uid", '"\\u0075id": 1000'),
    ("uid-escaped-twice", ["process", "user"], "uid", '"uid": 1000, "\\u0075id": 0'),
    ("uid-dotless-i", ["process", "user"], "uid", '"u\u0131d": 0'),
    ("nnp-case", ["process"], "noNewPrivileges", '"noNewprivileges": true'),
    ("nnp-upper", ["process"], "noNewPrivileges", '"NoNewPrivileges": true'),
    ("nnp-twice", ["process"], "noNewPrivileges", '"noNewPrivileges": true, "noNewPrivileges": false'),
    ("cwd-twice", ["process"], "cwd", '"cwd": "/", "cwd": "/proc/self/fd/7"'),
    ("cwd-upper", ["process"], "cwd", '"Cwd": "/proc/self/fd/7"'),
    ("masked-kelvin", ["linux"], "maskedPaths", '"mas\\u212aedPaths": []'),
    ("masked-long-s", ["linux"], "maskedPaths", '"ma\u017fkedPaths": []'),
    ("mounts-upper", [], "mounts", '"Mounts": [{"destination": "/x", "type": "bind", "source": "/", "options": ["rbind"]}]'),
    ("caps-twice", ["process"], "capabilities", '"capabilities": {"bounding": []}, "capabilities": {"bounding": ["CAP_SYS_ADMIN"]}'),
    ("annotations-case", [], "annotations", '"annotations": {"a": "1", "A": "2"}'),
    ("annotations-nul-key", [], "annotations", '"annotations": {"run.oci.keep_original_groups\\u0000": "1"}'),
    ("annotations-twice", [], "annotations", '"annotations": {"a": "1", "a": "2"}'),
    ("sysctl-nul-key", ["linux"], "sysctl", '"sysctl": {"kernel.shm_rmid_forced\\u0000x": "1"}'),
    ("sysctl-case", ["linux"], "sysctl", '"sysctl": {"net.ipv4.ip_forward": "0", "NET.ipv4.ip_forward": "1"}'),
    ("cgroups-twice", ["linux"], "cgroupsPath", '"cgroupsPath": "/docker/x", "cgroupsPath": "/x"'),
    ("cgroups-upper", ["linux"], "cgroupsPath", '"CgroupsPath": "/x"'),
    ("rlimits-twice", ["process"], "rlimits", '"rlimits": [], "rlimits": [{"type": "RLIMIT_NPROC", "hard": 1, "soft": 1}]'),
    ("rlimits-upper", ["process"], "rlimits", '"Rlimits": [{"type": "RLIMIT_NPROC", "hard": 1, "soft": 1}]'),
    ("rlimit-hard-upper", ["process"], "rlimits", '"rlimits": [{"type": "RLIMIT_NOFILE", "Hard": 4194304, "soft": 1}]'),
    ("rlimit-type-upper", ["process"], "rlimits", '"rlimits": [{"Type": "RLIMIT_NOFILE", "hard": 1, "soft": 1}]'),
    ("rlimit-hard-twice", ["process"], "rlimits", '"rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1, "hard": 4194304, "soft": 1}]'),
    ("unknown-fields", ["process"], None, '"foo": 1, "Bar": {"uid": 0}'),
    ("unknown-linux", ["linux"], None, '"bar": {}, "namespace": []'),
    ("key-single-quotes", ["process", "user"], "uid", "'uid': 0"),
]

# (name, path of the value, raw text)
VALUE_MUTATIONS = [
    ("uid-1e3", ["process", "user", "uid"], "1e3"),
    ("uid-1.0", ["process", "user", "uid"], "1000.0"),
    ("uid-neg0", ["process", "user", "uid"], "-0"),
    ("uid-neg0.0", ["process", "user", "uid"], "-0.0"),
    ("uid-0e0", ["process", "user", "uid"], "0e0"),
    ("uid-2p32", ["process", "user", "uid"], "4294967296"),
    ("uid-2p64", ["process", "user", "uid"], "18446744073709551616"),
    ("uid-1e400", ["process", "user", "uid"], "1e400"),
    ("uid-neg1", ["process", "user", "uid"], "-1"),
    ("uid-string", ["process", "user", "uid"], '"1000"'),
    ("uid-null", ["process", "user", "uid"], "null"),
    ("uid-true", ["process", "user", "uid"], "true"),
    ("uid-leading-0", ["process", "user", "uid"], "-01"),
    ("uid-dot", ["process", "user", "uid"], "1."),
    ("uid-nan", ["process", "user", "uid"], "NaN"),
    ("uid-inf", ["process", "user", "uid"], "-Infinity"),
    ("gids-float", ["process", "user", "additionalGids"], "[1e0, 1000]"),
    ("gids-null-item", ["process", "user", "additionalGids"], "[null, 1000]"),
    ("apparmor-nul", ["process", "apparmorProfile"], '"unconfined\\u0000x"'),
    ("apparmor-nul-only", ["process", "apparmorProfile"], '"\\u0000"'),
    ("apparmor-surrogate-high", ["process", "apparmorProfile"], '"\\ud800"'),
    ("apparmor-surrogate-low", ["process", "apparmorProfile"], '"x\\udc00"'),
    ("apparmor-surrogate-pair", ["process", "apparmorProfile"], '"\\ud83d\\ude00"'),
    ("apparmor-overlong", ["process", "apparmorProfile"], b'"\xc0\xaf"'),
    ("apparmor-utf8-surrogate", ["process", "apparmorProfile"], b'"\xed\xa0\x80"'),
    ("apparmor-past-10ffff", ["process", "apparmorProfile"], b'"\xf4\x90\x80\x80"'),
    ("apparmor-ff", ["process", "apparmorProfile"], b'"\xff"'),
    ("apparmor-tab", ["process", "apparmorProfile"], '"a\tb"'),
    ("apparmor-escapes", ["process", "apparmorProfile"], '"\\u0075nconfined\\/\\t\\u00e9"'),
    ("selinux-nul", ["process", "selinuxLabel"], '"system_u:system_r:spc_t:s0\\u0000"'),
    ("cwd-nul", ["process", "cwd"], '"/tmp\\u0000/proc/self/fd/7"'),
    ("cwd-escaped", ["process", "cwd"], '"\\/proc\\/self\\/fd\\/7"'),
    ("readonly-null", ["root", "readonly"], "null"),
    ("readonly-string", ["root", "readonly"], '"true"'),
    ("nnp-null", ["process", "noNewPrivileges"], "null"),
    ("caps-null", ["process", "capabilities"], "null"),
    ("bounding-null", ["process", "capabilities", "bounding"], "null"),
    ("bounding-nul", ["process", "capabilities", "bounding"], '["CAP_CHOWN\\u0000CAP_SYS_ADMIN"]'),
    ("user-null", ["process", "user"], "null"),
    ("root-null", ["root"], "null"),
    ("linux-null", ["linux"], "null"),
    ("namespaces-null", ["linux", "namespaces"], "null"),
    ("namespaces-null-item", ["linux", "namespaces"], '[null, {"type": "pid"}]'),
    ("namespace-path-nul", ["linux", "namespaces"], '[{"type": "network", "path": "/proc/1/ns/net\\u0000x"}]'),
    ("seccomp-null", ["linux", "seccomp"], "null"),
    ("seccomp-nul-name", ["linux", "seccomp"], '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read\\u0000x"], "action": "SCMP_ACT_ALLOW"}]}'),
    ("masked-null", ["linux", "maskedPaths"], "null"),
    ("masked-null-item", ["linux", "maskedPaths"], '[null, "/proc/kcore"]'),
    ("masked-nul", ["linux", "maskedPaths"], '["/proc/kcore\\u0000x"]'),
    ("mounts-null", ["mounts"], "null"),
    ("mounts-null-item", ["mounts"], '[null]'),
    ("mount-dest-nul", ["mounts"], '[{"destination": "/x\\u0000", "type": "bind", "source": "/", "options": ["rbind"]}]'),
    ("mount-source-escaped", ["mounts"], '[{"destination": "\\/x", "type": "bind", "source": "\\/var\\/run\\/docker.sock", "options": ["rbind"]}]'),
    ("resources-null", ["linux", "resources"], "null"),
    ("memory-float", ["linux", "resources", "memory"], '{"limit": 1e9}'),
    ("memory-big", ["linux", "resources", "memory"], '{"limit": 9223372036854775808}'),
    ("memory-neg0", ["linux", "resources", "memory"], '{"limit": -0}'),
    ("pids-null", ["linux", "resources", "pids"], '{"limit": null}'),
    ("cpu-shares-neg", ["linux", "resources", "cpu"], '{"shares": -1}'),
    ("device-rule-float", ["linux", "resources", "devices"], '[{"allow": true, "type": "c", "major": 1.0, "access": "rwm"}]'),
    ("devices-filemode-big", ["linux", "devices"], '[{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 4294967296}]'),
    ("annotations-null", ["annotations"], "null"),
    ("sysctl-null", ["linux", "sysctl"], "null"),
    ("hooks-null", ["hooks"], "null"),
    ("cgroups-null", ["linux", "cgroupsPath"], "null"),
    ("cgroups-escaped", ["linux", "cgroupsPath"], '"\\/docker\\/x"'),
    ("cgroups-nul", ["linux", "cgroupsPath"], '"/docker\\u0000/../x"'),
    ("rlimits-null", ["process", "rlimits"], "null"),
    ("rlimit-null-item", ["process", "rlimits"], '[null]'),
    ("rlimit-hard-null", ["process", "rlimits"], '[{"type": "RLIMIT_NOFILE", "hard": null, "soft": 0}]'),
    ("rlimit-hard-max", ["process", "rlimits"], '[{"type": "RLIMIT_NOFILE", "hard": 18446744073709551615, "soft": 1}]'),
    ("rlimit-hard-2p64", ["process", "rlimits"], '[{"type": "RLIMIT_NOFILE", "hard": 18446744073709551616, "soft": 1}]'),
    ("rlimit-hard-float", ["process", "rlimits"], '[{"type": "RLIMIT_NOFILE", "hard": 1e3, "soft": 1}]'),
    ("rlimit-hard-neg", ["process", "rlimits"], '[{"type": "RLIMIT_NOFILE", "hard": -1, "soft": 1}]'),
    ("rlimit-hard-neg0", ["process", "rlimits"], '[{"type": "RLIMIT_NOFILE", "hard": -0, "soft": 0}]'),
    ("hooks-path-nul", ["hooks"], '{"prestart": [{"path": "/bin/true\\u0000x"}]}'),
]

# (name, function of the text) for the whole document
DOCUMENT_MUTATIONS = [
    ("bom", lambda t: b"\xef\xbb\xbf" + t),
    ("trailing-object", lambda t: t + b'{"process": {"user": {"uid": 0}}}'),
    ("trailing-comment", lambda t: t + b"// x\n"),
    ("trailing-nul", lambda t: t + b"\0"),
    ("leading-formfeed", lambda t: b"\x0c" + t),
]


def walk(doc, path):
    """The object at path, made where missing."""
    o = doc
    for k in path:
        if not isinstance(o.get(k), dict):
            o[k] = {}
        o = o[k]
    return o


def raw(text):
    return text if isinstance(text, bytes) else text.encode()


def main():
    out, fixtures = sys.argv[1], sys.argv[2:]
    os.makedirs(out, exist_ok=True)
    n = 0
    for fixture in fixtures:
        base = os.path.basename(fixture)[: -len(".json")]
        doc = json.load(open(fixture))
        walk(doc, ["process", "user"])["uid"] = 1000

        def write(name, text):
            nonlocal n
            with open(os.path.join(out, f"{base}.{name}.json"), "wb") as f:
                f.write(text)
            n += 1

        for name, path, key, members in MEMBER_MUTATIONS:
            d = json.loads(json.dumps(doc))
            o = walk(d, path)
            if key is not None:
                o.pop(key, None)
            o[MEMBERS] = 0
            text = json.dumps(d, indent=2).encode()
            write(name, text.replace(b'"' + MEMBERS.encode() + b'": 0', raw(members)))
        for name, path, value in VALUE_MUTATIONS:
            d = json.loads(json.dumps(doc))
            walk(d, path[:-1])[path[-1]] = VALUE
            text = json.dumps(d, indent=2).encode()
            write(name, text.replace(b'"' + VALUE.encode() + b'"', raw(value)))
        text = json.dumps(doc, indent=2).encode()
        for name, f in DOCUMENT_MUTATIONS:
            write(name, f(text))
    print(n)


if __name__ == "__main__":
    main()
