package main

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"
)

// Config is the whole configuration of a zest server. Its `toml` tags are the
// keys of the configuration file; docs/configuration.md documents each one and
// config_test.go checks that the two agree.
type Config struct {
	// Hostname is this server's name: the SMTP greeting and EHLO name and the
	// name in the self-signed certificate.
	Hostname string `toml:"hostname"`
	// Timezone is the server's time zone, an IANA name such as
	// "Europe/Paris" ("" is UTC): Sieve's date tests use it when a script
	// names no zone (RFC 5260 §4.1).
	Timezone string `toml:"timezone"`
	// Data is the data directory (store, self-signed certificate, control
	// socket). LoadConfig makes it absolute, relative to the current directory.
	Data   string       `toml:"data"`
	Listen ListenConfig `toml:"listen"`
	TLS    TLSConfig    `toml:"tls"`
	Limits LimitsConfig `toml:"limits"`
	Log    LogConfig    `toml:"log"`
}

// ListenConfig holds one "host:port" address per service. An empty address
// turns that service off.
type ListenConfig struct {
	SMTP        string `toml:"smtp"`        // inbound MX, plain SMTP with STARTTLS
	Submission  string `toml:"submission"`  // message submission with STARTTLS and AUTH
	Submissions string `toml:"submissions"` // message submission over implicit TLS
	LMTP        string `toml:"lmtp"`        // local delivery from another MTA
	IMAP        string `toml:"imap"`        // IMAP with STARTTLS
	IMAPS       string `toml:"imaps"`       // IMAP over implicit TLS
	ManageSieve string `toml:"managesieve"` // ManageSieve with STARTTLS
	Web         string `toml:"web"`         // management web page and JSON API
}

// Listener is one entry of the [listen] table: its key and its address
// (empty when the service is off).
type Listener struct {
	Key  string
	Addr string
}

// Listeners returns every [listen] entry, enabled or not, in a fixed order.
func (l ListenConfig) Listeners() []Listener {
	return []Listener{
		{"smtp", l.SMTP},
		{"submission", l.Submission},
		{"submissions", l.Submissions},
		{"lmtp", l.LMTP},
		{"imap", l.IMAP},
		{"imaps", l.IMAPS},
		{"managesieve", l.ManageSieve},
		{"web", l.Web},
	}
}

// TLSConfig names the certificate and key (PEM files) served on every TLS
// listener. When both are empty, loadTLS uses a self-signed certificate kept in
// the data directory.
type TLSConfig struct {
	Cert string `toml:"cert"`
	Key  string `toml:"key"`
}

// LimitsConfig bounds what one client may make the server do.
type LimitsConfig struct {
	MaxMessageSize int64 `toml:"max_message_size"` // bytes
	MaxRecipients  int   `toml:"max_recipients"`   // per message
}

// LogConfig chooses how much the server logs.
type LogConfig struct {
	Level string `toml:"level"` // one of logLevels
}

// logLevels maps the accepted [log] level names to slog levels.
var logLevels = map[string]slog.Level{
	"debug": slog.LevelDebug,
	"info":  slog.LevelInfo,
	"warn":  slog.LevelWarn,
	"error": slog.LevelError,
}

// SlogLevel returns the slog level for l.Level, or slog.LevelInfo when the
// name is not one of debug, info, warn, error (Validate rejects those).
func (l LogConfig) SlogLevel() slog.Level {
	if lv, ok := logLevels[l.Level]; ok {
		return lv
	}
	return slog.LevelInfo
}

// defaultListen is what `zest serve` listens on without a config file: loopback
// only, unprivileged ports. A service is turned on by default by uncommenting
// its line once its server exists.
func defaultListen() ListenConfig {
	return ListenConfig{
		SMTP: "127.0.0.1:2525",
		LMTP: "127.0.0.1:2424",
		IMAP: "127.0.0.1:1143",
		// Submission:  "127.0.0.1:2587",
		ManageSieve: "127.0.0.1:4190",
		Web:         "127.0.0.1:8080",
	}
}

// DefaultConfig returns the embedded configuration that `zest serve` runs with
// when no config file is given. It always passes Validate.
func DefaultConfig() Config {
	return Config{
		Hostname: defaultHostname(),
		Data:     "./zest-data",
		Listen:   defaultListen(),
		Limits: LimitsConfig{
			MaxMessageSize: 50 << 20,
			MaxRecipients:  100,
		},
		Log: LogConfig{Level: "info"},
	}
}

// defaultHostname is the machine's host name in lower case, or "localhost"
// when the system has none or has one that is not a valid domain name.
func defaultHostname() string {
	h, err := os.Hostname()
	if err != nil {
		return "localhost"
	}
	h = strings.ToLower(h)
	if checkHostname(h) != nil {
		return "localhost"
	}
	return h
}

