package web

import (
	"fmt"
	"net/netip"
	"strings"

	"zest/storage"
)

// DNSRecord is one record an administrator publishes for a mail domain.
// Name is the owner name, fully qualified without the final dot, as most
// DNS providers take it. Value is the record data in zone-file form: TXT
// unquoted (providers quote and split it themselves; ZoneFile does both),
// host names with their final dot, and for MX and SRV the whole data with
// the priority first ("10 mail.example.org.", "0 0 993 mail.example.org.").
// Priority repeats the MX or SRV priority for providers that ask for it in
// a field of its own. Why says in a sentence what the record is for.
type DNSRecord struct {
	Name     string
	Type     string
	Value    string
	Priority int
	Why      string
}

// The policies zest advises. SPF allows the domain's MX hosts and no one
// else: zest sends its outbound mail itself, from the MX host. DMARC asks
// receivers to quarantine mail failing both SPF and DKIM rather than reject
// it: a new setup that gets something wrong loses no mail, it lands in spam
// while the aggregate reports to postmaster show what to fix; p=reject is the
// step after.
const (
	advisedSPF   = "v=spf1 mx -all"
	advisedDMARC = "v=DMARC1; p=quarantine; rua=mailto:postmaster@%s"
)

// Preferences in the advised records. RFC 6186 §3.4 lets the SRV priority
// choose between the services; RFC 8314 §3 prefers implicit TLS.
const (
	mxPreference       = 10
	srvImplicitTLS     = 0
	srvSTARTTLS        = 10
	autodiscoverPort   = 443
	rfc6186Unavailable = "0 0 0 ."
)

// RecordsFor lists the DNS records domain needs for mail to and from this
// server: MX; the server's address records when the host name is in the
// domain and ips are given; SPF and DMARC; the DKIM key when dkim is not
// nil; the RFC 6186 / RFC 8314 SRV records, with "0 0 0 ." for a service
// that is off; a ManageSieve SRV record when it is on (RFC 5804 §1.8); and
// the names Thunderbird and Outlook ask for their settings.
func RecordsFor(domain string, s Services, dkim *storage.DKIMKey, ips []netip.Addr) []DNSRecord {
	domain = strings.ToLower(strings.TrimSuffix(domain, "."))
	host := strings.ToLower(strings.TrimSuffix(s.Hostname, "."))
	target := host + "."
	var out []DNSRecord
	add := func(name, typ, value string, prio int, why string) {
		out = append(out, DNSRecord{Name: name, Type: typ, Value: value, Priority: prio, Why: why})
	}

	add(domain, "MX", fmt.Sprintf("%d %s", mxPreference, target), mxPreference,
		fmt.Sprintf("Other servers deliver mail for %s to %s.", domain, host))
	if host == domain || strings.HasSuffix(host, "."+domain) {
		for _, ip := range ips {
			ip = ip.Unmap()
			if !ip.IsValid() || ip.IsLoopback() || ip.IsUnspecified() || ip.IsLinkLocalUnicast() {
				continue
			}
			typ := "A"
			if ip.Is6() {
				typ = "AAAA"
			}
			add(host, typ, ip.String(), 0, fmt.Sprintf("%s, the mail server, is at %s.", host, ip))
		}
	}
	add(domain, "TXT", advisedSPF, 0,
		fmt.Sprintf("SPF: only %s's MX hosts send its mail; receivers may reject mail from anywhere else.", domain))
	if host != domain && strings.HasSuffix(host, "."+domain) {
		add(host, "TXT", "v=spf1 a -all", 0,
			fmt.Sprintf("SPF for the name %s greets other servers with: it sends from its own address.", host))
	}
	add("_dmarc."+domain, "TXT", fmt.Sprintf(advisedDMARC, domain), 0,
		"DMARC: mail claiming to be from "+domain+" that fails both SPF and DKIM goes to spam; daily reports go to postmaster@"+domain+". Once they show only your own mail passing, p=reject is the stricter step.")
	if dkim != nil {
		if name, value, err := DKIMRecord(*dkim); err == nil {
			add(name, "TXT", value, 0, "DKIM: the public key that verifies the signature this server puts on "+domain+"'s outgoing mail.")
		}
	}

	srv := func(service string, port, prio int, what string) {
		name := "_" + service + "._tcp." + domain
		if port == 0 {
			add(name, "SRV", rfc6186Unavailable, 0, what+" is off: this record tells mail clients not to try it (RFC 6186 §4).")
			return
		}
		add(name, "SRV", fmt.Sprintf("%d 0 %d %s", prio, port, target), prio,
			fmt.Sprintf("Mail clients find %s at %s port %d (RFC 6186).", what, host, port))
	}
	srv("imaps", s.IMAPS, srvImplicitTLS, "IMAP over TLS")
	srv("imap", s.IMAP, srvSTARTTLS, "IMAP with STARTTLS")
	srv("submissions", s.Submissions, srvImplicitTLS, "sending over TLS")
	srv("submission", s.Submission, srvSTARTTLS, "sending with STARTTLS")
	if s.ManageSieve > 0 {
		add("_sieve._tcp."+domain, "SRV", fmt.Sprintf("0 0 %d %s", s.ManageSieve, target), 0,
			fmt.Sprintf("Sieve filter editors find ManageSieve at %s port %d (RFC 5804).", host, s.ManageSieve))
	}
	add("autoconfig."+domain, "CNAME", target, 0,
		"Thunderbird fetches its settings from https://autoconfig."+domain+"/ (the web page must answer there, with a certificate for that name).")
	add("autodiscover."+domain, "CNAME", target, 0,
		"Outlook fetches its settings from https://autodiscover."+domain+"/ (the web page must answer there, with a certificate for that name).")
	add("_autodiscover._tcp."+domain, "SRV", fmt.Sprintf("0 0 %d %s", autodiscoverPort, target), 0,
		"Outlook's fallback: its settings from https://"+host+"/, whose certificate it already trusts (the web page must answer on port 443).")
	return out
}

// ZoneFile renders records as lines of a zone file (RFC 1035 §5), for
// providers that import one: names fully qualified, TXT data quoted and
// split into strings of at most 255 bytes.
func ZoneFile(records []DNSRecord) string {
	var b strings.Builder
	for _, r := range records {
		value := r.Value
		if r.Type == "TXT" {
			value = quoteTXT(value)
		}
		fmt.Fprintf(&b, "%s.\t3600\tIN\t%s\t%s\n", r.Name, r.Type, value)
	}
	return b.String()
}

// quoteTXT splits s into quoted character-strings of at most 255 bytes
// (RFC 1035 §3.3.14), escaping quotes and backslashes.
func quoteTXT(s string) string {
	var parts []string
	for len(s) > 0 {
		n := min(len(s), 255)
		chunk := strings.ReplaceAll(strings.ReplaceAll(s[:n], `\`, `\\`), `"`, `\"`)
		parts = append(parts, `"`+chunk+`"`)
		s = s[n:]
	}
	if len(parts) == 0 {
		return `""`
	}
	return strings.Join(parts, " ")
}
