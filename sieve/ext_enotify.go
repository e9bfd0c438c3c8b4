package sieve

import (
	"fmt"
	"strings"
)

// NotifyMethod is a notification method of the enotify extension (RFC
// 5435 §3.2), named by the scheme of its URIs. The engine only checks
// URIs and answers capabilities; sending is the caller's, after the run.
type NotifyMethod interface {
	// Scheme is the URI scheme in lower case, without ":".
	Scheme() string
	// Check says whether a whole URI of this scheme is valid and allowed;
	// notify fails and valid_notify_method is false when it is not.
	Check(uri string) error
	// Capability answers notify_method_capability for a URI that passed
	// Check; name is in lower case. ok is false for a capability the
	// method does not know (the test is then false).
	Capability(uri, name string) (value string, ok bool)
}

// MailtoMethod returns the built-in mailto method (RFC 5436): every URI
// ParseMailto accepts, and "maybe" for the online capability (NA-50).
func MailtoMethod() NotifyMethod { return mailtoMethod{} }

type mailtoMethod struct{}

func (mailtoMethod) Scheme() string { return "mailto" }

func (mailtoMethod) Check(uri string) error {
	_, err := ParseMailto(uri)
	return err
}

// spec: NA-50 — zest cannot know whether a mail reader is online.
func (mailtoMethod) Capability(_, name string) (string, bool) {
	if name == "online" {
		return "maybe", true
	}
	return "", false
}

// NotifySchemes lists the schemes of the methods a script may use under
// those Options, for ManageSieve's NOTIFY capability (RFC 5804 §1.7).
func NotifySchemes(opts Options) []string {
	var out []string
	for _, m := range opts.notifyMethods() {
		out = append(out, m.Scheme())
	}
	return out
}

func (o Options) notifyMethods() []NotifyMethod {
	if o.NotifyMethods == nil {
		return []NotifyMethod{mailtoMethod{}}
	}
	return o.NotifyMethods
}

// extEnotify is enotify (RFC 5435), language side: notify,
// valid_notify_method, notify_method_capability and set's :encodeurl.
// spec: SV-56..SV-62, NA-42, NA-50, NA-51
var extEnotify = extension{
	name: "enotify",
	specs: []*spec{
		{name: "notify", tags: []tagSpec{
			{name: "from", arg: argString},
			{name: "importance", arg: argString},
			{name: "options", arg: argStrings},
			{name: "message", arg: argString},
		}, args: []argType{argString}, buildCmd: buildNotify},
		{name: "valid_notify_method", test: true, args: []argType{argStrings}, buildTest: buildValidNotifyMethod},
		{name: "notify_method_capability", test: true, tags: matchTags,
			args: []argType{argString, argString, argStrings}, buildTest: buildNotifyMethodCapability},
	},
	// RFC 5435 §6: :encodeurl exists when variables is required too; set
	// is only in the table then.
	tags: []extraTags{{to: []string{"set"}, tags: []tagSpec{{name: "encodeurl"}}}},
	setup: func(c *compiler) {
		// Runs after variables' setup (extensions() order): message data
		// is tracked only when both are required (NA-51).
		if c.vars != nil {
			c.taint = c.taintOf
		}
	},
}

// notifyMethod finds the method of a URI by its scheme (RFC 3986 §3.1,
// case-insensitive) and checks the URI with it.
func (r *run) notifyMethod(uri string) (NotifyMethod, error) {
	return findNotifyMethod(r.s.opts.notifyMethods(), uri)
}

func findNotifyMethod(methods []NotifyMethod, uri string) (NotifyMethod, error) {
	scheme, _, ok := strings.Cut(uri, ":")
	if !ok || !validScheme(scheme) {
		return nil, fmt.Errorf("notify method %q is not a URI", uri)
	}
	for _, m := range methods {
		if strings.EqualFold(m.Scheme(), scheme) {
			if err := m.Check(uri); err != nil {
				return nil, fmt.Errorf("notify method %q: %w", uri, err)
			}
			return m, nil
		}
	}
	return nil, fmt.Errorf("notify method %q is not supported", strings.ToLower(scheme))
}

// validScheme is RFC 3986's scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
func validScheme(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alpha := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if !alpha && (i == 0 || !isDigit(c) && c != '+' && c != '-' && c != '.') {
			return false
		}
	}
	return true
}

// validNotifyOption is RFC 5435 §3.5: optionname "=" value, where
// optionname = l-d *(l-d / "." / "-" / "_") and value holds no CR, LF or NUL.
func validNotifyOption(o string) bool {
	name, value, ok := strings.Cut(o, "=")
	if !ok || name == "" || strings.ContainsAny(value, "\x00\r\n") {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		ld := isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if !ld && (i == 0 || c != '.' && c != '-' && c != '_') {
			return false
		}
	}
	return true
}

