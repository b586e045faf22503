// runc_view: a config.json as runc reads it, for tests/cli/differential.bats.
//
// runc decodes config.json with encoding/json into the runtime-spec Go
// types (runc's loadSpec: json.NewDecoder(f).Decode(&spec)); this does the
// same, then prints the fields ocigate's rules judge in the canonical form
// ocigate_view.c prints: one line of JSON, keys in a fixed order, absent
// and null as the Go types hold them, every byte of a string outside
// printable ASCII as \u00XX.  A document runc refuses: the error on stderr,
// exit 2.
//
// Usage: runc_view CONFIG
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

type out struct{ strings.Builder }

func (o *out) raw(s string) { o.WriteString(s) }

func (o *out) str(s string) {
	o.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			o.WriteByte('\\')
			o.WriteByte(c)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(o, "\\u%04x", c)
		default:
			o.WriteByte(c)
		}
	}
	o.WriteByte('"')
}

func (o *out) key(k string) { o.str(k); o.raw(":") }

func (o *out) strs(l []string) {
	o.raw("[")
	for i, s := range l {
		if i > 0 {
			o.raw(",")
		}
		o.str(s)
	}
	o.raw("]")
}

func (o *out) strMap(m map[string]string) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	o.raw("{")
	for i, k := range keys {
		if i > 0 {
			o.raw(",")
		}
		o.key(k)
		o.str(m[k])
	}
	o.raw("}")
}

func (o *out) num(v interface{}) { fmt.Fprintf(o, "%d", v) }

func (o *out) bool(b bool) { fmt.Fprintf(o, "%t", b) }

// optional numbers: null when nil
func (o *out) i64p(p *int64) {
	if p == nil {
		o.raw("null")
	} else {
		o.num(*p)
	}
}

func (o *out) u64p(p *uint64) {
	if p == nil {
		o.raw("null")
	} else {
		o.num(*p)
	}
}

func (o *out) u32p(p *uint32) {
	if p == nil {
		o.raw("null")
	} else {
		o.num(*p)
	}
}

func (o *out) mappings(l []specs.LinuxIDMapping) {
	o.raw("[")
	for i, m := range l {
		if i > 0 {
			o.raw(",")
		}
		fmt.Fprintf(o, `{"containerID":%d,"hostID":%d,"size":%d}`, m.ContainerID, m.HostID, m.Size)
	}
	o.raw("]")
}

func (o *out) hooks(l []specs.Hook) {
	o.raw("[")
	for i, h := range l {
		if i > 0 {
			o.raw(",")
		}
		o.raw("{")
		o.key("path")
		o.str(h.Path)
		o.raw(",")
		o.key("args")
		o.strs(h.Args)
		o.raw(",")
		o.key("env")
		o.strs(h.Env)
		o.raw(",")
		o.key("timeout")
		if h.Timeout == nil {
			o.raw("null")
		} else {
			o.num(*h.Timeout)
		}
		o.raw("}")
	}
	o.raw("]")
}

