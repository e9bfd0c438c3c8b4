package harness

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Vocabulary is the word list of the message bodies and subjects: plain
// English words of varied length so that lines wrap at different places.
var Vocabulary = strings.Fields(`
the a an of to in and or but for with on at by from about into over after
before under between through during without within along across behind
meeting report budget schedule server mailbox delivery message review draft
invoice project quarter garden kitchen weekend holiday train station ticket
photo album concert coffee lunch dinner family friend neighbour weather rain
sunshine morning evening tomorrow yesterday Monday Tuesday Wednesday Thursday
Friday please thanks regards attached below above updated revised confirmed
cancelled postponed important reminder question answer problem solution idea
proposal agreement contract payment receipt order shipment package address
phone number password account backup restore upgrade install configure test
result analysis summary detail chapter section paragraph sentence word letter
`)

// FirstNames are the senders' names (in From, as "Name <name.N@example.org>").
var FirstNames = []string{"Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy", "Mallory", "Oscar", "Peggy", "Trent", "Victor", "Walter"}

// BaseDate is the Date of message 0.
var BaseDate = time.Date(2024, time.March, 4, 9, 30, 0, 0, time.FixedZone("", 3600))

// DefaultSpacing is the time between the Dates of consecutive messages when
// MessageGen.Spacing is zero.
const DefaultSpacing = 37 * time.Second

// MessageGen builds the benchmark's messages deterministically: the same
// settings and number always give the same bytes. Messages use bare LF line
// endings (go-smtp's DATA writer turns them into CRLF and dot-stuffs; an IMAP
// APPEND must convert them).
type MessageGen struct {
	To      string        // the To address
	Tag     string        // in every Message-ID, to tell runs apart
	Size    int           // approximate size of the text (of the text part, for a multipart message)
	Spacing time.Duration // between the Dates of message i and i+1; DefaultSpacing when zero
	// AttachEvery, when > 0, makes every AttachEvery-th message (i %
	// AttachEvery == AttachEvery-1) a multipart/mixed message: the text part
	// and a base64 attachment of 2 to 6 KB.
	AttachEvery int
}

// attachmentKinds are the attachments of the multipart messages.
var attachmentKinds = []struct{ name, typ string }{
	{"report-%d.pdf", "application/pdf"},
	{"photo-%d.jpg", "image/jpeg"},
	{"invoice-%d.pdf", "application/pdf"},
	{"scan-%d.png", "image/png"},
}

// Message builds message i.
func (g MessageGen) Message(i int) []byte {
	rng := rand.New(rand.NewPCG(uint64(i), 0x5eed))
	spacing := g.Spacing
	if spacing == 0 {
		spacing = DefaultSpacing
	}
	multipart := g.AttachEvery > 0 && i%g.AttachEvery == g.AttachEvery-1
	name := FirstNames[rng.IntN(len(FirstNames))]
	var b strings.Builder
	b.Grow(g.Size + 512)
	fmt.Fprintf(&b, "From: %s <%s.%d@example.org>\n", name, strings.ToLower(name), i%97)
	fmt.Fprintf(&b, "To: Bench <%s>\n", g.To)
	fmt.Fprintf(&b, "Subject: %s\n", Sentence(rng, 3+rng.IntN(6)))
	fmt.Fprintf(&b, "Date: %s\n", BaseDate.Add(time.Duration(i)*spacing).Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%d.%s.%08x@bench.example.org>\n", i, g.Tag, rng.Uint32())
	b.WriteString("MIME-Version: 1.0\n")
	boundary := fmt.Sprintf("=_bench_%d", i) // "=_" occurs in neither the text nor base64
	textStart := 0
	if multipart {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"%s\"\n", boundary)
		b.WriteString("\nThis is a multi-part message in MIME format.\n\n")
		fmt.Fprintf(&b, "--%s\n", boundary)
		textStart = b.Len()
	}
	b.WriteString("Content-Type: text/plain; charset=utf-8\n")
	b.WriteString("Content-Transfer-Encoding: 7bit\n")
	b.WriteString("\n")
	fmt.Fprintf(&b, "Hello %s,\n\n", FirstNames[rng.IntN(len(FirstNames))])
	capNext := true
	for b.Len()-textStart < g.Size-80 {
		// A line of 30..72 characters; sentences end at some line ends.
		want := 30 + rng.IntN(43)
		line := make([]byte, 0, want+16)
		for len(line) < want {
			if len(line) > 0 {
				line = append(line, ' ')
			}
			word := Vocabulary[rng.IntN(len(Vocabulary))]
			if capNext {
				word = strings.ToUpper(word[:1]) + word[1:]
				capNext = false
			}
			line = append(line, word...)
		}
		if rng.IntN(3) == 0 {
			line = append(line, '.')
			capNext = true
		}
		b.Write(line)
		b.WriteByte('\n')
		if rng.IntN(6) == 0 {
			b.WriteByte('\n') // paragraph break
		}
	}
	fmt.Fprintf(&b, "\nRegards,\n%s\n", name)
	if multipart {
		kind := attachmentKinds[(i/g.AttachEvery)%len(attachmentKinds)]
		file := fmt.Sprintf(kind.name, i)
		raw := make([]byte, 2048+rng.IntN(4096))
		for k := range raw {
			raw[k] = byte(rng.Uint32())
		}
		fmt.Fprintf(&b, "\n--%s\n", boundary)
		fmt.Fprintf(&b, "Content-Type: %s; name=\"%s\"\n", kind.typ, file)
		fmt.Fprintf(&b, "Content-Disposition: attachment; filename=\"%s\"\n", file)
		b.WriteString("Content-Transfer-Encoding: base64\n\n")
		enc := base64.StdEncoding.EncodeToString(raw)
		for len(enc) > 76 {
			b.WriteString(enc[:76])
			b.WriteByte('\n')
			enc = enc[76:]
		}
		b.WriteString(enc)
		fmt.Fprintf(&b, "\n--%s--\n", boundary)
	}
	return []byte(b.String())
}

// Sentence is a capitalised run of words from Vocabulary.
func Sentence(rng *rand.Rand, words int) string {
	w := make([]string, words)
	for i := range w {
		w[i] = Vocabulary[rng.IntN(len(Vocabulary))]
	}
	s := strings.Join(w, " ")
	return strings.ToUpper(s[:1]) + s[1:]
}