func validNotifyFrom(from string) bool {
	_, ok := addrSpec(from)
	return ok
}

func buildNotify(c *compiler, a *call) cmdFunc {
	// spec: SV-56 — the importance is one of three constants; a variable
	// reference cannot be one of them.
	importance := "2"
	if a.has("importance") {
		importance = a.tagStr("importance")
		if importance != "1" && importance != "2" && importance != "3" {
			c.errorf(a.tags["importance"].Pos, `notify :importance must be "1", "2" or "3", not %q`, importance)
			return nil
		}
	}
	method := c.val(a, 0)
	from, message := c.value(a.tagStr("from")), c.value(a.tagStr("message"))
	var options []value
	if v, ok := a.tags["options"]; ok {
		for i, s := range v.Strings {
			o := c.value(s)
			if o.isConst() && !validNotifyOption(s) {
				c.errorf(v.StrPos[i], `notify option %q is not "name=value" (RFC 5435 §3.5)`, s)
			}
			options = append(options, o)
		}
	}
	if a.has("from") && from.isConst() && !validNotifyFrom(from.lit) {
		c.errorf(a.tags["from"].Pos, "notify :from %q is not a valid address", from.lit)
		return nil
	}
	if method.isConst() {
		// spec: SV-57 — a run-time error, as RFC 5435 §3.2 asks; the
		// author hears of it now already.
		if _, err := findNotifyMethod(c.opts.notifyMethods(), method.lit); err != nil {
			c.warnf(a.args[0].Pos, "%v: notify will fail when it runs", err)
		}
	}
	hasFrom := a.has("from")
	return func(r *run) error {
		uri := method.get(r)
		// spec: NA-51 — RFC 5435 §8: a sender must not choose who gets
		// notified.
		if method.tainted(r) {
			return fmt.Errorf("notify method %q is built from message data (match variables), which RFC 5435 §8 forbids", uri)
		}
		if _, err := r.notifyMethod(uri); err != nil {
			return err
		}
		n := Notify{Method: uri, Importance: importance, Message: message.get(r)}
		if hasFrom {
			n.From = from.get(r)
			if !validNotifyFrom(n.From) {
				return fmt.Errorf("notify :from %q is not a valid address", n.From)
			}
		}
		for _, o := range options {
			s := o.get(r)
			if !validNotifyOption(s) {
				return fmt.Errorf(`notify option %q is not "name=value"`, s)
			}
			n.Options = append(n.Options, s)
		}
		// spec: SV-60 — never cancels the implicit keep.
		return r.add(n, false)
	}
}

// spec: SV-58 — exactly notify's check, for every URI.
func buildValidNotifyMethod(c *compiler, a *call) testFunc {
	uris := c.vals(a, 0)
	return func(r *run) (bool, error) {
		for _, u := range uris {
			if _, err := r.notifyMethod(u.get(r)); err != nil {
				return false, nil
			}
		}
		return true, nil
	}
}

// spec: SV-59, NA-50
func buildNotifyMethodCapability(c *compiler, a *call) testFunc {
	uri, capability := c.val(a, 0), c.val(a, 1)
	m := c.matcher(a, c.vals(a, 2))
	if m == nil {
		return nil
	}
	return func(r *run) (bool, error) {
		u := uri.get(r)
		method, err := r.notifyMethod(u)
		if err != nil {
			return false, nil // RFC 5435 §5: false, not an error
		}
		v, ok := method.Capability(u, strings.ToLower(capability.get(r)))
		if !ok {
			return false, nil
		}
		return m.matchSingle(r, v), nil
	}
}

// encodeURL percent-encodes every octet outside RFC 3986's unreserved set
// (ALPHA DIGIT "-" "." "_" "~"), for set :encodeurl (RFC 5435 §6).
func encodeURL(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || isDigit(c) || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// dedupNotify drops recipients a mailto notify shares with an earlier one
// of the run, and the notify itself when none remain (NA-47, and what
// Pigeonhole does). seen collects the addresses notified so far.
func dedupNotify(n Notify, seen *[]string, earlier bool) (Notify, bool) {
	u, err := ParseMailto(n.Method)
	if err != nil {
		return n, true // not mailto: the method's own business
	}
	left := 0
	for _, rc := range u.Recipients {
		if containsAddress(*seen, rc.Address) {
			if !containsAddress(n.Skip, rc.Address) {
				n.Skip = append(n.Skip, rc.Address)
			}
			continue
		}
		*seen = append(*seen, rc.Address)
		left++
	}
	return n, left > 0 || !earlier
}