func view(s *specs.Spec) string {
	var o out
	p := s.Process
	if p == nil {
		p = &specs.Process{}
	}
	o.raw("{")
	o.key("uid")
	o.num(p.User.UID)
	o.raw(",")
	o.key("gid")
	o.num(p.User.GID)
	o.raw(",")
	o.key("additionalGids")
	o.raw("[")
	for i, g := range p.User.AdditionalGids {
		if i > 0 {
			o.raw(",")
		}
		o.num(g)
	}
	o.raw("],")
	o.key("capabilities")
	if c := p.Capabilities; c == nil {
		o.raw("null")
	} else {
		o.raw("{")
		o.key("bounding")
		o.strs(c.Bounding)
		o.raw(",")
		o.key("effective")
		o.strs(c.Effective)
		o.raw(",")
		o.key("permitted")
		o.strs(c.Permitted)
		o.raw(",")
		o.key("inheritable")
		o.strs(c.Inheritable)
		o.raw(",")
		o.key("ambient")
		o.strs(c.Ambient)
		o.raw("}")
	}
	o.raw(",")
	o.key("noNewPrivileges")
	o.bool(p.NoNewPrivileges)
	o.raw(",")
	o.key("apparmorProfile")
	o.str(p.ApparmorProfile)
	o.raw(",")
	o.key("selinuxLabel")
	o.str(p.SelinuxLabel)
	o.raw(",")
	o.key("cwd")
	o.str(p.Cwd)
	o.raw(",")
	o.key("rlimits")
	o.raw("[")
	for i, r := range p.Rlimits {
		if i > 0 {
			o.raw(",")
		}
		o.raw("{")
		o.key("type")
		o.str(r.Type)
		o.raw(",")
		o.key("hard")
		o.num(r.Hard)
		o.raw(",")
		o.key("soft")
		o.num(r.Soft)
		o.raw("}")
	}
	o.raw("],")
	o.key("root")
	if s.Root == nil {
		o.raw("null")
	} else {
		o.raw("{")
		o.key("readonly")
		o.bool(s.Root.Readonly)
		o.raw("}")
	}
	o.raw(",")
	o.key("mounts")
	o.raw("[")
	for i, m := range s.Mounts {
		if i > 0 {
			o.raw(",")
		}
		o.raw("{")
		o.key("destination")
		o.str(m.Destination)
		o.raw(",")
		o.key("type")
		o.str(m.Type)
		o.raw(",")
		o.key("source")
		o.str(m.Source)
		o.raw(",")
		o.key("options")
		o.strs(m.Options)
		o.raw("}")
	}
	o.raw("],")
	o.key("annotations")
	o.strMap(s.Annotations)
	o.raw(",")
	o.key("hooks")
	if h := s.Hooks; h == nil {
		o.raw("null")
	} else {
		o.raw("{")
		o.key("prestart")
		o.hooks(h.Prestart)
		o.raw(",")
		o.key("createRuntime")
		o.hooks(h.CreateRuntime)
		o.raw(",")
		o.key("createContainer")
		o.hooks(h.CreateContainer)
		o.raw(",")
		o.key("startContainer")
		o.hooks(h.StartContainer)
		o.raw(",")
		o.key("poststart")
		o.hooks(h.Poststart)
		o.raw(",")
		o.key("poststop")
		o.hooks(h.Poststop)
		o.raw("}")
	}
	o.raw(",")
	o.key("linux")
	l := s.Linux
	if l == nil {
		o.raw("null}")
		return o.String()
	}
	o.raw("{")
	o.key("cgroupsPath")
	o.str(l.CgroupsPath)
	o.raw(",")
	o.key("namespaces")
	o.raw("[")
	for i, n := range l.Namespaces {
		if i > 0 {
			o.raw(",")
		}
		o.raw("{")
		o.key("type")
		o.str(string(n.Type))
		o.raw(",")
		o.key("path")
		o.str(n.Path)
		o.raw("}")
	}
	o.raw("],")
	o.key("uidMappings")
	o.mappings(l.UIDMappings)
	o.raw(",")
	o.key("gidMappings")
	o.mappings(l.GIDMappings)
	o.raw(",")
	o.key("seccomp")
	if sc := l.Seccomp; sc == nil {
		o.raw("null")
	} else {
		o.raw("{")
		o.key("defaultAction")
		o.str(string(sc.DefaultAction))
		o.raw(",")
		o.key("syscalls")
		o.raw("[")
		for i, c := range sc.Syscalls {
			if i > 0 {
				o.raw(",")
			}
			o.raw("{")
			o.key("names")
			o.strs(c.Names)
			o.raw(",")
			o.key("action")
			o.str(string(c.Action))
			o.raw("}")
		}
		o.raw("]}")
	}
	o.raw(",")
	o.key("maskedPaths")
	o.strs(l.MaskedPaths)
	o.raw(",")
	o.key("readonlyPaths")
	o.strs(l.ReadonlyPaths)
	o.raw(",")
	o.key("devices")
	o.raw("[")
	for i, d := range l.Devices {
		if i > 0 {
			o.raw(",")
		}
		o.raw("{")
		o.key("path")
		o.str(d.Path)
		o.raw(",")
		o.key("type")
		o.str(d.Type)
		o.raw(",")
		o.key("major")
		o.num(d.Major)
		o.raw(",")
		o.key("minor")
		o.num(d.Minor)
		o.raw(",")
		o.key("fileMode")
		if d.FileMode == nil {
			o.raw("null")
		} else {
			o.num(uint32(*d.FileMode))
		}
		o.raw(",")
		o.key("uid")
		o.u32p(d.UID)
		o.raw(",")
		o.key("gid")
		o.u32p(d.GID)
		o.raw("}")
	}
	o.raw("],")
	o.key("resources")
	if r := l.Resources; r == nil {
		o.raw("null")
	} else {
		o.raw("{")
		o.key("devices")
		o.raw("[")
		for i, d := range r.Devices {
			if i > 0 {
				o.raw(",")
			}
			o.raw("{")
			o.key("allow")
			o.bool(d.Allow)
			o.raw(",")
			o.key("type")
			o.str(d.Type)
			o.raw(",")
			o.key("major")
			o.i64p(d.Major)
			o.raw(",")
			o.key("minor")
			o.i64p(d.Minor)
			o.raw(",")
			o.key("access")
			o.str(d.Access)
			o.raw("}")
		}
		o.raw("],")
		o.key("memory")
		if m := r.Memory; m == nil {
			o.raw("null")
		} else {
			o.raw("{")
			o.key("limit")
			o.i64p(m.Limit)
			o.raw(",")
			o.key("reservation")
			o.i64p(m.Reservation)
			o.raw(",")
			o.key("swap")
			o.i64p(m.Swap)
			o.raw("}")
		}
		o.raw(",")
		o.key("pids")
		if pi := r.Pids; pi == nil {
			o.raw("null")
		} else {
			o.raw("{")
			o.key("limit")
			o.num(pi.Limit)
			o.raw("}")
		}
		o.raw(",")
		o.key("cpu")
		if c := r.CPU; c == nil {
			o.raw("null")
		} else {
			o.raw("{")
			o.key("shares")
			o.u64p(c.Shares)
			o.raw(",")
			o.key("quota")
			o.i64p(c.Quota)
			o.raw(",")
			o.key("period")
			o.u64p(c.Period)
			o.raw(",")
			o.key("cpus")
			o.str(c.Cpus)
			o.raw(",")
			o.key("mems")
			o.str(c.Mems)
			o.raw("}")
		}
		o.raw("}")
	}
	o.raw(",")
	o.key("sysctl")
	o.strMap(l.Sysctl)
	o.raw("}}")
	return o.String()
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: runc_view CONFIG")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	defer f.Close()
	var spec *specs.Spec
	if err := json.NewDecoder(f).Decode(&spec); err != nil {
		fmt.Fprintln(os.Stderr, "runc refuses:", err)
		os.Exit(2)
	}
	if spec == nil || spec.Process == nil {
		// runc: "process not set" / a nil spec is refused
		fmt.Fprintln(os.Stderr, "runc refuses: no process")
		os.Exit(2)
	}
	fmt.Println(view(spec))
}
