package web

import (
	"cmp"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/mail"
	"slices"
	"strconv"
	"strings"
)

// Client autoconfiguration: three formats that tell a mail client which
// servers, ports and security to use for an address, so a user types only
// the address and password. All answer from the same Services value, list
// implicit TLS first (RFC 8314 §3 prefers it to STARTTLS) and leave out the
// services that are off.

// Services is what a mail client needs to know about this server: its host
// name and the port of each service, 0 when the service is off.
type Services struct {
	Hostname    string
	IMAP        int // IMAP with STARTTLS
	IMAPS       int // IMAP over implicit TLS
	Submission  int // submission with STARTTLS
	Submissions int // submission over implicit TLS
	ManageSieve int
}

// ServicesFromListen reads the ports from the [listen] table (keys imap,
// imaps, submission, submissions, managesieve; values "host:port"). An empty,
// unparsable or zero port leaves that service off. The ports are those the
// server listens on: behind a port forward the caller should set the public
// ones instead.
func ServicesFromListen(hostname string, listen map[string]string) Services {
	port := func(key string) int {
		_, p, err := net.SplitHostPort(listen[key])
		if err != nil {
			return 0
		}
		n, err := strconv.ParseUint(p, 10, 16)
		if err != nil {
			return 0
		}
		return int(n)
	}
	return Services{
		Hostname:    strings.ToLower(strings.TrimSuffix(hostname, ".")),
		IMAP:        port("imap"),
		IMAPS:       port("imaps"),
		Submission:  port("submission"),
		Submissions: port("submissions"),
		ManageSieve: port("managesieve"),
	}
}

// endpoint is one way to reach a service.
type endpoint struct {
	port        int
	implicitTLS bool // else STARTTLS
}

// incoming lists the IMAP endpoints, preferred first.
func (s Services) incoming() []endpoint { return s.endpoints(s.IMAPS, s.IMAP) }

// outgoing lists the submission endpoints, preferred first.
func (s Services) outgoing() []endpoint { return s.endpoints(s.Submissions, s.Submission) }

func (s Services) endpoints(implicit, starttls int) []endpoint {
	var out []endpoint
	if implicit > 0 {
		out = append(out, endpoint{implicit, true})
	}
	if starttls > 0 {
		out = append(out, endpoint{starttls, false})
	}
	return out
}

// maxAutoconfigRequest bounds an autodiscover request body; real ones are
// a few hundred bytes.
const maxAutoconfigRequest = 64 << 10

// parseAddress checks an e-mail address as a client sends it and returns
// it, its display name if any, and its lower-case domain.
func parseAddress(s string) (addr, name, domain string, err error) {
	a, err := mail.ParseAddress(strings.TrimSpace(s))
	if err != nil {
		return "", "", "", fmt.Errorf("%q is not an e-mail address: %w", s, err)
	}
	at := strings.LastIndexByte(a.Address, '@')
	return a.Address, a.Name, strings.ToLower(a.Address[at+1:]), nil
}

// writeXML sends v as an XML document.
func writeXML(w http.ResponseWriter, contentType string, v any) {
	out, err := xml.MarshalIndent(v, "", "  ")
	if err != nil {
		// Only a programming error makes these fixed structures fail.
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "no-store")
	io.WriteString(w, xml.Header)
	w.Write(out)
	io.WriteString(w, "\n")
}

// allowMethods answers 405 unless r's method is one of methods; it reports
// whether the handler should go on.
func allowMethods(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	if slices.Contains(methods, r.Method) {
		return true
	}
	w.Header().Set("Allow", strings.Join(methods, ", "))
	http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	return false
}

// Thunderbird autoconfig: the ISPDB "clientConfig" format, version 1.1
// (https://wiki.mozilla.org/Thunderbird:Autoconfiguration:ConfigFileFormat).

type tbConfig struct {
	XMLName  xml.Name   `xml:"clientConfig"`
	Version  string     `xml:"version,attr"`
	Provider tbProvider `xml:"emailProvider"`
}

type tbProvider struct {
	ID               string     `xml:"id,attr"`
	Domain           string     `xml:"domain"`
	DisplayName      string     `xml:"displayName"`
	DisplayShortName string     `xml:"displayShortName"`
	Incoming         []tbServer `xml:"incomingServer"`
	Outgoing         []tbServer `xml:"outgoingServer"`
}

