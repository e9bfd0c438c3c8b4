package harness

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

// The one account both servers get, and the sender of the test messages.
const (
	BenchUser     = "bench@bench.local"
	BenchPassword = "bench-password"
	BenchSender   = "sender@example.org"
)

// Zest is a zest built from this module, with its own config and data
// directory inside the benchmark's temp dir.
type Zest struct {
	P        *Process // nil until Serve
	Bin      string
	Cfg      string
	addrs    map[string]string
	services []string
	tmp      string
}

// Addr is the "127.0.0.1:port" of a [listen] service given to StartZest.
func (z *Zest) Addr(service string) string { return z.addrs[service] }

// ModuleRoot finds the directory of the go.mod that contains the working
// directory.
func ModuleRoot(ctx context.Context) (string, error) {
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

// ZestConfig renders the config file: the hostname, the data directory and
// one [listen] line per service, in the order given.
func ZestConfig(data string, services []string, addrs map[string]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "hostname = \"bench.local\"\ndata = %s\n\n[listen]\n", strconv.Quote(data))
	for _, s := range services {
		fmt.Fprintf(&b, "%s = %s\n", s, strconv.Quote(addrs[s]))
	}
	return b.String()
}

// StartZest builds zest (`go build -o <tmp>/zest .` in the module root),
// writes <tmp>/zest.toml with a free 127.0.0.1 port for each [listen]
// service named (e.g. "lmtp", "imap"), adds BenchUser with `user add
// --password-stdin`, starts `zest serve` and waits until the first service
// accepts connections. The other services are not waited for: the caller
// checks them (a zest that does not have one yet ignores its listen line).
func StartZest(ctx context.Context, tmp string, services ...string) (*Zest, error) {
	z, err := PrepareZest(ctx, tmp, services...)
	if err != nil {
		return nil, err
	}
	if err := z.Serve(); err != nil {
		return nil, err
	}
	return z, nil
}

// PrepareZest is StartZest without starting the server: the store exists
// with BenchUser in it, so that a benchmark can load mail into it (Admin
// "import") before Serve.
func PrepareZest(ctx context.Context, tmp string, services ...string) (*Zest, error) {
	if len(services) == 0 {
		return nil, errors.New("StartZest: no service to listen on")
	}
	root, err := ModuleRoot(ctx)
	if err != nil {
		return nil, err
	}
	s := &Zest{Bin: filepath.Join(tmp, "zest"), Cfg: filepath.Join(tmp, "zest.toml"), addrs: map[string]string{}, services: services, tmp: tmp}

	build := exec.CommandContext(ctx, "go", "build", "-o", s.Bin, ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build -o %s . (in %s): %w\n%s", s.Bin, root, err, Indent(string(out)))
	}

	data := filepath.Join(tmp, "zest-data")
	if err := os.MkdirAll(data, 0o700); err != nil {
		return nil, err
	}
	for _, svc := range services {
		port, err := FreePort()
		if err != nil {
			return nil, err
		}
		s.addrs[svc] = fmt.Sprintf("127.0.0.1:%d", port)
	}
	if err := os.WriteFile(s.Cfg, []byte(ZestConfig(data, services, s.addrs)), 0o600); err != nil {
		return nil, err
	}

	actx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if _, err := s.Admin(actx, BenchPassword+"\n", "user", "add", BenchUser, "--password-stdin"); err != nil {
		return nil, err
	}
	return s, nil
}

// Admin runs `zest --config <cfg> ARGS...` with stdin and returns its
// output; the error includes the output.
func (z *Zest) Admin(ctx context.Context, stdin string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, z.Bin, append([]string{"--config", z.Cfg}, args...)...)
	cmd.Dir = z.tmp
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("zest --config %s %s: %w\n%s", z.Cfg, strings.Join(args, " "), err, Indent(string(out)))
	}
	return string(out), nil
}

// Serve starts `zest serve` and waits until the first service accepts
// connections.
func (z *Zest) Serve() error {
	cmd := exec.Command(z.Bin, "serve", "--config", z.Cfg)
	cmd.Dir = z.tmp
	p, err := StartProcess("zest", filepath.Join(z.tmp, "zest.log"), cmd)
	if err != nil {
		return fmt.Errorf("starting zest serve: %w", err)
	}
	z.P = p
	if err := WaitListening(p, z.addrs[z.services[0]], 30*time.Second); err != nil {
		_ = p.Stop(10 * time.Second)
		return err
	}
	return nil
}

// Indent indents command output for an error message.
func Indent(s string) string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return "    (no output)"
	}
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}
