package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// zestServer is a zest built from this module, with its own config and data
// directory inside the benchmark's temp dir.
type zestServer struct {
	p    *process
	addr string
	bin  string
	cfg  string
}

// moduleRoot finds the directory of the go.mod that contains the working
// directory.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not inside a Go module: run this from the zest source tree")
	}
	return filepath.Dir(gomod), nil
}

func startZest(ctx context.Context, tmp string) (*zestServer, error) {
	root, err := moduleRoot(ctx)
	if err != nil {
		return nil, err
	}
	s := &zestServer{bin: filepath.Join(tmp, "zest"), cfg: filepath.Join(tmp, "zest.toml")}

	build := exec.CommandContext(ctx, "go", "build", "-o", s.bin, ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build -o %s . (in %s): %w\n%s", s.bin, root, err, indent(string(out)))
	}

	data := filepath.Join(tmp, "zest-data")
	if err := os.MkdirAll(data, 0o700); err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s.addr = fmt.Sprintf("127.0.0.1:%d", port)
	cfg := fmt.Sprintf("hostname = \"bench.local\"\ndata = %s\n\n[listen]\nlmtp = %s\n",
		strconv.Quote(data), strconv.Quote(s.addr))
	if err := os.WriteFile(s.cfg, []byte(cfg), 0o600); err != nil {
		return nil, err
	}

	actx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	add := exec.CommandContext(actx, s.bin, "--config", s.cfg, "user", "add", benchRcpt, "--password-stdin")
	add.Dir = tmp
	add.Stdin = strings.NewReader("bench-password\n")
	if out, err := add.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("zest --config %s user add %s --password-stdin: %w\n%s", s.cfg, benchRcpt, err, indent(string(out)))
	}

	cmd := exec.Command(s.bin, "serve", "--config", s.cfg)
	cmd.Dir = tmp
	p, err := startProcess("zest", filepath.Join(tmp, "zest.log"), cmd)
	if err != nil {
		return nil, fmt.Errorf("starting zest serve: %w", err)
	}
	s.p = p
	if err := waitListening(p, s.addr, 30*time.Second); err != nil {
		_ = p.stop(10 * time.Second)
		return nil, err
	}
	return s, nil
}

func indent(s string) string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return "    (no output)"
	}
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}
