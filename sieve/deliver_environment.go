package sieve

import "context"

// The environment test at delivery (RFC 5183): the Deliverer knows the
// server (Deliverer.Environment), the protocol layer knows the client and
// passes it with the delivery's context, as net/http passes a request's
// local address.

type remoteKey struct{}

type remote struct{ ip, host string }

// WithRemote returns ctx carrying the SMTP or LMTP client of a delivery:
// its IP address (RFC 3986 form, IPv6 without brackets) and its verified
// host name, "" when unknown. The environment test reports them as
// "remote-ip" and "remote-host".
func WithRemote(ctx context.Context, ip, host string) context.Context {
	return context.WithValue(ctx, remoteKey{}, remote{ip, host})
}

// environment is the Deliverer's environment with the delivery's client.
func (d *Deliverer) environment(ctx context.Context) Environment {
	env := d.Environment
	if r, ok := ctx.Value(remoteKey{}).(remote); ok {
		env.RemoteIP, env.RemoteHost = r.ip, r.host
	}
	return env
}
