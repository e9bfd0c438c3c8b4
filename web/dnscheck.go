package web

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Resolver is the part of *net.Resolver the DNS check uses; tests pass a
// fake one.
type Resolver interface {
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
	LookupTXT(ctx context.Context, name string) ([]string, error)
	LookupSRV(ctx context.Context, service, proto, name string) (string, []*net.SRV, error)
	LookupHost(ctx context.Context, host string) ([]string, error)
	LookupCNAME(ctx context.Context, host string) (string, error)
}

var _ Resolver = (*net.Resolver)(nil)

// Statuses of a RecordCheck.
const (
	CheckOK      = "ok"
	CheckMissing = "missing"
	CheckWrong   = "wrong"
	CheckFailed  = "could not check" // the lookup failed; Advice holds the error
)

// RecordCheck is what the DNS says about one advised record. Found lists
// the records published at its name that matter to it, in zone-file form;
// Advice tells what to change, or qualifies an "ok".
type RecordCheck struct {
	Record DNSRecord
	Status string
	Found  []string
	Advice string
}

// checkLookupTimeout bounds each lookup, so one slow name server cannot
// hold the page for long.
const checkLookupTimeout = 5 * time.Second

// defaultResolver is the system's resolver, preferring Go's own so the
// check does not depend on the C library's configuration.
var defaultResolver Resolver = &net.Resolver{PreferGo: true}

// CheckRecords looks up each record of want and compares what is published
// with what it advises, by meaning rather than by text: an SPF record with
// more mechanisms is fine as long as it lets this server send, host names
// compare without case or final dot, SRV records by target and port. The
// lookups run in parallel; the result is in want's order.
func CheckRecords(ctx context.Context, r Resolver, want []DNSRecord) []RecordCheck {
	out := make([]RecordCheck, len(want))
	var wg sync.WaitGroup
	for i, rec := range want {
		wg.Go(func() {
			lctx, cancel := context.WithTimeout(ctx, checkLookupTimeout)
			defer cancel()
			c := checkRecord(lctx, r, rec)
			c.Record = rec
			out[i] = c
		})
	}
	wg.Wait()
	return out
}

// lookupFailed turns a lookup error into a result: not found is "missing",
// anything else "could not check". It returns nil for a nil error.
func lookupFailed(err error) *RecordCheck {
	if err == nil {
		return nil
	}
	var de *net.DNSError
	if errors.As(err, &de) && de.IsNotFound {
		return &RecordCheck{Status: CheckMissing}
	}
	return &RecordCheck{Status: CheckFailed, Advice: err.Error()}
}

func checkRecord(ctx context.Context, r Resolver, want DNSRecord) RecordCheck {
	switch want.Type {
	case "MX":
		return checkMX(ctx, r, want)
	case "TXT":
		switch {
		case isSPF(want.Value):
			return checkSPF(ctx, r, want)
		case hasVersionTag(want.Value, "DMARC1"):
			return checkDMARC(ctx, r, want)
		case hasVersionTag(want.Value, "DKIM1"):
			return checkDKIM(ctx, r, want)
		}
		return checkTXT(ctx, r, want)
	case "SRV":
		return checkSRV(ctx, r, want)
	case "CNAME":
		return checkCNAME(ctx, r, want)
	case "A", "AAAA":
		return checkAddress(ctx, r, want)
	}
	return RecordCheck{Status: CheckFailed, Advice: "zest cannot check " + want.Type + " records"}
}

// sameHost compares DNS names as DNS does: without case, with or without
// the final dot.
func sameHost(a, b string) bool {
	return strings.EqualFold(strings.TrimSuffix(a, "."), strings.TrimSuffix(b, "."))
}

// fqdn is a name as the records show it: with its final dot.
func fqdn(s string) string { return strings.TrimSuffix(s, ".") + "." }

func checkMX(ctx context.Context, r Resolver, want DNSRecord) RecordCheck {
	wantHost := want.Value[strings.IndexByte(want.Value, ' ')+1:]
	mxs, err := r.LookupMX(ctx, want.Name)
	if len(mxs) == 0 {
		if c := lookupFailed(err); c != nil {
			return *c
		}
		return RecordCheck{Status: CheckMissing}
	}
	c := RecordCheck{Status: CheckWrong}
	for _, mx := range mxs {
		c.Found = append(c.Found, fmt.Sprintf("%d %s", mx.Pref, fqdn(mx.Host)))
		if sameHost(mx.Host, wantHost) {
			c.Status = CheckOK
		}
	}
	switch {
	case c.Status == CheckWrong:
		c.Advice = fmt.Sprintf("Mail for %s goes elsewhere: make %s its MX host.", want.Name, wantHost)
	case len(mxs) > 1:
		c.Advice = "Other MX hosts also receive this domain's mail: they must pass it on to this server."
	}
	return c
}

