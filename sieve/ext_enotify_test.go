package sieve

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

const notifyMsg = "From: Alice <alice@example.org>\r\nTo: me@example.com\r\nSubject: Lunch\r\n\r\nbody\r\n"

var notifyEnv = Envelope{From: "alice@example.org", To: "me@example.com"}

// enotify (RFC 5435) with mailto: what notify collects, what the tests
// answer, and when a run fails.
func TestNotify(t *testing.T) {
	tests := []struct {
		name, spec, src, want string
	}{
		{"defaults", "SV-56", `require "enotify"; notify "mailto:a@example.org";`,
			`notify "mailto" importance "2" to "a@example.org"` + "\nkeep"},
		{"every tag", "SV-56", `require "enotify";
			notify :from "me@example.com" :importance "1" :options ["k=v", "x.y-z_1="] :message "m" "mailto:a@example.org";`,
			`notify "mailto" importance "1" subject "m" from "me@example.com" to "a@example.org"` + "\nkeep"},
		{"options reach the action", "SV-56", `require "enotify";
			notify :options ["k=v"] "mailto:a@example.org";`, "options", // checked below
		},
		{"several notifies, keep stays", "SV-60", `require "enotify";
			notify "mailto:a@example.org"; notify "mailto:b@example.org"; notify "mailto:c@example.org";`,
			`notify "mailto" importance "2" to "a@example.org"` + "\n" +
				`notify "mailto" importance "2" to "b@example.org"` + "\n" +
				`notify "mailto" importance "2" to "c@example.org"` + "\nkeep"},
		{"with discard", "SV-60", `require "enotify"; notify "mailto:a@example.org"; discard;`,
			`notify "mailto" importance "2" to "a@example.org"` + "\ndiscard"},
		{"a recipient once per run", "NA-47", `require "enotify";
			notify "mailto:a@example.org"; notify "mailto:A@example.org%2Ca@EXAMPLE.ORG"; notify "mailto:a@example.org?cc=b@example.org";
			notify "mailto:b@example.org";`,
			`notify "mailto" importance "2" to "a@example.org"` + "\n" +
				`notify "mailto" importance "2" to "A@example.org"` + "\n" +
				`notify "mailto" importance "2" cc "b@example.org"` + "\nkeep"},
		{"unsupported scheme", "SV-57, NA-42", `require "enotify"; notify "xmpp:a@example.org";`,
			`error: 1:20: notify method "xmpp" is not supported`},
		{"not a URI", "SV-57", `require "enotify"; notify "a@example.org";`,
			`error: 1:20: notify method "a@example.org" is not a URI`},
		{"invalid mailto", "SV-57", `require "enotify"; notify "mailto:a@%zz";`,
			`error: 1:20: notify method "mailto:a@%zz": invalid % encoding in the recipients`},
		{"dynamic bad from", "SV-56", `require ["enotify", "variables"]; set "f" "x"; notify :from "${f}" "mailto:a@example.org";`,
			`error: 1:48: notify :from "x" is not a valid address`},
		{"dynamic bad option", "SV-56", `require ["enotify", "variables"]; set "o" "=x"; notify :options "${o}" "mailto:a@example.org";`,
			`error: 1:49: notify option "=x" is not "name=value"`},
		{"valid_notify_method", "SV-58", `require ["enotify", "fileinto"];
			if valid_notify_method ["mailto:a@example.org", "MAILTO:?to=b@example.org"] { fileinto "yes"; }
			if valid_notify_method ["mailto:a@example.org", "https://example.org/x"] { fileinto "https"; }
			if valid_notify_method "mailto:a@@b" { fileinto "bad"; }`,
			`fileinto "yes"`},
		{"notify_method_capability", "SV-59, NA-50", `require ["enotify", "fileinto", "relational"];
			if notify_method_capability "mailto:a@example.org" "Online" "maybe" { fileinto "online"; }
			if notify_method_capability "mailto:a@example.org" "online" ["yes", "no"] { fileinto "sure"; }
			if notify_method_capability "mailto:a@example.org" "other" "maybe" { fileinto "other"; }
			if notify_method_capability "xmpp:a@example.org" "online" "maybe" { fileinto "xmpp"; }
			if notify_method_capability :count "eq" "mailto:a@example.org" "online" "1" { fileinto "count"; }
			if notify_method_capability :count "eq" "mailto:a@example.org" "other" "0" { fileinto "count0"; }`,
			`fileinto "online"` + "\n" + `fileinto "count"`},
		{"encodeurl", "SV-62", `require ["enotify", "variables"];
			set :encodeurl "b" "Safe body&evil=evilbody ü~";
			set :upper :encodeurl :length "n" "a b";
			notify "mailto:a@example.org?body=${b}";`,
			`notify "mailto" importance "2" to "a@example.org" body "Safe body&evil=evilbody ü~"` + "\nkeep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runScript(t, tt.src, notifyMsg, notifyEnv)
			if tt.want == "options" {
				s, _ := Compile([]byte(tt.src), Options{})
				res, err := s.Run(context.Background(), &Input{Message: newTestMessage(notifyMsg), Envelope: notifyEnv})
				if err != nil {
					t.Fatal(err)
				}
				if n := res.Actions[0].(Notify); !slices.Equal(n.Options, []string{"k=v"}) || n.Importance != "2" {
					t.Errorf("%s: %#v", tt.spec, n)
				}
				return
			}
			if got != tt.want {
				t.Errorf("%s\ngot:\n%s\nwant:\n%s", tt.spec, got, tt.want)
			}
		})
	}
}