type tbServer struct {
	Type           string `xml:"type,attr"`
	Hostname       string `xml:"hostname"`
	Port           int    `xml:"port"`
	SocketType     string `xml:"socketType"` // SSL (implicit TLS) or STARTTLS
	Authentication string `xml:"authentication"`
	Username       string `xml:"username"`
}

func tbServers(typ, host string, eps []endpoint) []tbServer {
	var out []tbServer
	for _, ep := range eps {
		sock := "STARTTLS"
		if ep.implicitTLS {
			sock = "SSL"
		}
		out = append(out, tbServer{
			Type:           typ,
			Hostname:       host,
			Port:           ep.port,
			SocketType:     sock,
			Authentication: "password-cleartext", // inside TLS only
			Username:       "%EMAILADDRESS%",
		})
	}
	return out
}

// ThunderbirdAutoconfig answers Thunderbird's autoconfig requests, GET
// /.well-known/autoconfig/mail/config-v1.1.xml on the mail domain and GET
// /mail/config-v1.1.xml on autoconfig.<domain>, both with
// ?emailaddress=<address>. Without the parameter the domain comes from the
// Host header (older Thunderbird sends none). isLocal says whether this
// server receives mail for a domain; other domains get 404, so the client
// moves on to its next method instead of using a wrong server.
func ThunderbirdAutoconfig(s Services, isLocal func(domain string) bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !allowMethods(w, r, http.MethodGet, http.MethodHead) {
			return
		}
		var domain string
		if a := r.URL.Query().Get("emailaddress"); a != "" {
			_, _, d, err := parseAddress(a)
			if err != nil {
				http.Error(w, "emailaddress: "+err.Error(), http.StatusBadRequest)
				return
			}
			domain = d
		} else {
			host := r.Host
			if h, _, err := net.SplitHostPort(host); err == nil {
				host = h
			}
			domain = strings.TrimPrefix(strings.ToLower(strings.TrimSuffix(host, ".")), "autoconfig.")
		}
		if !isLocal(domain) {
			http.Error(w, fmt.Sprintf("this server does not receive mail for %q", domain), http.StatusNotFound)
			return
		}
		in, out := s.incoming(), s.outgoing()
		if len(in) == 0 && len(out) == 0 {
			http.Error(w, "this server offers neither IMAP nor submission", http.StatusNotFound)
			return
		}
		writeXML(w, "application/xml; charset=utf-8", tbConfig{
			Version: "1.1",
			Provider: tbProvider{
				ID:               domain,
				Domain:           domain,
				DisplayName:      domain + " mail",
				DisplayShortName: domain,
				Incoming:         tbServers("imap", s.Hostname, in),
				Outgoing:         tbServers("smtp", s.Hostname, out),
			},
		})
	})
}

// Outlook autodiscover, the POX ("plain old XML") protocol: a request
// carrying EMailAddress, answered in the 2006a "outlook" response schema
// ([MS-OXDSCLI] §2.2.4).

const (
	adRequestNS   = "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"
	adResponseNS  = "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"
	adOutlookNS   = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"
	adContentType = "text/xml; charset=utf-8"
)

type adRequest struct {
	XMLName xml.Name `xml:"Autodiscover"`
	Request struct {
		EMailAddress             string `xml:"EMailAddress"`
		AcceptableResponseSchema string `xml:"AcceptableResponseSchema"`
	} `xml:"Request"`
}

type adResponse struct {
	XMLName  xml.Name `xml:"Autodiscover"`
	NS       string   `xml:"xmlns,attr"`
	Response struct {
		NS      string     `xml:"xmlns,attr,omitempty"`
		Account *adAccount `xml:"Account,omitempty"`
		Error   *adError   `xml:"Error,omitempty"`
	} `xml:"Response"`
}

type adAccount struct {
	AccountType string       `xml:"AccountType"`
	Action      string       `xml:"Action"`
	Protocol    []adProtocol `xml:"Protocol"`
}

type adProtocol struct {
	Type           string `xml:"Type"`
	Server         string `xml:"Server"`
	Port           int    `xml:"Port"`
	DomainRequired string `xml:"DomainRequired"`
	LoginName      string `xml:"LoginName"`
	SPA            string `xml:"SPA"` // Microsoft's NTLM login: off, we take passwords
	SSL            string `xml:"SSL"`
	Encryption     string `xml:"Encryption"` // overrides SSL: SSL is implicit TLS, TLS is STARTTLS
	AuthRequired   string `xml:"AuthRequired"`
}

type adError struct {
	ErrorCode int    `xml:"ErrorCode"`
	Message   string `xml:"Message"`
}