// txtWith returns the TXT records at name for which keep is true, and the
// failure to report if the lookup failed.
func txtWith(ctx context.Context, r Resolver, name string, keep func(string) bool) ([]string, *RecordCheck) {
	txts, err := r.LookupTXT(ctx, name)
	if err != nil && len(txts) == 0 {
		return nil, lookupFailed(err)
	}
	var out []string
	for _, t := range txts {
		if keep(t) {
			out = append(out, t)
		}
	}
	return out, nil
}

func isSPF(s string) bool {
	return len(s) >= 6 && strings.EqualFold(s[:6], "v=spf1") && (len(s) == 6 || s[6] == ' ')
}

// hasVersionTag reports whether a tag=value record (DMARC, DKIM) starts with
// v=<version>.
func hasVersionTag(s, version string) bool {
	tags := parseTags(s)
	return len(tags) > 0 && tags[0].name == "v" && strings.EqualFold(tags[0].value, version)
}

type tag struct{ name, value string }

// parseTags splits a DKIM or DMARC tag list (RFC 6376 §3.2): tags separated
// by ';', names lower-cased, whitespace around values dropped.
func parseTags(s string) []tag {
	var out []tag
	for part := range strings.SplitSeq(s, ";") {
		name, value, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		out = append(out, tag{strings.ToLower(strings.TrimSpace(name)), strings.TrimSpace(value)})
	}
	return out
}

func tagValue(tags []tag, name string) (string, bool) {
	for _, t := range tags {
		if t.name == name {
			return t.value, true
		}
	}
	return "", false
}

// spfMechanism splits an SPF term into its qualifier and its mechanism,
// lower-cased, with a domain-spec equal to owner dropped: "mx:Example.org"
// at example.org is "mx".
func spfMechanism(term, owner string) (qualifier byte, mech string) {
	qualifier = '+'
	if term != "" && strings.IndexByte("+-~?", term[0]) >= 0 {
		qualifier, term = term[0], term[1:]
	}
	term = strings.ToLower(term)
	if name, arg, ok := strings.Cut(term, ":"); ok && sameHost(arg, owner) {
		term = name
	}
	return qualifier, term
}

// checkSPF checks that the one SPF record at the name passes this server,
// as the advised record's pass mechanisms ("mx", "a") would, before any
// "all" ends the evaluation (RFC 7208 §4.6.2). zest does not follow
// include: or redirect=, which need more lookups.
func checkSPF(ctx context.Context, r Resolver, want DNSRecord) RecordCheck {
	spfs, fail := txtWith(ctx, r, want.Name, isSPF)
	if fail != nil {
		return *fail
	}
	c := RecordCheck{Found: spfs}
	switch len(spfs) {
	case 0:
		c.Status = CheckMissing
		return c
	case 1:
	default:
		c.Status = CheckWrong
		c.Advice = fmt.Sprintf("%s has %d SPF records: receivers treat that as an error (RFC 7208 §4.5). Merge them into one.", want.Name, len(spfs))
		return c
	}
	var needed []string
	for _, term := range strings.Fields(want.Value)[1:] {
		if q, m := spfMechanism(term, want.Name); q == '+' && m != "all" {
			needed = append(needed, m)
		}
	}
	allows, all, indirect := false, byte(0), false
	for _, term := range strings.Fields(spfs[0])[1:] {
		q, m := spfMechanism(term, want.Name)
		if strings.HasPrefix(m, "include:") || strings.HasPrefix(m, "redirect=") {
			indirect = true
		}
		if m == "all" {
			all = q
			break
		}
		if slices.Contains(needed, m) {
			if q != '+' {
				c.Status = CheckWrong
				c.Advice = fmt.Sprintf("The SPF record says %q: it must pass this server (%q).", term, m)
				return c
			}
			allows = true
		}
	}
	switch {
	case all == '+':
		c.Status = CheckWrong
		c.Advice = `"+all" lets anyone send mail as ` + want.Name + `: end the record with "-all".`
	case !allows:
		c.Status = CheckWrong
		c.Advice = fmt.Sprintf("The SPF record does not name %q before its \"all\": receivers may reject this server's mail. Add it.", strings.Join(needed, " "))
		if indirect {
			c.Advice += " (zest does not follow include: or redirect=.)"
		}
	default:
		c.Status = CheckOK
		if all != '-' {
			c.Advice = `Ending the record with "-all" lets receivers refuse forged mail outright.`
		}
	}
	return c
}