// LoadConfig reads the TOML file at path on top of DefaultConfig, except that
// the file is the whole truth about listeners: a [listen] key the file does not
// set is off. Unknown keys are errors. The result is validated; data and the
// TLS paths are made absolute relative to the current directory, and the
// hostname is lower-cased.
//
// Errors name the file and, where the parser knows it, the line (and column),
// e.g. `zest.toml:7: unknown key "listen.smpt" (did you mean "listen.smtp"?)`.
func LoadConfig(path string) (Config, error) {
	doc, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	cfg := DefaultConfig()
	cfg.Listen = ListenConfig{}
	dec := toml.NewDecoder(bytes.NewReader(doc)).DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		return Config{}, decodeError(path, err)
	}
	cfg.Hostname = strings.ToLower(cfg.Hostname)
	if err := cfg.Validate(); err != nil {
		return Config{}, prefixErrors(path, err)
	}
	for _, p := range []*string{&cfg.Data, &cfg.TLS.Cert, &cfg.TLS.Key} {
		if *p == "" {
			continue
		}
		abs, err := filepath.Abs(*p)
		if err != nil {
			return Config{}, fmt.Errorf("%s: %w", path, err)
		}
		*p = abs
	}
	return cfg, nil
}

// Location is the time zone Timezone names; UTC when it is empty.
func (c Config) Location() (*time.Location, error) {
	if c.Timezone == "" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return nil, errors.New("unknown time zone: give an IANA name such as \"Europe/Paris\", or \"UTC\"")
	}
	return loc, nil
}

// Validate reports every problem in c, one error per problem, joined. Each
// names the key it is about.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf(format, args...))
	}
	if err := checkHostname(c.Hostname); err != nil {
		bad("hostname = %q: %v", c.Hostname, err)
	}
	if c.Data == "" {
		bad("data: must name a directory")
	}
	if _, err := c.Location(); err != nil {
		bad("timezone = %q: %v", c.Timezone, err)
	}
	seen := map[string]string{}
	for _, l := range c.Listen.Listeners() {
		if l.Addr == "" {
			continue
		}
		port, err := checkListenAddr(l.Addr)
		if err != nil {
			bad("listen.%s = %q: %v", l.Key, l.Addr, err)
			continue
		}
		if other, dup := seen[l.Addr]; dup && port != 0 {
			bad("listen.%s = %q: same address as listen.%s", l.Key, l.Addr, other)
			continue
		}
		seen[l.Addr] = l.Key
	}
	switch {
	case c.TLS.Cert != "" && c.TLS.Key == "":
		bad("tls.cert is set but tls.key is not: give both, or neither for a self-signed certificate")
	case c.TLS.Key != "" && c.TLS.Cert == "":
		bad("tls.key is set but tls.cert is not: give both, or neither for a self-signed certificate")
	}
	if c.Limits.MaxMessageSize <= 0 {
		bad("limits.max_message_size = %d: must be a positive number of bytes", c.Limits.MaxMessageSize)
	}
	if c.Limits.MaxRecipients <= 0 {
		bad("limits.max_recipients = %d: must be positive", c.Limits.MaxRecipients)
	}
	if _, ok := logLevels[c.Log.Level]; !ok {
		bad("log.level = %q: must be one of \"debug\", \"info\", \"warn\", \"error\"", c.Log.Level)
	}
	return errors.Join(errs...)
}

// checkListenAddr checks a "host:port" listen address and returns its port.
// The host may be empty (every interface), a name or an IP address.
func checkListenAddr(addr string) (int, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		var ae *net.AddrError
		if errors.As(err, &ae) {
			return 0, fmt.Errorf("want host:port: %s", ae.Err)
		}
		return 0, err
	}
	if strings.ContainsAny(host, " \t") {
		return 0, errors.New("host contains a space")
	}
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return 0, fmt.Errorf("port %q is not a number from 0 to 65535", port)
	}
	return int(n), nil
}

// checkHostname accepts a domain name: dot-separated labels of ASCII letters,
// digits and hyphens, 1 to 63 characters each, not starting or ending with a
// hyphen, 253 characters in all. A single label (e.g. "localhost") is fine; an
// IP address is not.
func checkHostname(h string) error {
	switch {
	case h == "":
		return errors.New("must not be empty")
	case len(h) > 253:
		return errors.New("longer than 253 characters")
	case net.ParseIP(h) != nil:
		return errors.New("must be a domain name, not an IP address")
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" {
			return errors.New("has an empty label (leading, trailing or double dot)")
		}
		if len(label) > 63 {
			return fmt.Errorf("label %q is longer than 63 characters", label)
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Errorf("label %q starts or ends with a hyphen", label)
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return fmt.Errorf("label %q has %q: only letters, digits and hyphens are allowed", label, r)
			}
		}
	}
	return nil
}

