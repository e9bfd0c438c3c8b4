package harness

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// ParseConcs parses a comma-separated list of concurrencies (1..1000).
func ParseConcs(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		v, err := strconv.Atoi(f)
		if err != nil || v < 1 || v > 1000 {
			return nil, fmt.Errorf("bad concurrency %q (want 1..1000)", f)
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, errors.New("empty list")
	}
	return out, nil
}

// ParseServers parses a comma-separated list of the servers to run, zest
// and/or dovecot, keeping the order given and dropping repeats.
func ParseServers(s string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(strings.ToLower(f))
		switch f {
		case "":
			continue
		case "zest", "dovecot":
			if !slices.Contains(out, f) {
				out = append(out, f)
			}
		default:
			return nil, fmt.Errorf("unknown server %q (want zest, dovecot)", f)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("empty list")
	}
	return out, nil
}

// JoinInts joins integers with commas, as ParseConcs reads them.
func JoinInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ",")
}

// CommandLine reconstructs the command that started this run. Under `go
// run` the binary lives in a temporary build dir, so it shows `go run <package
// dir>` instead, relative to the working directory (fallback when that cannot
// be worked out, e.g. "./bench/lmtp").
func CommandLine(fallback string) string {
	args := make([]string, 0, len(os.Args)+2)
	exe := os.Args[0]
	if strings.Contains(exe, "go-build") {
		pkg := fallback
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Path != "" && strings.HasPrefix(bi.Path, bi.Main.Path) {
			if root, err := ModuleRoot(context.Background()); err == nil {
				dir := filepath.Join(root, strings.TrimPrefix(bi.Path, bi.Main.Path))
				if wd, err := os.Getwd(); err == nil {
					if rel, err := filepath.Rel(wd, dir); err == nil {
						pkg = rel
						if !strings.HasPrefix(pkg, ".") {
							pkg = "./" + pkg
						}
					}
				}
			}
		}
		args = append(args, "go", "run", pkg)
	} else {
		args = append(args, exe)
	}
	for _, a := range os.Args[1:] {
		args = append(args, ShellQuote(a))
	}
	return strings.Join(args, " ")
}

// ShellQuote quotes s for a POSIX shell when it needs quoting.
func ShellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.,/=:@+%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// FSType names the filesystem holding path, for the few kinds that matter
// to an fsync benchmark.
func FSType(path string) string {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return "unknown"
	}
	switch uint64(st.Type) {
	case 0x01021994:
		return "tmpfs"
	case 0x858458f6:
		return "ramfs"
	case 0xef53:
		return "ext2/3/4"
	case 0x58465342:
		return "xfs"
	case 0x9123683e:
		return "btrfs"
	case 0x794c7630:
		return "overlayfs"
	case 0x2fc12fc1:
		return "zfs"
	case 0xf2f52010:
		return "f2fs"
	}
	return fmt.Sprintf("0x%x", uint64(st.Type))
}

// NoFsync reports whether the filesystem type from FSType ignores fsync.
func NoFsync(fs string) bool { return fs == "tmpfs" || fs == "ramfs" }