// checkDMARC checks for one DMARC record whose policy is at least as strict
// as the advised one (RFC 7489 §6.6.3: several records count as none).
func checkDMARC(ctx context.Context, r Resolver, want DNSRecord) RecordCheck {
	recs, fail := txtWith(ctx, r, want.Name, func(s string) bool { return hasVersionTag(s, "DMARC1") })
	if fail != nil {
		return *fail
	}
	c := RecordCheck{Found: recs}
	switch len(recs) {
	case 0:
		c.Status = CheckMissing
		return c
	case 1:
	default:
		c.Status = CheckWrong
		c.Advice = fmt.Sprintf("%s has %d DMARC records: receivers then apply none. Keep one.", want.Name, len(recs))
		return c
	}
	strictness := map[string]int{"none": 1, "quarantine": 2, "reject": 3}
	wantP, _ := tagValue(parseTags(want.Value), "p")
	tags := parseTags(recs[0])
	p, _ := tagValue(tags, "p")
	got := strictness[strings.ToLower(p)]
	switch {
	case got == 0:
		c.Status = CheckWrong
		c.Advice = fmt.Sprintf("The DMARC record's policy p=%q is not none, quarantine or reject: receivers ignore the record.", p)
	case got < strictness[wantP]:
		c.Status = CheckWrong
		c.Advice = fmt.Sprintf("p=%s asks receivers to do nothing with forged mail; p=%s protects the domain.", p, wantP)
	default:
		c.Status = CheckOK
		if _, ok := tagValue(tags, "rua"); !ok {
			c.Advice = "Without rua= nobody receives the reports that show who sends mail as this domain."
		}
	}
	return c
}

// dkimKeyData is a DKIM record's p= with the whitespace a key may be
// folded with removed, and its k= (rsa by default, RFC 6376 §3.6.1).
func dkimKeyData(s string) (k, p string) {
	tags := parseTags(s)
	k, ok := tagValue(tags, "k")
	if !ok {
		k = "rsa"
	}
	p, _ = tagValue(tags, "p")
	return strings.ToLower(k), strings.Join(strings.Fields(p), "")
}

// checkDKIM checks that the selector publishes this server's key, and only
// it.
func checkDKIM(ctx context.Context, r Resolver, want DNSRecord) RecordCheck {
	recs, fail := txtWith(ctx, r, want.Name, func(s string) bool {
		_, p := dkimKeyData(s)
		return p != "" || hasVersionTag(s, "DKIM1")
	})
	if fail != nil {
		return *fail
	}
	c := RecordCheck{Found: recs}
	if len(recs) == 0 {
		c.Status = CheckMissing
		return c
	}
	wk, wp := dkimKeyData(want.Value)
	k, p := dkimKeyData(recs[0])
	switch {
	case len(recs) > 1:
		c.Status = CheckWrong
		c.Advice = "Several DKIM records under one selector: verifiers may pick the wrong one. Keep only this one."
	case k != wk || p != wp:
		c.Status = CheckWrong
		c.Advice = "The published key is not this server's key: its signatures will fail. Replace the record."
	default:
		c.Status = CheckOK
	}
	return c
}

// checkTXT compares any other TXT record exactly.
func checkTXT(ctx context.Context, r Resolver, want DNSRecord) RecordCheck {
	recs, fail := txtWith(ctx, r, want.Name, func(string) bool { return true })
	if fail != nil {
		return *fail
	}
	c := RecordCheck{Found: recs, Status: CheckMissing}
	if slices.Contains(recs, want.Value) {
		c.Status = CheckOK
	}
	return c
}

