package web

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var allServices = Services{Hostname: "mail.example.org", IMAP: 143, IMAPS: 993, Submission: 587, Submissions: 465, ManageSieve: 4190}

func isExampleOrg(d string) bool { return d == "example.org" }

func serve(t *testing.T, h http.Handler, method, target, body string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// The [listen] addresses give the ports; an empty, missing or broken
// address leaves the service off.
func TestServicesFromListen(t *testing.T) {
	got := ServicesFromListen("Mail.Example.ORG.", map[string]string{
		"imap": "127.0.0.1:1143", "imaps": ":993", "submission": "", "submissions": "[::1]:465",
		"managesieve": "nonsense", "smtp": "0.0.0.0:25",
	})
	want := Services{Hostname: "mail.example.org", IMAP: 1143, IMAPS: 993, Submissions: 465}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

// Thunderbird gets IMAP over TLS then STARTTLS, and submission on 465 then
// 587, logging in with the full address; a service that is off is not
// offered; other domains and bad addresses are refused.
func TestThunderbirdAutoconfig(t *testing.T) {
	h := ThunderbirdAutoconfig(allServices, isExampleOrg)
	type server struct {
		Type       string `xml:"type,attr"`
		Hostname   string `xml:"hostname"`
		Port       int    `xml:"port"`
		SocketType string `xml:"socketType"`
		Auth       string `xml:"authentication"`
		Username   string `xml:"username"`
	}
	var cfg struct {
		XMLName  xml.Name `xml:"clientConfig"`
		Version  string   `xml:"version,attr"`
		Provider struct {
			ID       string   `xml:"id,attr"`
			Domain   string   `xml:"domain"`
			Incoming []server `xml:"incomingServer"`
			Outgoing []server `xml:"outgoingServer"`
		} `xml:"emailProvider"`
	}
	w := serve(t, h, "GET", "/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress="+url.QueryEscape("Alice@Example.org"), "")
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/xml") {
		t.Fatalf("status %d, type %q: %s", w.Code, w.Header().Get("Content-Type"), w.Body)
	}
	if err := xml.Unmarshal(w.Body.Bytes(), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Version != "1.1" || cfg.Provider.Domain != "example.org" || cfg.Provider.ID != "example.org" {
		t.Errorf("config %+v", cfg)
	}
	wantIn := []server{
		{"imap", "mail.example.org", 993, "SSL", "password-cleartext", "%EMAILADDRESS%"},
		{"imap", "mail.example.org", 143, "STARTTLS", "password-cleartext", "%EMAILADDRESS%"},
	}
	wantOut := []server{
		{"smtp", "mail.example.org", 465, "SSL", "password-cleartext", "%EMAILADDRESS%"},
		{"smtp", "mail.example.org", 587, "STARTTLS", "password-cleartext", "%EMAILADDRESS%"},
	}
	if !equalSlices(cfg.Provider.Incoming, wantIn) || !equalSlices(cfg.Provider.Outgoing, wantOut) {
		t.Errorf("servers:\n in %+v\nout %+v", cfg.Provider.Incoming, cfg.Provider.Outgoing)
	}

	// Only implicit TLS on, and the domain taken from autoconfig.<domain>.
	h = ThunderbirdAutoconfig(Services{Hostname: "mail.example.org", IMAPS: 993, Submissions: 465}, isExampleOrg)
	r := httptest.NewRequest("GET", "/mail/config-v1.1.xml", nil)
	r.Host = "autoconfig.example.org:443"
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	cfg.Provider.Incoming, cfg.Provider.Outgoing = nil, nil
	if err := xml.Unmarshal(w.Body.Bytes(), &cfg); w.Code != 200 || err != nil {
		t.Fatalf("status %d, %v: %s", w.Code, err, w.Body)
	}
	if !equalSlices(cfg.Provider.Incoming, wantIn[:1]) || !equalSlices(cfg.Provider.Outgoing, wantOut[:1]) {
		t.Errorf("with STARTTLS off:\n in %+v\nout %+v", cfg.Provider.Incoming, cfg.Provider.Outgoing)
	}

	h = ThunderbirdAutoconfig(allServices, isExampleOrg)
	for target, code := range map[string]int{
		"/mail/config-v1.1.xml?emailaddress=bob@elsewhere.net": 404,
		"/mail/config-v1.1.xml?emailaddress=not-an-address":    400,
		"/mail/config-v1.1.xml?emailaddress=%3Cscript%3E":      400,
	} {
		if w := serve(t, h, "GET", target, ""); w.Code != code {
			t.Errorf("%s: status %d, want %d", target, w.Code, code)
		}
	}
	if w := serve(t, h, "POST", "/mail/config-v1.1.xml?emailaddress=a@example.org", ""); w.Code != 405 {
		t.Errorf("POST: status %d, want 405", w.Code)
	}
	off := ThunderbirdAutoconfig(Services{Hostname: "mail.example.org"}, isExampleOrg)
	if w := serve(t, off, "GET", "/mail/config-v1.1.xml?emailaddress=a@example.org", ""); w.Code != 404 {
		t.Errorf("no services: status %d, want 404", w.Code)
	}
}

func equalSlices[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

type adTestResponse struct {
	XMLName  xml.Name `xml:"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006 Autodiscover"`
	Response struct {
		XMLName xml.Name
		Account struct {
			AccountType string
			Action      string
			Protocol    []struct {
				Type, Server, LoginName, SSL, Encryption, SPA, AuthRequired string
				Port                                                        int
			}
		}
		Error struct {
			ErrorCode int
			Message   string
		}
	}
}

func autodiscoverRequest(addr, schema string) string {
	return `<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
  <Request>
    <EMailAddress>` + addr + `</EMailAddress>
    <AcceptableResponseSchema>` + schema + `</AcceptableResponseSchema>
  </Request>
</Autodiscover>`
}

func decodeAD(t *testing.T, w *httptest.ResponseRecorder) adTestResponse {
	t.Helper()
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/xml") {
		t.Fatalf("status %d, type %q: %s", w.Code, w.Header().Get("Content-Type"), w.Body)
	}
	var resp adTestResponse
	if err := xml.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		t.Fatalf("%v in %s", err, w.Body)
	}
	return resp
}

// Outlook gets one IMAP and one SMTP entry in the 2006a schema, the
// preferred (implicit TLS) port of each, logging in with the address;
// STARTTLS shows as SSL off with Encryption TLS; bad XML is a 400, an
// unknown domain or schema an autodiscover Error.
func TestOutlookAutodiscover(t *testing.T) {
	h := OutlookAutodiscover(allServices, isExampleOrg)
	const outlook = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"
	resp := decodeAD(t, serve(t, h, "POST", "/autodiscover/autodiscover.xml", autodiscoverRequest("alice@example.org", outlook)))
	if resp.Response.XMLName.Space != outlook {
		t.Errorf("Response namespace %q", resp.Response.XMLName.Space)
	}
	acc := resp.Response.Account
	if acc.AccountType != "email" || acc.Action != "settings" || len(acc.Protocol) != 2 {
		t.Fatalf("account %+v", acc)
	}
	imap, smtp := acc.Protocol[0], acc.Protocol[1]
	if imap.Type != "IMAP" || imap.Server != "mail.example.org" || imap.Port != 993 || imap.SSL != "on" || imap.Encryption != "SSL" ||
		imap.LoginName != "alice@example.org" || imap.SPA != "off" || imap.AuthRequired != "on" {
		t.Errorf("IMAP %+v", imap)
	}
	if smtp.Type != "SMTP" || smtp.Port != 465 || smtp.SSL != "on" || smtp.LoginName != "alice@example.org" {
		t.Errorf("SMTP %+v", smtp)
	}

	starttls := OutlookAutodiscover(Services{Hostname: "mail.example.org", IMAP: 143, Submission: 587}, isExampleOrg)
	acc = decodeAD(t, serve(t, starttls, "GET", "/autodiscover/autodiscover.xml?email=alice@example.org", "")).Response.Account
	if len(acc.Protocol) != 2 || acc.Protocol[0].Port != 143 || acc.Protocol[0].SSL != "off" || acc.Protocol[0].Encryption != "TLS" ||
		acc.Protocol[1].Port != 587 || acc.Protocol[1].Encryption != "TLS" {
		t.Errorf("STARTTLS only: %+v", acc.Protocol)
	}

	for name, tc := range map[string]struct {
		method, body, target string
		code                 int
	}{
		"unknown domain": {"POST", autodiscoverRequest("bob@elsewhere.net", outlook), "", 500},
		"no schema":      {"POST", autodiscoverRequest("bob@elsewhere.net", ""), "", 500},
		"bad address":    {"POST", autodiscoverRequest("&lt;nobody&gt;", outlook), "", 600},
		"mobilesync":     {"POST", autodiscoverRequest("alice@example.org", "http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006"), "", 601},
		"probe":          {"GET", "", "", 600},
		"GET other":      {"GET", "", "?email=bob@elsewhere.net", 500},
	} {
		resp := decodeAD(t, serve(t, h, tc.method, "/autodiscover/autodiscover.xml"+tc.target, tc.body))
		if resp.Response.Error.ErrorCode != tc.code || resp.Response.Account.Protocol != nil {
			t.Errorf("%s: %+v, want error %d", name, resp.Response, tc.code)
		}
	}

	for name, body := range map[string]string{
		"not XML":       "EMailAddress=alice@example.org",
		"truncated":     `<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"><Request>`,
		"wrong element": `<Other/>`,
		"wrong ns":      `<Autodiscover xmlns="urn:other"><Request><EMailAddress>alice@example.org</EMailAddress></Request></Autodiscover>`,
	} {
		w := serve(t, h, "POST", "/autodiscover/autodiscover.xml", body)
		if w.Code != 400 || !strings.Contains(w.Body.String(), "autodiscover request") {
			t.Errorf("%s: status %d: %s", name, w.Code, w.Body)
		}
	}
	big := strings.Repeat("<a>", maxAutoconfigRequest)
	if w := serve(t, h, "POST", "/autodiscover/autodiscover.xml", big); w.Code != 413 && w.Code != 400 {
		t.Errorf("oversized request: status %d", w.Code)
	}
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// plistDicts parses a property list into its top dict and the dicts of its
// PayloadContent, each as key → text of the value element ("true"/"false"
// for booleans).
func plistDicts(t *testing.T, body string) (top map[string]string, payloads []map[string]string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(body))
	d.Strict = true
	var stack []map[string]string
	var key, text string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("profile is not XML: %v\n%s", err, body)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			text = ""
			if tok.Name.Local == "dict" {
				stack = append(stack, map[string]string{})
			}
		case xml.CharData:
			text += string(tok)
		case xml.EndElement:
			switch n := tok.Name.Local; n {
			case "key":
				key = text
			case "dict":
				m := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if len(stack) == 0 {
					top = m
				} else {
					payloads = append(payloads, m)
				}
			case "string", "integer":
				stack[len(stack)-1][key] = text
			case "true", "false":
				stack[len(stack)-1][key] = n
			}
		}
	}
	return top, payloads
}

