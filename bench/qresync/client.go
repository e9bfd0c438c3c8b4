package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// countingConn counts the bytes that cross the socket in each direction:
// what a client on a metered mobile link would pay for.
type countingConn struct {
	net.Conn
	in, out int64
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.in += int64(n)
	return n, err
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.out += int64(n)
	return n, err
}

// client is a minimal IMAP client that speaks raw lines, so that the
// benchmark sees every byte and every command, and so that a server that
// answers an extension with BAD is a result to report rather than an error
// of a client library.
type client struct {
	nc      *countingConn
	r       *bufio.Reader
	tag     int
	cmds    int // commands sent
	timeout time.Duration
	line    []byte // the current response line, reused
}

// usage is what crossed the connection between two marks.
type usage struct {
	in, out int64
	cmds    int
}

func (u usage) sub(o usage) usage {
	return usage{in: u.in - o.in, out: u.out - o.out, cmds: u.cmds - o.cmds}
}

// dial connects and reads the greeting.
func dial(addr string, timeout time.Duration) (*client, error) {
	nc, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return nil, err
	}
	c := &client{nc: &countingConn{Conn: nc}, timeout: timeout}
	c.r = bufio.NewReaderSize(c.nc, 64<<10)
	_ = nc.SetDeadline(time.Now().Add(timeout))
	line, err := c.readLine()
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("greeting: %w", err)
	}
	if !bytes.HasPrefix(line, []byte("* OK")) {
		nc.Close()
		return nil, fmt.Errorf("greeting %q is not an IMAP greeting", line)
	}
	return c, nil
}

// probe waits up to limit for addr to send an IMAP greeting.
func probe(addr string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		c, err := dial(addr, 2*time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// login dials and logs in; LOGIN must succeed.
func login(addr, user, password string, timeout time.Duration) (*client, error) {
	c, err := dial(addr, timeout)
	if err != nil {
		return nil, err
	}
	if _, err := c.ok("LOGIN "+quote(user)+" "+quote(password), nil); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func (c *client) mark() usage { return usage{in: c.nc.in, out: c.nc.out, cmds: c.cmds} }

func (c *client) Close() error { return c.nc.Close() }

// logout says LOGOUT (its answer is not waited for) and closes.
func (c *client) logout() {
	c.tag++
	_, _ = fmt.Fprintf(c.nc, "Z%d LOGOUT\r\n", c.tag)
	c.Close()
}

// result is a command's tagged response.
type result struct {
	status string // OK, NO or BAD
	text   string // the rest of the line, response code included
}

func (r result) String() string { return r.status + " " + r.text }

// run sends one command and reads the responses until its tagged one,
// handing each untagged line to untagged (which must not keep it). An
// error is a broken connection or an unparsable answer; NO and BAD are
// results.
func (c *client) run(command string, untagged func(line []byte) error) (result, error) {
	c.tag++
	tag := "A" + strconv.Itoa(c.tag)
	_ = c.nc.SetDeadline(time.Now().Add(c.timeout))
	if _, err := c.nc.Write([]byte(tag + " " + command + "\r\n")); err != nil {
		return result{}, err
	}
	c.cmds++
	for {
		line, err := c.readLine()
		if err != nil {
			return result{}, fmt.Errorf("%s: %w", command, err)
		}
		if rest, ok := bytes.CutPrefix(line, []byte(tag+" ")); ok {
			status, text, _ := bytes.Cut(rest, []byte(" "))
			r := result{status: string(bytes.ToUpper(status)), text: string(text)}
			if r.status != "OK" && r.status != "NO" && r.status != "BAD" {
				return r, fmt.Errorf("%s: bad tagged response %q", command, line)
			}
			return r, nil
		}
		if line[0] == '+' {
			return result{}, fmt.Errorf("%s: unexpected continuation request %q", command, line)
		}
		if untagged != nil {
			if err := untagged(line); err != nil {
				return result{}, fmt.Errorf("%s: %w in %q", command, err, clip(line))
			}
		}
	}
}

// ok is run for a command that must succeed.
func (c *client) ok(command string, untagged func(line []byte) error) (result, error) {
	r, err := c.run(command, untagged)
	if err == nil && r.status != "OK" {
		err = fmt.Errorf("%s: %s", clipString(command), r)
	}
	return r, err
}

// readLine reads one response line without its CRLF, with any literals
// ({n} at a line end, then n bytes) inlined. The slice is valid until the
// next call.
func (c *client) readLine() ([]byte, error) {
	c.line = c.line[:0]
	for {
		part, err := c.r.ReadSlice('\n')
		for errors.Is(err, bufio.ErrBufferFull) {
			c.line = append(c.line, part...)
			part, err = c.r.ReadSlice('\n')
		}
		if err != nil {
			return nil, err
		}
		c.line = append(c.line, part...)
		c.line = bytes.TrimSuffix(bytes.TrimSuffix(c.line, []byte("\n")), []byte("\r"))
		n, ok := literalLength(c.line)
		if !ok {
			if len(c.line) == 0 {
				return nil, errors.New("empty response line")
			}
			return c.line, nil
		}
		if n > 64<<20 {
			return nil, fmt.Errorf("literal of %d bytes", n)
		}
		start := len(c.line)
		c.line = append(c.line, make([]byte, n)...)
		if _, err := io.ReadFull(c.r, c.line[start:]); err != nil {
			return nil, err
		}
	}
}

// literalLength reads the {n} or {n+} at the end of a line.
func literalLength(line []byte) (int, bool) {
	if len(line) < 3 || line[len(line)-1] != '}' {
		return 0, false
	}
	open := bytes.LastIndexByte(line, '{')
	if open < 0 {
		return 0, false
	}
	n, err := strconv.Atoi(string(bytes.TrimSuffix(line[open+1:len(line)-1], []byte("+"))))
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// quote makes an IMAP quoted string.
func quote(s string) string {
	var b bytes.Buffer
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

func clip(line []byte) string { return clipString(string(line)) }

func clipString(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}
