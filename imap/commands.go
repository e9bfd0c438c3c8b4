package imap

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
)

// commandSpec is one row of the dispatch table.
type commandSpec struct {
	states state
	handle func(c *conn, cmd *command) error
	// enabled, when set, hides the command until it returns true (for
	// commands that depend on configuration, like STARTTLS).
	enabled func(c *conn) bool
}

// capabilitySpec is a capability and the states it is advertised in.
type capabilitySpec struct {
	name    string
	states  state
	enabled func(c *conn) bool
}

// Each command family defines its rows in its own file; the table is their
// union, and a name defined twice is a programming error caught at start.
var commands = mergeCommands(
	sessionCommands,
	mailboxCommands,
	selectCommands,
	messageCommands,
	clientIDCommands,
	stateCommands,
)

func mergeCommands(tables ...map[string]commandSpec) map[string]commandSpec {
	out := map[string]commandSpec{}
	for _, t := range tables {
		for name, spec := range t {
			if _, dup := out[name]; dup {
				panic(fmt.Sprintf("imap: command %s defined twice", name))
			}
			out[name] = spec
		}
	}
	return out
}

// capabilities lists what this server implements; each entry is there
// because the commands or behaviour it names exist.
var capabilities = []capabilitySpec{
	{name: "IMAP4rev1", states: anyState},
	{name: "IMAP4rev2", states: anyState},
	{name: "STARTTLS", states: stateNotAuth, enabled: func(c *conn) bool { return c.srv.cfg.TLS != nil && !c.tls }},
	{name: "LOGINDISABLED", states: stateNotAuth, enabled: func(c *conn) bool { return !c.plaintextOK() }},
	{name: "AUTH=PLAIN", states: stateNotAuth, enabled: (*conn).plaintextOK},
	{name: "AUTH=LOGIN", states: stateNotAuth, enabled: (*conn).plaintextOK},
	{name: "SASL-IR", states: anyState},
	{name: "LITERAL+", states: anyState},
	{name: "ID", states: anyState},
	{name: "ENABLE", states: anyState},
	{name: "IDLE", states: authed},
	{name: "NAMESPACE", states: authed},
	{name: "UNSELECT", states: authed},
	{name: "UIDPLUS", states: authed},
	{name: "MOVE", states: authed},
	{name: "CHILDREN", states: authed},
	{name: "SPECIAL-USE", states: authed},
	{name: "UNAUTHENTICATE", states: authed},
	{name: "STATUS=SIZE", states: authed},
	{name: "UTF8=ACCEPT", states: authed},
	{name: "ESEARCH", states: authed},
	{name: "SEARCHRES", states: authed},
	{name: "BINARY", states: authed},
	{name: "LIST-EXTENDED", states: authed},
	{name: "LIST-STATUS", states: authed},
	{name: "CREATE-SPECIAL-USE", states: authed},
	{name: "CONDSTORE", states: authed},
	{name: "QRESYNC", states: authed},
	{name: "X-DRAFT-W01-QRESYNC", states: authed}, // the seed draft's name, for its clients (QR-60)
	{name: "MONOINCUID", states: anyState},
	{name: "X-DRAFT-CLIENTID-00", states: authed}, // the draft's own name, not CLIENTID (CI-01)
	{name: "STATE", states: authed},
}

// capabilities returns what to advertise in the session's current state.
func (c *conn) capabilities() []string {
	var out []string
	for _, cap := range capabilities {
		if cap.states&c.state != 0 && (cap.enabled == nil || cap.enabled(c)) {
			out = append(out, cap.name)
		}
	}
	if c.state != stateNotAuth {
		out = append(out, "APPENDLIMIT="+strconv.FormatInt(c.srv.cfg.MaxLiteral, 10))
	}
	return out
}

// commandNames lists the table, sorted, for tests.
func commandNames() []string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return slices.Clip(names)
}
