package main

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pelletier/go-toml/v2"
)

// writeConfig writes doc to a zest.toml in a fresh temporary directory and
// returns its path.
func writeConfig(t *testing.T, doc string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "zest.toml")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// enabled returns the "key=addr" of every listener that is on.
func enabled(l ListenConfig) []string {
	var on []string
	for _, x := range l.Listeners() {
		if x.Addr != "" {
			on = append(on, x.Key+"="+x.Addr)
		}
	}
	return on
}

func TestDefaultConfig(t *testing.T) {
	cfg := DefaultConfig()
	if err := cfg.Validate(); err != nil {
		t.Fatalf("DefaultConfig does not validate: %v", err)
	}
	if cfg.Hostname == "" || checkHostname(cfg.Hostname) != nil {
		t.Errorf("Hostname = %q, want a valid name", cfg.Hostname)
	}
	want := Config{
		Hostname: cfg.Hostname,
		Data:     "./zest-data",
		Listen:   ListenConfig{SMTP: "127.0.0.1:2525", LMTP: "127.0.0.1:2424", IMAP: "127.0.0.1:1143", ManageSieve: "127.0.0.1:4190", Web: "127.0.0.1:8080"},
		Limits:   LimitsConfig{MaxMessageSize: 52428800, MaxRecipients: 100},
		Log:      LogConfig{Level: "info"},
	}
	if cfg != want {
		t.Errorf("DefaultConfig() =\n%+v\nwant\n%+v", cfg, want)
	}
}

