package main

import (
	"crypto/rand"
	"crypto/tls"
	"net"
	"net/netip"
	"sync"
	"time"

	"zest/smtp"
	"zest/web"
)

// newSetupCode is the one-time code that lets a browser on another machine
// run first-run setup: 10 characters of base32, about 50 bits.
func newSetupCode() string { return rand.Text()[:10] }

// publicAddresses are this machine's public IP addresses, for the A and
// AAAA records the web page advises. A home server behind NAT has none:
// its private address must not be published, and the page then leaves
// those records to the administrator.
func publicAddresses() []netip.Addr {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil
	}
	var out []netip.Addr
	for _, a := range addrs {
		p, err := netip.ParsePrefix(a.String())
		if err != nil {
			continue
		}
		ip := p.Addr().Unmap()
		if ip.IsGlobalUnicast() && !ip.IsPrivate() {
			out = append(out, ip)
		}
	}
	return out
}

// listenMap is the [listen] table as key → address.
func listenMap(l ListenConfig) map[string]string {
	m := map[string]string{}
	for _, x := range l.Listeners() {
		m[x.Key] = x.Addr
	}
	return m
}

// webTLS is the web page's TLS: HTTPS with a configured certificate, and
// with the self-signed one when the page listens beyond loopback (a
// password must not cross the network in clear); plain HTTP on loopback
// with a self-signed certificate, which a browser would only warn about.
func webTLS(cfg Config, tlsConfig *tls.Config) *tls.Config {
	if cfg.TLS.Cert != "" || tlsConfig == nil {
		return tlsConfig
	}
	host, _, err := net.SplitHostPort(cfg.Listen.Web)
	if err != nil {
		return tlsConfig
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() || host == "localhost" {
		return nil
	}
	return tlsConfig
}

// listenerSet records the listeners and whether each still serves, for
// the status page.
type listenerSet struct {
	mu   sync.Mutex
	list []web.ListenerStatus
}

func (l *listenerSet) add(name, addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.list = append(l.list, web.ListenerStatus{Name: name, Addr: addr, Up: true})
}

// serve runs serveFn on ln and marks the listener down when it returns.
func (l *listenerSet) serve(name string, serveFn func(net.Listener) error, ln net.Listener) error {
	err := serveFn(ln)
	l.mu.Lock()
	for i := range l.list {
		if l.list[i].Name == name {
			l.list[i].Up = false
		}
	}
	l.mu.Unlock()
	return err
}

// addr is where the listener called name listens, "" if it does not.
func (l *listenerSet) addr(name string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range l.list {
		if s.Name == name {
			return s.Addr
		}
	}
	return ""
}

func (l *listenerSet) statuses() []web.ListenerStatus {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]web.ListenerStatus(nil), l.list...)
}

// deliveryLog shows the SMTP server's journal to the web page, which
// knows nothing of the SMTP server.
type deliveryLog struct{ j *smtp.Journal }

func (d deliveryLog) Recent(n int) []web.Delivery {
	entries := d.j.Recent(n)
	out := make([]web.Delivery, len(entries))
	for i, e := range entries {
		out[i] = web.Delivery{Time: e.Time, From: e.From, To: e.To, Delivered: e.Delivered, Reply: e.Reply}
	}
	return out
}

func (d deliveryLog) Today(now time.Time) (delivered, rejected int) { return d.j.Today(now) }