// prefixErrors puts "path: " before each error that errors.Join joined into err.
func prefixErrors(path string, err error) error {
	var list []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	} else {
		list = []error{err}
	}
	out := make([]error, len(list))
	for i, e := range list {
		out[i] = fmt.Errorf("%s: %w", path, e)
	}
	return errors.Join(out...)
}

// decodeError turns a go-toml error into one that names the file, the line and
// the key, one line per problem.
func decodeError(path string, err error) error {
	var missing *toml.StrictMissingError
	if errors.As(err, &missing) {
		var errs []error
		for _, e := range missing.Errors {
			line, _ := e.Position()
			name := keyString(e.Key())
			what := "key"
			if strings.Contains(e.Error(), "table") {
				what = "table"
			}
			msg := fmt.Sprintf("%s:%d: unknown %s %q", path, line, what, name)
			if s := suggestKey(name); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			errs = append(errs, errors.New(msg))
		}
		return errors.Join(errs...)
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		line, col := de.Position()
		msg := strings.TrimPrefix(de.Error(), "toml: ")
		if m := typeMismatch(de.Key(), msg); m != "" {
			msg = m
		}
		return fmt.Errorf("%s:%d:%d: %s", path, line, col, msg)
	}
	return fmt.Errorf("%s: %w", path, err)
}

// typeMismatch rewrites go-toml's report of a value of the wrong type, which
// names Go types, in the file's terms: `"limits.max_recipients" must be an
// integer, not a TOML string`. It returns "" for any other message. The key
// may run past a known one (listen.smtp.port = 1 makes listen.smtp a table),
// so the longest known prefix of it is the key reported.
func typeMismatch(key toml.Key, msg string) string {
	var got string
	if rest, ok := strings.CutPrefix(msg, "cannot decode TOML "); ok {
		got, _, ok = strings.Cut(rest, " into ")
		if !ok {
			return ""
		}
	} else if rest, ok := strings.CutPrefix(msg, "cannot store a "); ok {
		got, _, ok = strings.Cut(rest, " in ")
		if !ok {
			return ""
		}
	} else {
		return ""
	}
	types := configKeyTypes()
	for n := len(key); n > 0; n-- {
		name := keyString(key[:n])
		if want, ok := types[name]; ok {
			return fmt.Sprintf("%q must be %s, not a TOML %s", name, want, got)
		}
	}
	return ""
}

// keyString writes a TOML key as it would appear in a file: dotted, with parts
// quoted where they are not bare keys.
func keyString(k toml.Key) string {
	parts := make([]string, len(k))
	for i, p := range k {
		bare := p != ""
		for _, r := range p {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
				bare = false
				break
			}
		}
		if bare {
			parts[i] = p
		} else {
			parts[i] = strconv.Quote(p)
		}
	}
	return strings.Join(parts, ".")
}

// configKeyTypes maps every key of the configuration file, tables included, in
// dotted form ("listen", "listen.smtp") to the kind of value it takes, as said
// to an operator: "a string", "an integer", "a table". It walks Config's
// `toml` tags, so it cannot fall out of step with the struct.
func configKeyTypes() map[string]string {
	keys := map[string]string{}
	var walk func(prefix string, t reflect.Type)
	walk = func(prefix string, t reflect.Type) {
		for f := range t.Fields() {
			tag, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
			if tag == "" || tag == "-" {
				continue
			}
			name := prefix + tag
			switch f.Type.Kind() {
			case reflect.Struct:
				keys[name] = "a table"
				walk(name+".", f.Type)
			case reflect.String:
				keys[name] = "a string"
			case reflect.Int, reflect.Int64:
				keys[name] = "an integer"
			case reflect.Bool:
				keys[name] = "true or false"
			default:
				keys[name] = "a " + f.Type.Kind().String()
			}
		}
	}
	walk("", reflect.TypeFor[Config]())
	return keys
}

// suggestKey returns the known key an unknown one was probably meant to be, or
// "". A key in the wrong table ("max_recipients" at the top) is matched by its
// last part; a misspelling by edit distance.
func suggestKey(unknown string) string {
	known := make([]string, 0, 32)
	for k := range configKeyTypes() {
		known = append(known, k)
	}
	slices.Sort(known)
	last := unknown[strings.LastIndexByte(unknown, '.')+1:]
	for _, k := range known {
		if k != unknown && k[strings.LastIndexByte(k, '.')+1:] == last {
			return k
		}
	}
	best, bestDist := "", 3 // suggest at distance 1 or 2 only
	for _, k := range known {
		if d := editDistance(unknown, k); d < bestDist && d < len(k)/2 {
			best, bestDist = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