func TestLoadConfig(t *testing.T) {
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		doc  string
		// check looks at a successful result; wantErr lists substrings of the
		// error (the file path precedes them in real messages).
		check   func(t *testing.T, c Config)
		wantErr []string
	}{
		{
			name: "empty file keeps defaults but turns every listener off",
			doc:  "",
			check: func(t *testing.T, c Config) {
				d := DefaultConfig()
				if c.Listen != (ListenConfig{}) {
					t.Errorf("listeners on: %v", enabled(c.Listen))
				}
				if c.Hostname != d.Hostname || c.Limits != d.Limits || c.Log != d.Log || c.TLS != d.TLS {
					t.Errorf("got %+v, want defaults %+v", c, d)
				}
				if want := filepath.Join(cwd, "zest-data"); c.Data != want {
					t.Errorf("Data = %q, want %q", c.Data, want)
				}
			},
		},
		{
			name: "full file",
			doc: `hostname = "Mail.Example.ORG"
timezone = "Europe/Paris"
data = "/var/lib/zest"
[listen]
smtp = ":25"
submission = ":587"
submissions = ":465"
lmtp = "127.0.0.1:24"
imap = ":143"
imaps = ":993"
managesieve = "[::1]:4190"
web = "127.0.0.1:8080"
[tls]
cert = "/etc/zest/cert.pem"
key = "/etc/zest/key.pem"
[limits]
max_message_size = 1048576
max_recipients = 7
[log]
level = "debug"
`,
			check: func(t *testing.T, c Config) {
				want := Config{
					Hostname: "mail.example.org",
					Timezone: "Europe/Paris",
					Data:     "/var/lib/zest",
					Listen: ListenConfig{
						SMTP: ":25", Submission: ":587", Submissions: ":465", LMTP: "127.0.0.1:24",
						IMAP: ":143", IMAPS: ":993", ManageSieve: "[::1]:4190", Web: "127.0.0.1:8080",
					},
					TLS:    TLSConfig{Cert: "/etc/zest/cert.pem", Key: "/etc/zest/key.pem"},
					Limits: LimitsConfig{MaxMessageSize: 1048576, MaxRecipients: 7},
					Log:    LogConfig{Level: "debug"},
				}
				if c != want {
					t.Errorf("got\n%+v\nwant\n%+v", c, want)
				}
				if c.Log.SlogLevel().String() != "DEBUG" {
					t.Errorf("SlogLevel = %v", c.Log.SlogLevel())
				}
			},
		},
		{
			name: "relative paths are resolved from the current directory",
			doc:  "data = \"mail/store\"\n[tls]\ncert = \"c.pem\"\nkey = \"../k.pem\"\n",
			check: func(t *testing.T, c Config) {
				want := TLSConfig{Cert: filepath.Join(cwd, "c.pem"), Key: filepath.Join(filepath.Dir(cwd), "k.pem")}
				if c.Data != filepath.Join(cwd, "mail/store") || c.TLS != want {
					t.Errorf("Data = %q, TLS = %+v; want them under %s", c.Data, c.TLS, cwd)
				}
			},
		},
		{
			name: "explicit empty listener is off",
			doc:  "[listen]\nsmtp = \"\"\nlmtp = \"127.0.0.1:0\"\nimap = \"127.0.0.1:0\"\n",
			check: func(t *testing.T, c Config) {
				if got := enabled(c.Listen); !slices.Equal(got, []string{"lmtp=127.0.0.1:0", "imap=127.0.0.1:0"}) {
					t.Errorf("enabled = %v", got)
				}
			},
		},
		{
			name:    "unknown time zone",
			doc:     "hostname = \"a.example\"\ntimezone = \"Mars/Olympus\"\n",
			wantErr: []string{`timezone = "Mars/Olympus": unknown time zone`},
		},
		{
			name:    "unknown top-level key",
			doc:     "hostname = \"a.example\"\n\nbogus = 1\n",
			wantErr: []string{`zest.toml:3: unknown key "bogus"`},
		},
		{
			name:    "unknown key in a table, with a suggestion",
			doc:     "hostname = \"a.example\"\ndata = \"/tmp/x\"\n\n# listeners\n[listen]\nsmtp = \":25\"\nsmpt = \":26\"\n",
			wantErr: []string{`zest.toml:7: unknown key "listen.smpt" (did you mean "listen.smtp"?)`},
		},
		{
			name:    "key in the wrong table",
			doc:     "[listen]\nsmtp = \":25\"\nmax_recipients = 5\n",
			wantErr: []string{`zest.toml:3: unknown key "listen.max_recipients" (did you mean "limits.max_recipients"?)`},
		},
		{
			name:    "every unknown key is reported",
			doc:     "[listen]\nimapz = \":1\"\n[tls]\ncrt = \"x\"\n",
			wantErr: []string{`zest.toml:2: unknown key "listen.imapz" (did you mean "listen.imap"?)`, `zest.toml:4: unknown key "tls.crt" (did you mean "tls.cert"?)`},
		},
		{
			name:    "unknown table",
			doc:     "\n[sieve]\nx = 1\n",
			wantErr: []string{`zest.toml:2: unknown table "sieve"`},
		},
		{
			name:    "dotted key below a string",
			doc:     "listen.smtp.port = 25\n",
			wantErr: []string{`zest.toml:1:13: "listen.smtp" must be a string, not a TOML table`},
		},
		{
			name:    "table header below a string",
			doc:     "[listen.smtp]\nport = 25\n",
			wantErr: []string{`zest.toml:1:2: "listen.smtp" must be a string, not a TOML table`},
		},
		{
			name:    "inline table for a string",
			doc:     "[listen]\nsmtp = { port = 25 }\n",
			wantErr: []string{`zest.toml:2:8: "listen.smtp" must be a string, not a TOML inline table`},
		},
		{
			name:    "unknown dotted key in a table",
			doc:     "[log]\nlevel = \"info\"\nfile.path = \"/var/log/zest\"\n",
			wantErr: []string{`zest.toml:3: unknown`, `"log.file`},
		},
		{
			name:    "syntax error: unclosed table header",
			doc:     "hostname = \"a\"\n[listen\n",
			wantErr: []string{`zest.toml:2:8: expected ']' to close table name`},
		},
		{
			name:    "syntax error: missing value",
			doc:     "\n\ndata =\n",
			wantErr: []string{`zest.toml:3:7: `},
		},
		{
			name:    "syntax error: duplicate key",
			doc:     "data = \"a\"\ndata = \"b\"\n",
			wantErr: []string{`zest.toml:2:1: `, `already defined`},
		},
		{
			name:    "wrong type",
			doc:     "[limits]\nmax_recipients = \"ten\"\n",
			wantErr: []string{`zest.toml:2:18: "limits.max_recipients" must be an integer, not a TOML string`},
		},
		{
			name:    "value where a table belongs",
			doc:     "listen = \":25\"\n",
			wantErr: []string{`zest.toml:1:`, `"listen" must be a table, not a TOML string`},
		},
		{
			name:    "address without port",
			doc:     "[listen]\nsmtp = \"127.0.0.1\"\n",
			wantErr: []string{`zest.toml: listen.smtp = "127.0.0.1": want host:port: missing port in address`},
		},
		{
			name:    "service name as port",
			doc:     "[listen]\nimaps = \":imaps\"\n",
			wantErr: []string{`listen.imaps = ":imaps": port "imaps" is not a number from 0 to 65535`},
		},
		{
			name:    "port out of range",
			doc:     "[listen]\nweb = \"127.0.0.1:65536\"\n",
			wantErr: []string{`listen.web = "127.0.0.1:65536": port "65536" is not a number`},
		},
		{
			name:    "negative port",
			doc:     "[listen]\nweb = \"127.0.0.1:-1\"\n",
			wantErr: []string{`listen.web = "127.0.0.1:-1": port "-1" is not a number`},
		},
		{
			name:    "unbracketed IPv6",
			doc:     "[listen]\nlmtp = \"::1:24\"\n",
			wantErr: []string{`listen.lmtp = "::1:24": want host:port: too many colons in address`},
		},
		{
			name:    "two listeners on one address",
			doc:     "[listen]\nsmtp = \":25\"\nsubmission = \":25\"\n",
			wantErr: []string{`listen.submission = ":25": same address as listen.smtp`},
		},
		{
			name:    "cert without key",
			doc:     "[tls]\ncert = \"/etc/zest/cert.pem\"\n",
			wantErr: []string{`tls.cert is set but tls.key is not`},
		},
		{
			name:    "key without cert",
			doc:     "[tls]\nkey = \"/etc/zest/key.pem\"\n",
			wantErr: []string{`tls.key is set but tls.cert is not`},
		},
		{
			name:    "hostname with an underscore",
			doc:     "hostname = \"mail_server.example\"\n",
			wantErr: []string{`hostname = "mail_server.example": label "mail_server" has '_'`},
		},
		{
			name:    "hostname with a trailing dot",
			doc:     "hostname = \"mail.example.\"\n",
			wantErr: []string{`hostname = "mail.example.": has an empty label`},
		},
		{
			name:    "hostname is an IP address",
			doc:     "hostname = \"192.0.2.1\"\n",
			wantErr: []string{`must be a domain name, not an IP address`},
		},
		{
			name:    "hostname starting with a hyphen",
			doc:     "hostname = \"-mail.example\"\n",
			wantErr: []string{`label "-mail" starts or ends with a hyphen`},
		},
		{
			name:    "hostname label too long",
			doc:     "hostname = \"" + strings.Repeat("a", 64) + ".example\"\n",
			wantErr: []string{`is longer than 63 characters`},
		},
		{
			name:    "empty data",
			doc:     "data = \"\"\n",
			wantErr: []string{`data: must name a directory`},
		},
		{
			name:    "bad log level",
			doc:     "[log]\nlevel = \"verbose\"\n",
			wantErr: []string{`log.level = "verbose": must be one of "debug", "info", "warn", "error"`},
		},
		{
			name: "every validation problem at once",
			doc:  "hostname = \"\"\n[limits]\nmax_message_size = 0\nmax_recipients = -1\n",
			wantErr: []string{
				`zest.toml: hostname = "": must not be empty`,
				`zest.toml: limits.max_message_size = 0: must be a positive number of bytes`,
				`zest.toml: limits.max_recipients = -1: must be positive`,
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := LoadConfig(writeConfig(t, tc.doc))
			if tc.wantErr != nil {
				if err == nil {
					t.Fatalf("LoadConfig succeeded with %+v, want an error", cfg)
				}
				t.Logf("error:\n%v", err)
				for _, want := range tc.wantErr {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error\n%v\ndoes not contain\n%s", err, want)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("LoadConfig: %v", err)
			}
			tc.check(t, cfg)
		})
	}
}