// spec: SV-62 — precedence 15: after :quotewildcard, before :length.
func TestEncodeURL(t *testing.T) {
	got := runScript(t, `require ["enotify", "variables"];
		set :encodeurl :quotewildcard "q" "a*";
		set :encodeurl :length "l" "a b";
		set :encodeurl "all" "-._~AZaz09 !\"#$%&'()*+,/:;<=>?@[\\]^{|}";
		notify :message "${q}|${l}|${all}" "mailto:a@example.org";`, notifyMsg, notifyEnv)
	want := `notify "mailto" importance "2" subject "a%5C%2A|5|-._~AZaz09%20%21%22%23%24%25%26%27%28%29%2A%2B%2C%2F%3A%3B%3C%3D%3E%3F%40%5B%5C%5D%5E%7B%7C%7D" to "a@example.org"` + "\nkeep"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// spec: SV-56, SV-62
func TestNotifyCompileErrors(t *testing.T) {
	for _, tt := range []struct{ src, msg string }{
		{`notify "mailto:a@example.org";`, `missing require "enotify"`},
		{`require "enotify"; notify :importance "0" "mailto:a@example.org";`, `:importance must be`},
		{`require ["enotify", "variables"]; set "i" "1"; notify :importance "${i}" "mailto:a@example.org";`, `:importance must be`},
		{`require "enotify"; notify :importance 1 "mailto:a@example.org";`, `needs a string`},
		{`require "enotify"; notify :options ["-a=x"] "mailto:a@example.org";`, `not "name=value"`},
		{`require "enotify"; notify :options "novalue" "mailto:a@example.org";`, `not "name=value"`},
		{`require "enotify"; notify :from "nobody" "mailto:a@example.org";`, `not a valid address`},
		{`require "enotify"; notify :message ["a", "b"] "mailto:a@example.org";`, `needs a string`},
		{`require "enotify"; notify;`, `needs 1 positional`},
		{`require "enotify"; notify ["mailto:a@example.org"];`, `expects a string`},
		{`require "enotify"; if valid_notify_method :is "mailto:a@example.org" { keep; }`, `unknown tag`},
		{`require "enotify"; if notify_method_capability "mailto:a@example.org" "online" { keep; }`, `needs 3 positional`},
		{`require "variables"; set :encodeurl "a" "b";`, `missing require "enotify"`},
		{`require "enotify"; set :encodeurl "a" "b";`, `unknown command "set"`},
	} {
		_, err := Compile([]byte(tt.src), Options{})
		var ce *CompileError
		if !errors.As(err, &ce) {
			t.Errorf("%s: compiled, want a compile error", tt.src)
			continue
		}
		if !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: %v, want it to say %q", tt.src, err, tt.msg)
		}
	}
}