// Autodiscover error codes ([MS-OXDSCLI] §2.2.4.2.1.2).
const (
	adUnknownAddress   = 500
	adInvalidRequest   = 600
	adSchemaNotOffered = 601
)

func adFailure(code int, msg string) adResponse {
	var r adResponse
	r.NS = adResponseNS
	r.Response.Error = &adError{ErrorCode: code, Message: msg}
	return r
}

// adProtocolFor is the one Protocol entry for a service: Outlook uses the
// first entry of each Type, so only the preferred endpoint is offered.
func adProtocolFor(typ, host, login string, eps []endpoint) []adProtocol {
	if len(eps) == 0 {
		return nil
	}
	ep := eps[0]
	p := adProtocol{
		Type: typ, Server: host, Port: ep.port, DomainRequired: "off",
		LoginName: login, SPA: "off", SSL: "on", Encryption: "SSL", AuthRequired: "on",
	}
	if !ep.implicitTLS {
		p.SSL, p.Encryption = "off", "TLS"
	}
	return []adProtocol{p}
}

// OutlookAutodiscover answers POST /autodiscover/autodiscover.xml. A GET,
// which some clients send to probe, is answered the same way when it names
// the address in ?email= (or ?emailaddress=), else with error 600 as
// Exchange does. A body that is not XML gets 400; an address of a domain
// this server does not receive mail for gets the protocol's error 500.
func OutlookAutodiscover(s Services, isLocal func(domain string) bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !allowMethods(w, r, http.MethodPost, http.MethodGet) {
			return
		}
		var address string
		if r.Method == http.MethodGet {
			q := r.URL.Query()
			address = cmp.Or(q.Get("email"), q.Get("emailaddress"))
			if address == "" {
				writeXML(w, adContentType, adFailure(adInvalidRequest, "Invalid Request"))
				return
			}
		} else {
			var req adRequest
			err := xml.NewDecoder(http.MaxBytesReader(w, r.Body, maxAutoconfigRequest)).Decode(&req)
			var tooLarge *http.MaxBytesError
			switch {
			case errors.As(err, &tooLarge):
				http.Error(w, "autodiscover request too large", http.StatusRequestEntityTooLarge)
				return
			case err != nil:
				http.Error(w, "autodiscover request is not valid XML: "+err.Error(), http.StatusBadRequest)
				return
			case req.XMLName.Space != adRequestNS:
				http.Error(w, fmt.Sprintf("autodiscover request in namespace %q, want %q", req.XMLName.Space, adRequestNS), http.StatusBadRequest)
				return
			}
			if sch := strings.TrimSpace(req.Request.AcceptableResponseSchema); sch != "" && sch != adOutlookNS {
				// Exchange ActiveSync clients ask for the mobilesync schema: not a service here.
				writeXML(w, adContentType, adFailure(adSchemaNotOffered, "Requested schema version not supported"))
				return
			}
			address = req.Request.EMailAddress
		}
		addr, _, domain, err := parseAddress(address)
		if err != nil {
			writeXML(w, adContentType, adFailure(adInvalidRequest, "Invalid Request: "+err.Error()))
			return
		}
		if !isLocal(domain) {
			writeXML(w, adContentType, adFailure(adUnknownAddress, "The e-mail address cannot be found."))
			return
		}
		var resp adResponse
		resp.NS = adResponseNS
		resp.Response.NS = adOutlookNS
		resp.Response.Account = &adAccount{
			AccountType: "email",
			Action:      "settings",
			Protocol: append(adProtocolFor("IMAP", s.Hostname, addr, s.incoming()),
				adProtocolFor("SMTP", s.Hostname, addr, s.outgoing())...),
		}
		writeXML(w, adContentType, resp)
	})
}

// Apple configuration profile: a property list with one
// com.apple.mail.managed payload (Apple's "Configuration Profile Reference",
// Mail payload). The profile is not signed, so iOS and macOS show it as
// "unverified" before installing it.

// plist writes the subset of the XML property list format a profile needs,
// escaping every string through encoding/xml.
type plist struct{ b strings.Builder }

func (p *plist) text(s string) {
	xml.EscapeText(&p.b, []byte(s))
}

func (p *plist) key(k string) {
	p.b.WriteString("<key>")
	p.text(k)
	p.b.WriteString("</key>")
}

func (p *plist) str(k, v string) {
	p.key(k)
	p.b.WriteString("<string>")
	p.text(v)
	p.b.WriteString("</string>\n")
}

func (p *plist) integer(k string, v int) {
	p.key(k)
	fmt.Fprintf(&p.b, "<integer>%d</integer>\n", v)
}