// TestLoadConfigEachListener turns on each [listen] key alone and checks that
// exactly that listener is on.
func TestLoadConfigEachListener(t *testing.T) {
	for i, l := range (ListenConfig{}).Listeners() {
		t.Run(l.Key, func(t *testing.T) {
			addr := fmt.Sprintf("127.0.0.1:%d", 10000+i)
			cfg, err := LoadConfig(writeConfig(t, fmt.Sprintf("[listen]\n%s = %q\n", l.Key, addr)))
			if err != nil {
				t.Fatal(err)
			}
			if got, want := enabled(cfg.Listen), []string{l.Key + "=" + addr}; !slices.Equal(got, want) {
				t.Errorf("enabled = %v, want %v", got, want)
			}
		})
	}
}

func TestLoadConfigMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.toml")
	_, err := LoadConfig(path)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("err = %v, want one naming %s", err, path)
	}
}

// TestListenersCoverStruct checks that Listeners lists every field of
// ListenConfig under its toml key, so a new listener cannot be forgotten by
// validation or by the code that starts listeners.
func TestListenersCoverStruct(t *testing.T) {
	var l ListenConfig
	v := reflect.ValueOf(&l).Elem()
	for i := range v.NumField() {
		v.Field(i).SetString(fmt.Sprintf("field%d", i))
	}
	got := map[string]string{}
	for _, x := range l.Listeners() {
		got[x.Key] = x.Addr
	}
	if len(got) != v.NumField() {
		t.Errorf("Listeners has %d distinct keys, ListenConfig has %d fields", len(got), v.NumField())
	}
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if key := f.Tag.Get("toml"); got[key] != fmt.Sprintf("field%d", i) {
			t.Errorf("Listeners()[%q] = %q, want the value of field %s", key, got[key], f.Name)
		}
	}
}

func TestSuggestKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"listen.smpt", "listen.smtp"},
		{"hostnme", "hostname"},
		{"cert", "tls.cert"},
		{"max_message_size", "limits.max_message_size"},
		{"log.levl", "log.level"},
		{"limit", "limits"},
		{"completely_different", ""},
		{"x", ""},
	}
	for _, tc := range tests {
		if got := suggestKey(tc.in); got != tc.want {
			t.Errorf("suggestKey(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// docPath is the operator reference that TestConfigDoc holds to the struct.
const docPath = "docs/configuration.md"

var (
	docTOMLBlock = regexp.MustCompile("(?s)```toml\n(.*?)```")
	// A reference table row: | `key` | type | default | meaning |
	docKeyRow = regexp.MustCompile("(?m)^\\| `([a-z_.]+)` \\| ([^|]+) \\| ([^|]+) \\|")
	// A default cell that is one TOML value, or mentions one used without a file.
	docDefaultOnly     = regexp.MustCompile("^`([^`]+)`$")
	docDefaultWithout  = regexp.MustCompile("without a file: `([^`]+)`")
	docCompleteExample = "## Complete example"
)

// TestConfigDoc keeps docs/configuration.md and Config in step: every example
// loads, the complete example sets every key, every key has a reference row
// and every row is a key, with the right type and default.
func TestConfigDoc(t *testing.T) {
	raw, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	keys := configKeyTypes()

	// Every TOML example loads.
	blocks := docTOMLBlock.FindAllStringSubmatchIndex(doc, -1)
	if len(blocks) == 0 {
		t.Fatalf("%s has no ```toml block", docPath)
	}
	var complete string
	for _, b := range blocks {
		block := doc[b[2]:b[3]]
		if _, err := LoadConfig(writeConfig(t, block)); err != nil {
			t.Errorf("%s: example does not load: %v\n%s", docPath, err, block)
		}
		if i := strings.LastIndex(doc[:b[0]], "\n## "); i >= 0 && strings.HasPrefix(doc[i+1:], docCompleteExample) {
			complete = block
		}
	}

	// The complete example sets every key.
	if complete == "" {
		t.Fatalf("%s: no ```toml block under %q", docPath, docCompleteExample)
	}
	var tree map[string]any
	if err := toml.Unmarshal([]byte(complete), &tree); err != nil {
		t.Fatal(err)
	}
	for key := range keys {
		if _, ok := lookup(tree, key); !ok {
			t.Errorf("%s: the complete example does not set %q", docPath, key)
		}
	}

	// One reference row per leaf key, one `[table]` mention per table.
	rows := map[string][]string{}
	for _, m := range docKeyRow.FindAllStringSubmatch(doc, -1) {
		key, typ, def := m[1], strings.TrimSpace(m[2]), strings.TrimSpace(m[3])
		if _, dup := rows[key]; dup {
			t.Errorf("%s: two rows for %q", docPath, key)
		}
		rows[key] = []string{typ, def}
		if _, ok := keys[key]; !ok {
			t.Errorf("%s documents %q, which is not a key of Config", docPath, key)
		}
	}
	var defaults map[string]any
	b, err := toml.Marshal(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if err := toml.Unmarshal(b, &defaults); err != nil {
		t.Fatal(err)
	}
	for key, kind := range keys {
		if kind == "a table" {
			if !strings.Contains(doc, "`["+key+"]`") {
				t.Errorf("%s does not mention the table `[%s]`", docPath, key)
			}
			continue
		}
		row, ok := rows[key]
		if !ok {
			t.Errorf("%s has no reference row for %q", docPath, key)
			continue
		}
		if want := strings.TrimPrefix(strings.TrimPrefix(kind, "an "), "a "); row[0] != want {
			t.Errorf("%s: %q has type %q, want %q", docPath, key, row[0], want)
		}
		// Compare a stated default with DefaultConfig's.
		def := row[1]
		var literal string
		if m := docDefaultOnly.FindStringSubmatch(def); m != nil {
			literal = m[1]
		} else if m := docDefaultWithout.FindStringSubmatch(def); m != nil {
			literal = m[1]
		} else if def == "off" {
			literal = `""`
		} else {
			continue
		}
		var v map[string]any
		if err := toml.Unmarshal([]byte("v = "+literal), &v); err != nil {
			t.Errorf("%s: default of %q is not a TOML value: %s", docPath, key, literal)
			continue
		}
		got, _ := lookup(defaults, key)
		if fmt.Sprint(got) != fmt.Sprint(v["v"]) {
			t.Errorf("%s: default of %q is %s, DefaultConfig has %#v", docPath, key, literal, got)
		}
	}
}

// lookup finds a dotted key in a decoded TOML document.
func lookup(tree map[string]any, key string) (any, bool) {
	var cur any = tree
	for part := range strings.SplitSeq(key, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}