// An Apple profile sets up IMAP and SMTP over TLS for the address, without
// a password, under an identifier stable for the address and fresh UUIDs;
// markup in the address is escaped; bad addresses and other domains are
// refused.
func TestAppleProfile(t *testing.T) {
	h := AppleProfile(allServices, isExampleOrg)
	get := func(addr string) (*httptest.ResponseRecorder, map[string]string, map[string]string) {
		w := serve(t, h, "GET", "/apple/mobileconfig?email="+url.QueryEscape(addr), "")
		if w.Code != 200 {
			t.Fatalf("%s: status %d: %s", addr, w.Code, w.Body)
		}
		top, payloads := plistDicts(t, w.Body.String())
		if len(payloads) != 1 {
			t.Fatalf("%d payloads", len(payloads))
		}
		return w, top, payloads[0]
	}
	w, top, mail := get("alice@example.org")
	if ct := w.Header().Get("Content-Type"); ct != "application/x-apple-aspen-config" {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := w.Header().Get("Content-Disposition"); !strings.Contains(cd, "alice@example.org.mobileconfig") {
		t.Errorf("Content-Disposition %q", cd)
	}
	want := map[string]string{
		"PayloadType":                      "com.apple.mail.managed",
		"EmailAccountType":                 "EmailTypeIMAP",
		"EmailAddress":                     "alice@example.org",
		"EmailAccountName":                 "alice@example.org",
		"IncomingMailServerHostName":       "mail.example.org",
		"IncomingMailServerPortNumber":     "993",
		"IncomingMailServerUseSSL":         "true",
		"IncomingMailServerUsername":       "alice@example.org",
		"IncomingMailServerAuthentication": "EmailAuthPassword",
		"OutgoingMailServerHostName":       "mail.example.org",
		"OutgoingMailServerPortNumber":     "465",
		"OutgoingMailServerUseSSL":         "true",
		"OutgoingMailServerUsername":       "alice@example.org",
	}
	for k, v := range want {
		if mail[k] != v {
			t.Errorf("%s = %q, want %q", k, mail[k], v)
		}
	}
	for k := range mail {
		if strings.Contains(k, "Password") && k != "OutgoingPasswordSameAsIncomingPassword" {
			t.Errorf("profile carries %s", k)
		}
	}
	if top["PayloadType"] != "Configuration" || !uuidRE.MatchString(top["PayloadUUID"]) || !uuidRE.MatchString(mail["PayloadUUID"]) ||
		top["PayloadUUID"] == mail["PayloadUUID"] {
		t.Errorf("payload types/UUIDs: %q %q %q", top["PayloadType"], top["PayloadUUID"], mail["PayloadUUID"])
	}
	_, top2, mail2 := get("Alice@example.org")
	if top2["PayloadIdentifier"] != top["PayloadIdentifier"] || mail2["PayloadIdentifier"] != mail["PayloadIdentifier"] {
		t.Errorf("identifier not stable: %q, %q", top["PayloadIdentifier"], top2["PayloadIdentifier"])
	}
	if top2["PayloadUUID"] == top["PayloadUUID"] {
		t.Error("two profiles share a PayloadUUID")
	}
	if !strings.HasPrefix(top["PayloadIdentifier"], "org.example.mail.") {
		t.Errorf("identifier %q is not under the host's reverse name", top["PayloadIdentifier"])
	}
	_, top3, _ := get("bob@example.org")
	if top3["PayloadIdentifier"] == top["PayloadIdentifier"] {
		t.Error("two addresses share an identifier")
	}

	// A display name with markup comes back intact, as text.
	w, _, mail = get(`"</string><b>&" <carol@example.org>`)
	if mail["EmailAccountName"] != `</string><b>&` || strings.Contains(w.Body.String(), "<b>") {
		t.Errorf("display name not escaped: %q", mail["EmailAccountName"])
	}

	// STARTTLS ports still say UseSSL: Apple Mail does STARTTLS on them.
	starttls := AppleProfile(Services{Hostname: "mail.example.org", IMAP: 143, Submission: 587}, isExampleOrg)
	w = serve(t, starttls, "GET", "/apple/mobileconfig?email=alice@example.org", "")
	_, payloads := plistDicts(t, w.Body.String())
	if len(payloads) != 1 || payloads[0]["IncomingMailServerPortNumber"] != "143" || payloads[0]["OutgoingMailServerPortNumber"] != "587" ||
		payloads[0]["IncomingMailServerUseSSL"] != "true" {
		t.Errorf("STARTTLS profile %v", payloads)
	}

	for target, code := range map[string]int{
		"/apple/mobileconfig":                            400,
		"/apple/mobileconfig?email=nobody":               400,
		"/apple/mobileconfig?email=a@b@example.org":      400,
		"/apple/mobileconfig?email=bob%40elsewhere.net":  404,
		"/apple/mobileconfig?email=ali%0Ace@example.org": 400,
	} {
		if w := serve(t, h, "GET", target, ""); w.Code != code {
			t.Errorf("%s: status %d, want %d: %s", target, w.Code, code, w.Body)
		}
	}
	noSubmit := AppleProfile(Services{Hostname: "mail.example.org", IMAPS: 993}, isExampleOrg)
	if w := serve(t, noSubmit, "GET", "/apple/mobileconfig?email=alice@example.org", ""); w.Code != 404 {
		t.Errorf("without submission: status %d", w.Code)
	}
}

// Any request body gets a 400 or 413 with text, or a 200 whose body is an
// autodiscover document with either settings or an error.
func FuzzOutlookAutodiscover(f *testing.F) {
	f.Add(autodiscoverRequest("alice@example.org", "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"))
	f.Add(autodiscoverRequest("bob@elsewhere.net", ""))
	f.Add("<Autodiscover><Request>")
	h := OutlookAutodiscover(allServices, isExampleOrg)
	f.Fuzz(func(t *testing.T, body string) {
		w := serve(t, h, "POST", "/autodiscover/autodiscover.xml", body)
		switch w.Code {
		case 400, 413:
		case 200:
			resp := decodeAD(t, w)
			if (resp.Response.Error.ErrorCode == 0) == (resp.Response.Account.Protocol == nil) {
				t.Errorf("neither settings nor an error, or both: %s", w.Body)
			}
		default:
			t.Errorf("status %d", w.Code)
		}
	})
}