func (p *plist) boolean(k string, v bool) {
	p.key(k)
	if v {
		p.b.WriteString("<true/>\n")
	} else {
		p.b.WriteString("<false/>\n")
	}
}

// newUUID returns a random (version 4) UUID, as profiles want in
// PayloadUUID.
func newUUID() string {
	var u [16]byte
	rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	h := hex.EncodeToString(u[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// profileIdentifier is a reverse-DNS identifier stable for one address on
// one server, so installing a newer profile for the address replaces the
// old one instead of adding a second account. The address is hashed: its
// characters are not all allowed in an identifier.
func profileIdentifier(hostname, addr string) string {
	labels := strings.Split(hostname, ".")
	slices.Reverse(labels)
	sum := sha256.Sum256([]byte(strings.ToLower(addr)))
	return strings.Join(labels, ".") + ".zest.mail." + hex.EncodeToString(sum[:10])
}

// AppleProfile answers GET /apple/mobileconfig?email=<address> with a
// configuration profile that sets up the account in Apple Mail on iOS and
// macOS. It holds no password: the device asks for it. UseSSL is true for
// STARTTLS ports too: Apple Mail then uses STARTTLS on them. An invalid
// address gets 400, a domain this server does not receive mail for 404.
func AppleProfile(s Services, isLocal func(domain string) bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !allowMethods(w, r, http.MethodGet, http.MethodHead) {
			return
		}
		addr, name, domain, err := parseAddress(r.URL.Query().Get("email"))
		if err != nil {
			http.Error(w, "email: "+err.Error(), http.StatusBadRequest)
			return
		}
		if !isLocal(domain) {
			http.Error(w, fmt.Sprintf("this server does not receive mail for %q", domain), http.StatusNotFound)
			return
		}
		in, out := s.incoming(), s.outgoing()
		if len(in) == 0 || len(out) == 0 {
			// The Mail payload requires both servers.
			http.Error(w, "this server needs both IMAP and submission on for an Apple profile", http.StatusNotFound)
			return
		}
		id := profileIdentifier(s.Hostname, addr)
		var p plist
		p.b.WriteString(xml.Header)
		p.b.WriteString(`<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">` + "\n")
		p.b.WriteString(`<plist version="1.0">` + "\n<dict>\n")
		p.key("PayloadContent")
		p.b.WriteString("<array>\n<dict>\n")
		p.str("EmailAccountDescription", addr)
		p.str("EmailAccountName", cmp.Or(name, addr))
		p.str("EmailAccountType", "EmailTypeIMAP")
		p.str("EmailAddress", addr)
		p.str("IncomingMailServerAuthentication", "EmailAuthPassword")
		p.str("IncomingMailServerHostName", s.Hostname)
		p.integer("IncomingMailServerPortNumber", in[0].port)
		p.boolean("IncomingMailServerUseSSL", true)
		p.str("IncomingMailServerUsername", addr)
		p.str("OutgoingMailServerAuthentication", "EmailAuthPassword")
		p.str("OutgoingMailServerHostName", s.Hostname)
		p.integer("OutgoingMailServerPortNumber", out[0].port)
		p.boolean("OutgoingMailServerUseSSL", true)
		p.str("OutgoingMailServerUsername", addr)
		p.boolean("OutgoingPasswordSameAsIncomingPassword", true)
		p.str("PayloadDescription", "Mail account "+addr)
		p.str("PayloadDisplayName", addr)
		p.str("PayloadIdentifier", id+".account")
		p.str("PayloadType", "com.apple.mail.managed")
		p.str("PayloadUUID", newUUID())
		p.integer("PayloadVersion", 1)
		p.b.WriteString("</dict>\n</array>\n")
		p.str("PayloadDescription", "Sets up the mail account "+addr+" on "+s.Hostname)
		p.str("PayloadDisplayName", "Mail: "+addr)
		p.str("PayloadIdentifier", id)
		p.str("PayloadOrganization", domain)
		p.boolean("PayloadRemovalDisallowed", false)
		p.str("PayloadType", "Configuration")
		p.str("PayloadUUID", newUUID())
		p.integer("PayloadVersion", 1)
		p.b.WriteString("</dict>\n</plist>\n")

		w.Header().Set("Content-Type", "application/x-apple-aspen-config")
		w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": addr + ".mobileconfig"}))
		w.Header().Set("Cache-Control", "no-store")
		io.WriteString(w, p.b.String())
	})
}
