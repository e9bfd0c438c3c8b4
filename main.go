// Command zest is a single-binary mail server: SMTP and LMTP delivery into
// an embedded store, with every administrative task on the same command.
//
//	zest serve [--config FILE]
//	zest [--config FILE] user|alias|domain|import ...
//	zest [--config FILE] restore FILE
//	zest version
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"sync"
	"syscall"
	"time"
	// The zone database inside the binary: a minimal system (a board
	// without the tzdata package) can still name its timezone.
	_ "time/tzdata"

	"golang.org/x/term"

	"zest/imap"
	"zest/sieve"
	"zest/sieve/managesieve"
	"zest/smtp"
	"zest/storage"
	"zest/web"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

const usage = `zest: a mail server in one binary

usage:
  zest serve [--config FILE]     run the server (without a config: loopback ports, data in ./zest-data)
  zest [--config FILE] COMMAND   administer the server (running or not)
  zest [--config FILE] restore FILE
                                 load a backup (downloaded from the web page) into an empty data directory
  zest version

commands:
` + adminUsage + `

The configuration file is described in docs/configuration.md.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	configPath, args, err := extractFlag(args, "config")
	if err != nil {
		fmt.Fprintf(stderr, "zest: %v\n", err)
		return 2
	}
	passwordStdin := false
	args = removeFlag(args, "password-stdin", &passwordStdin)
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stderr, usage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	if args[0] == "version" {
		fmt.Fprintf(stdout, "zest %s (%s)\n", version, buildInfo())
		return 0
	}
	cfg, err := loadConfigOrDefault(configPath)
	if err != nil {
		fmt.Fprintf(stderr, "zest: %v\n", err)
		return 1
	}
	switch {
	case args[0] == "serve":
		if len(args) != 1 {
			fmt.Fprintf(stderr, "zest: serve takes no arguments besides --config\n")
			return 2
		}
		if err := serve(cfg, configPath, stdout); err != nil {
			fmt.Fprintf(stderr, "zest: %v\n", err)
			return 1
		}
		return 0
	case args[0] == "restore":
		if len(args) != 2 {
			fmt.Fprintf(stderr, "zest: usage: zest [--config FILE] restore BACKUP-FILE\n")
			return 2
		}
		msg, err := restore(cfg, args[1])
		if err != nil {
			fmt.Fprintf(stderr, "zest: %v\n", err)
			return 1
		}
		fmt.Fprint(stdout, msg)
		return 0
	case isSieveCheck(args):
		out, err := runSieveCheck(args)
		fmt.Fprint(stdout, out)
		if err != nil {
			fmt.Fprintf(stderr, "zest: %v\n", err)
			if errors.Is(err, errUsage) {
				return 2
			}
			return 1
		}
		return 0
	case isAdminCommand(args):
		if err := absImportPath(args); err != nil {
			fmt.Fprintf(stderr, "zest: %v\n", err)
			return 1
		}
		req := adminRequest{Args: args}
		if err := loadSieveFile(&req); err != nil {
			fmt.Fprintf(stderr, "zest: %v\n", err)
			return 1
		}
		if needsPassword(args) {
			pw, err := readPassword(stdin, stderr, passwordStdin)
			if err != nil {
				fmt.Fprintf(stderr, "zest: %v\n", err)
				return 1
			}
			req.Password = pw
		}
		out, err := admin(cfg, req)
		fmt.Fprint(stdout, out)
		if err != nil {
			fmt.Fprintf(stderr, "zest: %v\n", err)
			if errors.Is(err, errUsage) {
				fmt.Fprint(stderr, "\ncommands:\n"+adminUsage+"\n")
				return 2
			}
			return 1
		}
		return 0
	}
	fmt.Fprintf(stderr, "zest: unknown command %q\n\n%s", args[0], usage)
	return 2
}

func loadConfigOrDefault(path string) (Config, error) {
	if path != "" {
		return LoadConfig(path)
	}
	cfg := DefaultConfig()
	abs, err := filepath.Abs(cfg.Data)
	if err != nil {
		return cfg, err
	}
	cfg.Data = abs
	return cfg, cfg.Validate()
}

// extractFlag removes --name VALUE or --name=VALUE (one or two dashes) from
// anywhere in args, so "zest --config f user list" and "zest serve --config f"
// both work.
func extractFlag(args []string, name string) (string, []string, error) {
	var value string
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			out = append(out, args[i:]...)
			break
		}
		flag := strings.TrimLeft(a, "-")
		if len(a)-len(flag) < 1 || len(a)-len(flag) > 2 {
			out = append(out, a)
			continue
		}
		switch {
		case flag == name:
			if i+1 >= len(args) {
				return "", nil, fmt.Errorf("--%s needs a value", name)
			}
			value = args[i+1]
			i++
		case strings.HasPrefix(flag, name+"="):
			value = flag[len(name)+1:]
		default:
			out = append(out, a)
		}
	}
	return value, out, nil
}

// removeFlag removes a boolean --name from args and records whether it was there.
func removeFlag(args []string, name string, set *bool) []string {
	out := args[:0:0]
	for _, a := range args {
		if a == "--"+name || a == "-"+name {
			*set = true
			continue
		}
		out = append(out, a)
	}
	return out
}

// readPassword reads a password from stdin: the first line when
// --password-stdin is given (scripts), or after a prompt with echo off when
// stdin is a terminal.
func readPassword(stdin io.Reader, stderr io.Writer, fromStdin bool) (string, error) {
	if f, ok := stdin.(*os.File); ok && !fromStdin && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stderr, "Password: ")
		pw, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		fmt.Fprint(stderr, "Again: ")
		again, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if string(pw) != string(again) {
			return "", errors.New("the passwords differ")
		}
		return string(pw), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", errors.New("no password on standard input (use --password-stdin and pipe it in)")
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", errors.New("empty password")
	}
	return pw, nil
}

// admin runs an administrative command through a running server's control
// socket, or on the store directly when no server runs.
func admin(cfg Config, req adminRequest) (string, error) {
	resp, err := callControl(cfg.Data, req)
	if err == nil {
		if resp.Error != "" {
			if resp.Usage {
				return resp.Output, fmt.Errorf("%w: %s", errUsage, strings.TrimPrefix(resp.Error, "usage: "))
			}
			return resp.Output, errors.New(resp.Error)
		}
		return resp.Output, nil
	}
	if !errors.Is(err, errNoServer) {
		return "", err
	}
	st, err := openStore(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return "", err
	}
	out, err := runAdmin(context.Background(), st, req)
	if cerr := st.Close(); err == nil && cerr != nil {
		err = cerr
	}
	return out, err
}

func openStore(cfg Config, log *slog.Logger) (*storage.Store, error) {
	if err := os.MkdirAll(cfg.Data, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	st, err := storage.Open(filepath.Join(cfg.Data, "db"), storage.Options{Logger: log})
	if err != nil {
		if strings.Contains(err.Error(), "Cannot acquire directory lock") {
			return nil, fmt.Errorf("the store in %s is in use by another process, and no server answers on %s", cfg.Data, controlSocketPath(cfg.Data))
		}
		return nil, err
	}
	return st, nil
}

// serve runs the server until SIGINT or SIGTERM.
func serve(cfg Config, configPath string, stdout io.Writer) error {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.Log.SlogLevel()}))
	if path := os.Getenv("ZEST_CPUPROFILE"); path != "" {
		// For performance work: a CPU profile of the whole run.
		f, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("ZEST_CPUPROFILE: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("ZEST_CPUPROFILE: %w", err)
		}
		defer func() {
			pprof.StopCPUProfile()
			f.Close()
		}()
	}
	tlsConfig, err := loadTLS(cfg)
	if err != nil {
		return err
	}
	stopMemory := returnMemory()
	defer stopMemory()
	st, err := openStore(cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()

	ctl, err := listenControl(cfg.Data, st, log)
	if err != nil {
		return err
	}
	defer ctl.Close()

	filter := sieve.NewDeliverer(st, log)
	filter.Host = cfg.Hostname
	filter.Environment = sieveEnvironment(cfg.Hostname)
	filter.Location, _ = cfg.Location() // checked when the configuration was loaded
	// The status page's delivery log: the last outcomes and today's
	// counts, days in the server's zone.
	journal := smtp.NewJournal(200, filter.Location)
	srv := smtp.NewServer(st, smtp.Config{
		Journal:         journal,
		Hostname:        cfg.Hostname,
		TLS:             tlsConfig,
		MaxMessageBytes: cfg.Limits.MaxMessageSize,
		MaxRecipients:   cfg.Limits.MaxRecipients,
		Logger:          log,
		Filter:          filter,
	})
	imapSrv := imap.NewServer(st, imap.Config{
		Hostname:   cfg.Hostname,
		TLS:        tlsConfig,
		MaxLiteral: cfg.Limits.MaxMessageSize,
		Logger:     log,
	})
	sieveSrv := managesieve.NewServer(st, managesieve.Config{
		Logger: log,
		TLS:    tlsConfig,
		Check: func(ctx context.Context, a storage.AccountID, src []byte) error {
			return checkSieveFor(ctx, st, a, src)
		},
		Capabilities:  sieve.Capabilities,
		NotifyMethods: sieve.NotifySchemes(sieve.Options{}),
		MaxRedirects:  sieve.DefaultMaxRedirects,
	})
	var listening listenerSet
	setupCode := ""
	if has, err := st.HasAdmin(context.Background()); err == nil && !has {
		setupCode = newSetupCode()
	}
	webSrv, err := web.NewServer(st, web.Config{
		Hostname:   cfg.Hostname,
		Version:    version,
		Started:    time.Now(),
		TLS:        webTLS(cfg, tlsConfig),
		SetupCode:  setupCode,
		Services:   web.ServicesFromListen(cfg.Hostname, listenMap(cfg.Listen)),
		Addresses:  publicAddresses(),
		Listeners:  listening.statuses,
		Deliveries: deliveryLog{journal},
		Logger:     log,
	})
	if err != nil {
		return err
	}
	services := map[string]func(net.Listener) error{
		"smtp":        srv.ServeSMTP,
		"lmtp":        srv.ServeLMTP,
		"imap":        imapSrv.Serve,
		"imaps":       imapSrv.ServeTLS,
		"managesieve": sieveSrv.Serve,
		"web":         webSrv.Serve,
	}
	errc := make(chan error, len(services))
	fmt.Fprintf(stdout, "zest %s: data in %s, hostname %s\n", version, cfg.Data, cfg.Hostname)
	for _, l := range cfg.Listen.Listeners() {
		if l.Addr == "" {
			continue
		}
		serveFn, ok := services[l.Key]
		if !ok {
			fmt.Fprintf(stdout, "  %-12s %s (not available in this version; ignored)\n", l.Key, l.Addr)
			continue
		}
		ln, err := net.Listen("tcp", l.Addr)
		if err != nil {
			srv.Shutdown(context.Background())
			imapSrv.Shutdown(context.Background())
			sieveSrv.Shutdown(context.Background())
			webSrv.Shutdown(context.Background())
			return fmt.Errorf("listen %s on %s: %w", l.Key, l.Addr, err)
		}
		fmt.Fprintf(stdout, "  %-12s %s\n", l.Key, ln.Addr())
		listening.add(l.Key, ln.Addr().String())
		go func() { errc <- listening.serve(l.Key, serveFn, ln) }()
	}
	cmd := "zest"
	if exe, err := os.Executable(); err == nil && strings.Contains(exe, string(filepath.Separator)+"go-build") {
		cmd = "go run ." // started by go run: the binary is in a temporary build directory
	}
	if configPath != "" {
		cmd += " --config " + configPath
	}
	fmt.Fprintf(stdout, "add a user with: %s user add you@%s --password-stdin\n", cmd, cfg.Hostname)
	if addr := listening.addr("web"); setupCode != "" && addr != "" {
		scheme := "https"
		if webTLS(cfg, tlsConfig) == nil {
			scheme = "http"
		}
		fmt.Fprintf(stdout, "first-run setup: open %s://%s/setup (from another machine, give the setup code %s)\n", scheme, addr, setupCode)
	}

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sig)
	var serveErr error
	select {
	case s := <-sig:
		log.Info("shutting down", "signal", s.String())
	case serveErr = <-errc:
		log.Error("listener failed", "err", serveErr)
	}
	// In-flight deliveries get time to finish; after that they are cut off
	// before their data is acknowledged, and the client retries.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for name, shutdown := range map[string]func(context.Context) error{"smtp": srv.Shutdown, "imap": imapSrv.Shutdown, "managesieve": sieveSrv.Shutdown, "web": webSrv.Shutdown} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := shutdown(ctx); err != nil {
				log.Warn("shutdown", "server", name, "err", err)
			}
		}()
	}
	wg.Wait()
	return serveErr
}

func buildInfo() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown build"
	}
	parts := []string{bi.GoVersion}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			parts = append(parts, s.Value[:12])
		}
	}
	return strings.Join(parts, ", ")
}

// returnMemory keeps the resident size close to what the server really
// uses, as a 1 GB board needs: the garbage collector runs at half the
// default heap growth (unless GOGC says otherwise), and memory freed after
// a burst (a mailbox sync, a large message) goes back to the system within a
// minute instead of staying with the process.
func returnMemory() (stop func()) {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				debug.FreeOSMemory()
			}
		}
	}()
	return func() { close(done) }
}

// sieveEnvironment is what the Sieve environment test (RFC 5183) reports
// about this server: its host name, the domain after the host's first
// label (the whole name if it has one label, as Pigeonhole does) and the
// version.
func sieveEnvironment(hostname string) sieve.Environment {
	domain := hostname
	if _, rest, ok := strings.Cut(hostname, "."); ok && rest != "" {
		domain = rest
	}
	return sieve.Environment{Host: hostname, Domain: domain, Version: version}
}
