package harness

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
)

func header(t *testing.T, msg []byte, name string) string {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(msg))
	if err != nil {
		t.Fatal(err)
	}
	return m.Header.Get(name)
}

func TestMessage(t *testing.T) {
	g := MessageGen{To: BenchUser, Tag: "tag", Size: 4096}
	a := g.Message(42)
	if !bytes.Equal(a, g.Message(42)) {
		t.Fatal("Message is not deterministic")
	}
	if n := len(a); n < 3900 || n > 4300 {
		t.Fatalf("message size %d, want about 4096", n)
	}
	m, err := mail.ReadMessage(bytes.NewReader(a))
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"From", "To", "Subject", "Date", "Message-Id", "Mime-Version", "Content-Type"} {
		if m.Header.Get(h) == "" {
			t.Errorf("missing header %s", h)
		}
	}
	if _, err := m.Header.Date(); err != nil {
		t.Errorf("bad Date: %v", err)
	}
	b := g.Message(43)
	if header(t, a, "Message-Id") == header(t, b, "Message-Id") {
		t.Error("two messages share a Message-ID")
	}
	if bytes.Equal(a[bytes.Index(a, []byte("\n\n")):], b[bytes.Index(b, []byte("\n\n")):]) {
		t.Error("bodies do not vary")
	}
}

// TestMessageUnchanged pins the bytes of the plain messages: bench/lmtp's
// figures are comparable from one version to the next only while they stay
// the same.
func TestMessageUnchanged(t *testing.T) {
	h := sha256.New()
	for i := range 300 {
		for _, size := range []int{512, 4096, 10000} {
			h.Write(MessageGen{To: BenchUser, Tag: "tag-x", Size: size}.Message(i))
		}
	}
	const want = "643cd3e761bd50ce31bb8e5405953c44934a777892a5ffef1c37fa8d5837dddd"
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		t.Fatalf("plain messages changed: sha256 %s, want %s", got, want)
	}
}

func TestMessageSpacing(t *testing.T) {
	g := MessageGen{To: BenchUser, Tag: "t", Size: 1024, Spacing: 3600e9}
	d0, _ := mail.ParseDate(header(t, g.Message(0), "Date"))
	d1, _ := mail.ParseDate(header(t, g.Message(24), "Date"))
	if d1.Sub(d0).Hours() != 24 {
		t.Fatalf("24 messages an hour apart span %v", d1.Sub(d0))
	}
}

func TestMultipartMessage(t *testing.T) {
	g := MessageGen{To: BenchUser, Tag: "t", Size: 4096, AttachEvery: 10}
	parts := 0
	for i := range 40 {
		msg := g.Message(i)
		m, err := mail.ReadMessage(bytes.NewReader(msg))
		if err != nil {
			t.Fatal(err)
		}
		mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
		if err != nil {
			t.Fatal(err)
		}
		if i%10 != 9 {
			if mt != "text/plain" {
				t.Fatalf("message %d: %s, want text/plain", i, mt)
			}
			continue
		}
		if mt != "multipart/mixed" {
			t.Fatalf("message %d: %s, want multipart/mixed", i, mt)
		}
		r := multipart.NewReader(m.Body, params["boundary"])
		var types []string
		for {
			p, err := r.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("message %d: %v", i, err)
			}
			body, err := io.ReadAll(p)
			if err != nil {
				t.Fatal(err)
			}
			types = append(types, p.Header.Get("Content-Type"))
			if p.Header.Get("Content-Disposition") != "" {
				if p.FileName() == "" || len(body) < 2048 {
					t.Fatalf("message %d: attachment %q of %d bytes", i, p.FileName(), len(body))
				}
			}
		}
		if len(types) != 2 || !strings.HasPrefix(types[0], "text/plain") {
			t.Fatalf("message %d: parts %v", i, types)
		}
		parts++
	}
	if parts != 4 {
		t.Fatalf("%d multipart messages in 40, want 4", parts)
	}
}