// checkSRV compares SRV records by target and port. The advised "0 0 0 ."
// (service off, RFC 6186 §4) is matched by a "." target.
func checkSRV(ctx context.Context, r Resolver, want DNSRecord) RecordCheck {
	f := strings.Fields(want.Value)
	if len(f) != 4 {
		return RecordCheck{Status: CheckFailed, Advice: fmt.Sprintf("advised SRV value %q is not priority weight port target", want.Value)}
	}
	wantPort, _ := strconv.Atoi(f[2])
	wantTarget := f[3]
	_, srvs, err := r.LookupSRV(ctx, "", "", want.Name)
	if len(srvs) == 0 {
		if c := lookupFailed(err); c != nil {
			return *c
		}
		return RecordCheck{Status: CheckMissing}
	}
	c := RecordCheck{Status: CheckWrong}
	for _, s := range srvs {
		c.Found = append(c.Found, fmt.Sprintf("%d %d %d %s", s.Priority, s.Weight, s.Port, fqdn(s.Target)))
		switch {
		case wantTarget == "." && s.Target == ".":
			c.Status = CheckOK
		case wantTarget != "." && sameHost(s.Target, wantTarget) && int(s.Port) == wantPort:
			c.Status = CheckOK
		}
	}
	switch {
	case c.Status == CheckOK && wantTarget == "." && len(srvs) > 1:
		c.Status = CheckWrong
		c.Advice = "The service is off here, yet other records still advertise it."
	case c.Status == CheckWrong && wantTarget == ".":
		c.Advice = "This service is off on this server: clients following this record will fail. Publish \"0 0 0 .\" instead."
	case c.Status == CheckWrong:
		c.Advice = fmt.Sprintf("Clients are sent elsewhere: the record must point at %s port %d.", wantTarget, wantPort)
	}
	return c
}

// checkCNAME accepts the advised alias, or address records equal to the
// target's, which work the same until the server moves.
func checkCNAME(ctx context.Context, r Resolver, want DNSRecord) RecordCheck {
	canon, err := r.LookupCNAME(ctx, want.Name)
	if c := lookupFailed(err); c != nil {
		return *c
	}
	if sameHost(canon, want.Value) {
		return RecordCheck{Status: CheckOK, Found: []string{fqdn(canon)}}
	}
	c := RecordCheck{Status: CheckWrong}
	if !sameHost(canon, want.Name) {
		c.Found = []string{fqdn(canon)}
		c.Advice = fmt.Sprintf("%s is an alias of %s, not of %s.", want.Name, fqdn(canon), want.Value)
		return c
	}
	got, err := r.LookupHost(ctx, want.Name)
	if f := lookupFailed(err); f != nil {
		return *f
	}
	target, err := r.LookupHost(ctx, strings.TrimSuffix(want.Value, "."))
	if f := lookupFailed(err); f != nil && f.Status != CheckMissing {
		return *f
	}
	c.Found = got
	if len(got) > 0 && len(target) > 0 && !slices.ContainsFunc(got, func(a string) bool { return !slices.Contains(target, a) }) {
		c.Status = CheckOK
		c.Advice = fmt.Sprintf("Address records instead of an alias work, but must change whenever %s's address does.", want.Value)
		return c
	}
	c.Advice = fmt.Sprintf("%s does not lead to %s: make it a CNAME of %s.", want.Name, want.Value, want.Value)
	return c
}

// checkAddress checks that the host name has the advised address among
// its addresses of that family.
func checkAddress(ctx context.Context, r Resolver, want DNSRecord) RecordCheck {
	wantIP, err := netip.ParseAddr(want.Value)
	if err != nil {
		return RecordCheck{Status: CheckFailed, Advice: err.Error()}
	}
	addrs, err := r.LookupHost(ctx, want.Name)
	if c := lookupFailed(err); c != nil {
		return *c
	}
	c := RecordCheck{Status: CheckMissing}
	for _, a := range addrs {
		ip, err := netip.ParseAddr(a)
		if err != nil || ip.Unmap().Is4() != wantIP.Is4() {
			continue
		}
		c.Found = append(c.Found, a)
		if ip.Unmap() == wantIP.Unmap() {
			c.Status = CheckOK
		} else if c.Status == CheckMissing {
			c.Status = CheckWrong
		}
	}
	if c.Status == CheckWrong {
		c.Advice = fmt.Sprintf("%s points at another address: mail and clients will not reach this server.", want.Name)
	}
	return c
}
