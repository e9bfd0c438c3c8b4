package mimeinfo

import (
	"fmt"
	"strings"
	"testing"
)

// A generator of well-formed MIME trees, driven by fuzz bytes: FuzzStructure
// checks that Parse finds exactly the tree that was written, header and body
// bytes included. Byte mutation alone rarely builds valid nesting.

type genNode struct {
	typ, sub     string
	header, body string // as they must come out of the parser
	children     []*genNode
	inner        *genNode // message/rfc822
}

type gen struct {
	b    []byte
	nb   int // boundaries made
	nl   string
	size int
}

func (g *gen) byte() byte {
	if len(g.b) == 0 {
		return 0
	}
	c := g.b[0]
	g.b = g.b[1:]
	return c
}

// text makes body text from the fuzz bytes, with no line that could be
// taken for a delimiter.
func (g *gen) text() string {
	n := int(g.byte() % 24)
	var b strings.Builder
	start := true
	for i := 0; i < n; i++ {
		c := g.byte()
		switch {
		case c%7 == 0:
			b.WriteString(g.nl)
			start = true
			continue
		case c == '-' && start:
			c = 'x'
		case c == '\r' || c == '\n':
			c = ' '
		}
		b.WriteByte(c)
		start = false
	}
	return b.String()
}

func (g *gen) entity(depth int, extraHeader string) (string, *genNode) {
	nl := g.nl
	kind := g.byte() % 4
	if depth >= 6 || g.size > 1<<14 {
		kind = 0
	}
	n := &genNode{}
	switch kind {
	case 0, 3:
		n.typ, n.sub = "text", "plain"
		if kind == 3 {
			n.sub = "html"
		}
		n.header = extraHeader + "Content-Type: text/" + n.sub + nl + nl
		n.body = g.text()
	case 1:
		n.typ, n.sub = "multipart", "mixed"
		g.nb++
		bnd := fmt.Sprintf("b%dz", g.nb)
		n.header = extraHeader + "Content-Type: multipart/mixed; boundary=\"" + bnd + "\"" + nl + nl
		var b strings.Builder
		if g.byte()%2 == 0 {
			b.WriteString(g.text() + nl)
		}
		for k := int(g.byte()%3) + 1; k > 0; k-- {
			s, c := g.entity(depth+1, "")
			n.children = append(n.children, c)
			b.WriteString("--" + bnd + nl + s + nl)
		}
		b.WriteString("--" + bnd + "--")
		if g.byte()%2 == 0 {
			b.WriteString(nl + g.text())
		}
		n.body = b.String()
	case 2:
		n.typ, n.sub = "message", "rfc822"
		n.header = extraHeader + "Content-Type: message/rfc822" + nl + nl
		s, c := g.entity(depth+1, "Subject: inner"+nl)
		n.inner = c
		n.body = s
	}
	g.size += len(n.header) + len(n.body)
	return n.header + n.body, n
}

func compareTree(t *testing.T, raw []byte, p *Part, n *genNode, path string) {
	t.Helper()
	if p.Type != n.typ || p.Subtype != n.sub {
		t.Fatalf("%s: %s/%s, want %s/%s", path, p.Type, p.Subtype, n.typ, n.sub)
	}
	if h := string(raw[p.HeaderStart:p.BodyStart]); h != n.header {
		t.Fatalf("%s: header %q, want %q", path, h, n.header)
	}
	if b := string(raw[p.BodyStart:p.End]); b != n.body {
		t.Fatalf("%s: body %q, want %q", path, b, n.body)
	}
	if len(p.Children) != len(n.children) {
		t.Fatalf("%s: %d children, want %d", path, len(p.Children), len(n.children))
	}
	for i, c := range n.children {
		compareTree(t, raw, p.Children[i], c, fmt.Sprintf("%s.%d", path, i+1))
	}
	if n.inner != nil {
		if p.Message == nil || p.Message.Subject != "inner" {
			t.Fatalf("%s: no inner message envelope", path)
		}
		compareTree(t, raw, p.MessageBody, n.inner, path+".msg")
	}
}

func checkGenerated(t *testing.T, seed []byte) (depth int) {
	g := &gen{b: seed, nl: "\r\n"}
	if len(seed) > 0 && seed[0]%5 == 0 {
		g.nl = "\n"
	}
	msg, tree := g.entity(0, "From: a@example.com"+g.nl)
	raw := []byte(msg)
	in := Parse(raw)
	checkInfo(t, raw, in)
	compareTree(t, raw, in.Body, tree, "root")
	var walk func(n *genNode, d int)
	walk = func(n *genNode, d int) {
		depth = max(depth, d)
		for _, c := range n.children {
			walk(c, d+1)
		}
		if n.inner != nil {
			walk(n.inner, d+1)
		}
	}
	walk(tree, 0)
	return depth
}

func TestGenerated(t *testing.T) {
	var deep int
	for i := 0; i < 2000; i++ {
		seed := make([]byte, 64)
		for j := range seed {
			seed[j] = byte((i*2654435761 + j*40503) >> 7)
		}
		if checkGenerated(t, seed) >= 3 {
			deep++
		}
	}
	if deep < 100 {
		t.Errorf("only %d of 2000 generated messages nest 3 deep", deep)
	}
}

func FuzzStructure(f *testing.F) {
	f.Add([]byte{1, 1, 2, 1, 2, 0, 0, 5, 'h', 'e', 'l', 'l', 'o'})
	f.Add([]byte{5, 2, 1, 3, 0, 7, 14, 21, 2, 0, 3})
	f.Fuzz(func(t *testing.T, seed []byte) {
		checkGenerated(t, seed)
	})
}