// spec: SV-57 — a literal method that cannot work compiles with a warning
// and fails when it runs.
func TestNotifyLiteralMethodWarns(t *testing.T) {
	s, err := Compile([]byte("require \"enotify\";\nif false { notify \"tel:+14085551212\"; }"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	w := s.Warnings()
	if len(w) != 1 || w[0].Line != 2 || !strings.Contains(w[0].Msg, `"tel" is not supported`) {
		t.Errorf("warnings %v, want one about tel on line 2", w)
	}
	res, err := s.Run(context.Background(), &Input{Message: newTestMessage(notifyMsg), Envelope: notifyEnv})
	if err != nil || len(res.Actions) != 1 {
		t.Errorf("the branch not taken: %v %v", res, err)
	}
}

// spec: NA-51 — a method holding message data, through match variables
// directly or by way of set, fails; fixed data does not.
func TestNotifyTaintedMethod(t *testing.T) {
	const head = `require ["enotify", "variables"]; if header :matches "from" "*<*>" { set "x" "${2}"; } `
	for _, tt := range []struct {
		name, src string
		fails     bool
	}{
		{"match variable", head + `notify "mailto:${2}";`, true},
		{"match variable in a header field", head + `notify "mailto:me@example.com?subject=${1}";`, true},
		{"set from a match variable", head + `notify "mailto:${x}";`, true},
		{"set twice", head + `set "y" "a${x}"; set :lower "z" "${y}"; notify "mailto:${z}";`, true},
		{"overwritten with a constant", head + `set "x" "me@example.com"; notify "mailto:${x}";`, false},
		{"flag variable", `require ["enotify", "variables", "imap4flags"]; if header :matches "from" "*<*>" { addflag "v" "${2}"; }
			removeflag "v" "x"; notify "mailto:${v}";`, true},
		{"length of message data", head + `set :length "n" "${x}"; notify "mailto:n${n}@example.com";`, false},
		{"fixed variable", `require ["enotify", "variables"]; set "own" "me@example.com"; notify "mailto:${own}";`, false},
		{"message data in :message and :from", head + `notify :message "${1}" :from "${x}" "mailto:me@example.com";`, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := runScript(t, tt.src, notifyMsg, notifyEnv)
			if failed := strings.HasPrefix(got, "error:"); failed != tt.fails {
				t.Errorf("got %s, want failure %v", got, tt.fails)
			}
			if tt.fails && !strings.Contains(got, "message data") {
				t.Errorf("error %q does not name the reason", got)
			}
		})
	}
}

// fakeMethod is an extra notify method, as the https webhook will be.
type fakeMethod struct{}

func (fakeMethod) Scheme() string { return "https" }
func (fakeMethod) Check(uri string) error {
	if len(uri) < 8 || !strings.EqualFold(uri[:8], "https://") {
		return errors.New("no host")
	}
	return nil
}
func (fakeMethod) Capability(_, name string) (string, bool) {
	if name == "online" {
		return "yes", true
	}
	return "", false
}

// spec: SV-57, SV-58, SV-59, NA-42 — Options.NotifyMethods replaces the
// built-in list.
func TestNotifyMethods(t *testing.T) {
	src := `require ["enotify", "fileinto"];
		if valid_notify_method "https://hooks.example.org/x" { fileinto "valid"; }
		if notify_method_capability "https://hooks.example.org/x" "online" "yes" { fileinto "online"; }
		if valid_notify_method "https:opaque" { fileinto "bad"; }
		if valid_notify_method "mailto:a@example.org" { fileinto "mailto"; }
		notify :options "x=1" :message "m" "HTTPS://hooks.example.org/x";`
	opts := Options{NotifyMethods: []NotifyMethod{MailtoMethod(), fakeMethod{}}}
	s, err := Compile([]byte(src), opts)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Run(context.Background(), &Input{Message: newTestMessage(notifyMsg), Envelope: notifyEnv})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range res.Actions {
		got = append(got, a.String())
	}
	want := []string{`fileinto "valid"`, `fileinto "online"`, `fileinto "mailto"`,
		`notify "HTTPS://hooks.example.org/x" importance "2" options "x=1" message "m"`}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := NotifySchemes(opts); !slices.Equal(got, []string{"mailto", "https"}) {
		t.Errorf("NotifySchemes = %q", got)
	}
	if got := NotifySchemes(Options{}); !slices.Equal(got, []string{"mailto"}) {
		t.Errorf("NotifySchemes of the defaults = %q", got)
	}
	// Without the registry https is unknown.
	if got := runScript(t, `require "enotify"; notify "https://hooks.example.org/x";`, notifyMsg, notifyEnv); !strings.Contains(got, `"https" is not supported`) {
		t.Errorf("default methods: %s", got)
	}
}

// spec: SV-56
func TestValidNotifyOption(t *testing.T) {
	for o, want := range map[string]bool{
		"a=b": true, "0=": true, "a.b-c_d=x=y": true, "A9=\xff": true,
		"": false, "=x": false, "-a=x": false, "a b=x": false, "novalue": false,
		"a=b\nc": false, "a=b\rc": false, "a=\x00": false,
	} {
		if got := validNotifyOption(o); got != want {
			t.Errorf("validNotifyOption(%q) = %v, want %v", o, got, want)
		}
	}
}

// spec: SV-02 — enotify is advertised.
func TestNotifyCapability(t *testing.T) {
	if !slices.Contains(Capabilities(), "enotify") {
		t.Errorf("Capabilities() = %q lacks enotify", Capabilities())
	}
}
