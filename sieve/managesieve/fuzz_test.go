package managesieve

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
	"testing"
	"time"
)

// fuzzConn is a client connection that sends the fuzzer's bytes and keeps
// what the server writes.
type fuzzConn struct {
	in  io.Reader
	out bytes.Buffer
}

func (f *fuzzConn) Read(p []byte) (int, error)  { return f.in.Read(p) }
func (f *fuzzConn) Write(p []byte) (int, error) { return f.out.Write(p) }
func (f *fuzzConn) Close() error                { return nil }
func (f *fuzzConn) LocalAddr() net.Addr         { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4190} }
func (f *fuzzConn) RemoteAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 50000}
}
func (f *fuzzConn) SetDeadline(time.Time) error      { return nil }
func (f *fuzzConn) SetReadDeadline(time.Time) error  { return nil }
func (f *fuzzConn) SetWriteDeadline(time.Time) error { return nil }

// FuzzSession feeds arbitrary client input to a session: it must never
// panic, and everything it answers must be well-formed ManageSieve.
func FuzzSession(f *testing.F) {
	auth := `AUTHENTICATE "PLAIN" "` + alicePlain + "\"\r\n"
	for _, seed := range []string{
		"CAPABILITY\r\nNOOP \"x\"\r\nLOGOUT\r\n",
		auth + "PUTSCRIPT \"a\" {5+}\r\nkeep;\r\nSETACTIVE \"a\"\r\nLISTSCRIPTS\r\nGETSCRIPT \"a\"\r\n",
		auth + "PUTSCRIPT \"b\" \"invalid\"\r\nCHECKSCRIPT {10}\r\ndeprecated\r\nDELETESCRIPT \"a\"\r\n",
		auth + "RENAMESCRIPT \"a\" \"b\"\r\nHAVESPACE \"c\" 99999\r\nUNAUTHENTICATE\r\n",
		"AUTHENTICATE \"PLAIN\"\r\n{44+}\r\n" + alicePlain + "\r\nSETACTIVE \"\"\r\n",
		"AUTHENTICATE \"PLAIN\"\r\n\"*\"\r\nSTARTTLS\r\n\x16\x03\x01",
		"GETSCRIPT {99999999999}\r\n(\r\n\"\\x\"\r\n",
		"NOOP {3}\r\na\"b\r\nNOOP \"\xff\"\r\n",
	} {
		f.Add([]byte(seed))
	}
	e := newTestEnv(f)
	e.store.LoginLimiter().SetDelayUnit(0)
	loopback := netip.MustParseAddr("127.0.0.1")
	f.Fuzz(func(t *testing.T, input []byte) {
		e.store.LoginLimiter().Succeeded(loopback)
		fc := &fuzzConn{in: bytes.NewReader(input)}
		c := newConn(e.srv, fc)
		c.Serve()
		if err := wellFormed(fc.out.Bytes()); err != nil {
			t.Fatalf("input %q: %v\noutput:\n%s", input, err, fc.out.Bytes())
		}
	})
}

// wellFormed checks server output against RFC 5804 §4: each line is a
// response (OK, NO or BYE, an optional code, an optional string) or data
// (strings and atoms), with literals counted right and CRLF at the end.
func wellFormed(out []byte) error {
	p := &respParser{b: out}
	for len(p.b) > 0 {
		if err := p.line(); err != nil {
			return fmt.Errorf("at offset %d: %w", len(out)-len(p.b), err)
		}
	}
	return nil
}

type respParser struct{ b []byte }

func (p *respParser) line() error {
	for _, status := range []string{"OK", "NO", "BYE"} {
		if bytes.HasPrefix(p.b, []byte(status)) && len(p.b) > len(status) && (p.b[len(status)] == ' ' || p.b[len(status)] == '\r') {
			p.b = p.b[len(status):]
			if bytes.HasPrefix(p.b, []byte(" (")) {
				p.b = p.b[2:]
				if p.atom() == "" {
					return fmt.Errorf("%s without a response code", status)
				}
				for len(p.b) > 0 && p.b[0] == ' ' {
					p.b = p.b[1:]
					if err := p.str(); err != nil {
						return err
					}
				}
				if len(p.b) == 0 || p.b[0] != ')' {
					return fmt.Errorf("response code not closed")
				}
				p.b = p.b[1:]
			}
			if len(p.b) > 0 && p.b[0] == ' ' {
				p.b = p.b[1:]
				if err := p.str(); err != nil {
					return err
				}
			}
			return p.crlf()
		}
	}
	if err := p.str(); err != nil {
		return err
	}
	for len(p.b) > 0 && p.b[0] == ' ' {
		p.b = p.b[1:]
		if p.atom() == "" {
			if err := p.str(); err != nil {
				return err
			}
		}
	}
	return p.crlf()
}

func (p *respParser) crlf() error {
	if !bytes.HasPrefix(p.b, []byte("\r\n")) {
		return fmt.Errorf("expected CRLF, got %.20q", p.b)
	}
	p.b = p.b[2:]
	return nil
}

func (p *respParser) atom() string {
	n := 0
	for n < len(p.b) && (isAtomChar(p.b[n]) || p.b[n] == '/') {
		n++
	}
	a := string(p.b[:n])
	p.b = p.b[n:]
	return a
}

func (p *respParser) str() error {
	if len(p.b) == 0 {
		return fmt.Errorf("expected a string at the end")
	}
	switch p.b[0] {
	case '"':
		for i := 1; i < len(p.b); i++ {
			switch p.b[i] {
			case '\\':
				if i+1 >= len(p.b) || p.b[i+1] != '"' && p.b[i+1] != '\\' {
					return fmt.Errorf("bad escape in quoted string")
				}
				i++
			case '"':
				p.b = p.b[i+1:]
				return nil
			case '\r', '\n', 0:
				return fmt.Errorf("CR, LF or NUL in a quoted string")
			}
		}
		return fmt.Errorf("unterminated quoted string")
	case '{':
		end := bytes.Index(p.b, []byte("}\r\n"))
		if end < 0 {
			return fmt.Errorf("bad literal")
		}
		n, err := strconv.Atoi(string(p.b[1:end]))
		if err != nil || n < 0 || end+3+n > len(p.b) {
			return fmt.Errorf("bad literal size %q", p.b[1:end])
		}
		p.b = p.b[end+3+n:]
		return nil
	}
	return fmt.Errorf("expected a string, got %.20q", p.b)
}

// The fuzz target's checker must itself reject what is not ManageSieve.
func TestWellFormedRejects(t *testing.T) {
	for _, good := range []string{"OK\r\n", "NO (QUOTA/MAXSIZE) \"x\"\r\n", "OK (TAG {1}\r\na) \"done\"\r\n", "\"a\" ACTIVE\r\n{3}\r\nabc\r\nOK\r\n", "\"\"\r\n"} {
		if err := wellFormed([]byte(good)); err != nil {
			t.Errorf("wellFormed(%q) = %v", good, err)
		}
	}
	for _, bad := range []string{"OK", "OK \r\n", "NO ()\r\n", "\"a\r\n", "{5}\r\nab\r\n", "OK \"a\nb\"\r\n", "hello\r\n", "OK (TAG \"x\" \"y\"\r\n"} {
		if err := wellFormed([]byte(bad)); err == nil {
			t.Errorf("wellFormed(%q) = nil, want an error", bad)
		}
	}
}
