package sieve

// extEnvironment is environment (RFC 5183): facts about the interpreter
// and the delivery, from Input.Environment.
var extEnvironment = extension{
	name: "environment",
	specs: []*spec{{
		name:      "environment",
		test:      true,
		tags:      matchTags,
		args:      []argType{argString, argStrings},
		buildTest: buildEnvironment,
	}},
}

// Environment holds the values of the environment test's items (RFC 5183
// §4.1) that the caller knows. An empty field is an item that does not
// exist, so the test on it is false; "name" is always "zest".
type Environment struct {
	Domain   string // "domain": the primary DNS domain of the server
	Host     string // "host": the server's fully-qualified host name
	Location string // "location": "MTA", "MDA", "MUA" or "MS"; "" means "MDA"
	Phase    string // "phase": "pre", "during" or "post"; "" means "during"
	// RemoteIP is the SMTP/LMTP client's address ("remote-ip"), "" when
	// the message did not come over a connection. RemoteHost is its
	// verified host name ("remote-host"), which exists as "" when unknown
	// while RemoteIP is known (RFC 5183 §4.1).
	RemoteIP   string
	RemoteHost string
	Version    string // "version": zest's version
}

// environmentName is the "name" item: the product, not the library.
const environmentName = "zest"

// item returns an item's value and whether it exists. Item names are
// compared exactly, as Pigeonhole does: "LOCATION" is no item.
func (e *Environment) item(name string) (string, bool) {
	switch name {
	case "domain":
		return e.Domain, e.Domain != ""
	case "host":
		return e.Host, e.Host != ""
	case "location":
		if e.Location == "" {
			return "MDA", true // zest runs scripts at delivery
		}
		return e.Location, true
	case "name":
		return environmentName, true
	case "phase":
		if e.Phase == "" {
			return "during", true
		}
		return e.Phase, true
	case "remote-host":
		return e.RemoteHost, e.RemoteIP != ""
	case "remote-ip":
		return e.RemoteIP, e.RemoteIP != ""
	case "version":
		return e.Version, e.Version != ""
	}
	return "", false
}

func buildEnvironment(c *compiler, a *call) testFunc {
	name := c.val(a, 0)
	m := c.matcher(a, c.vals(a, 1))
	if m == nil {
		return nil
	}
	return func(r *run) (bool, error) {
		// RFC 5183 §4: an item that does not exist fails the test, never
		// the script.
		v, ok := r.in.Environment.item(name.get(r))
		if !ok {
			return false, nil
		}
		return m.matchSingle(r, v), nil
	}
}
