package sieve

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"slices"
	"strings"

	"github.com/emersion/go-message/charset"
)

// extBody is the body test (RFC 5173). spec: SV-27, SV-41..SV-45
var extBody = extension{
	name: "body",
	specs: []*spec{{
		name: "body", test: true,
		tags: slices.Concat(matchTags, []tagSpec{
			{name: "raw", group: groupBodyTransform},
			{name: "content", group: groupBodyTransform, arg: argStrings},
			{name: "text", group: groupBodyTransform},
		}),
		args:      []argType{argStrings},
		buildTest: buildBody,
	}},
}

const groupBodyTransform = "body transform"

// Bounds on one body test (SV-27): the raw body scanned, the decoded text
// produced and the depth of nested parts. Going past one fails the run,
// which keeps the message (SV-23).
const (
	maxBodyScan  = 10 << 20
	maxBodyText  = 20 << 20
	maxBodyDepth = 32
)

func buildBody(c *compiler, a *call) testFunc {
	m := c.matcher(a, c.vals(a, 0))
	if m == nil {
		return nil
	}
	// body :matches sets no match variables (RFC 5173 §5, SV-45): a body
	// is too large to copy pieces of into variables.
	m.capture = false
	raw := a.has("raw")
	var types []value
	switch {
	case a.has("content"):
		for _, s := range a.tags["content"].Strings {
			types = append(types, c.value(s))
		}
	case !raw:
		// spec: SV-44 — :text is :content "text".
		types = []value{{lit: "text"}}
	}
	return func(r *run) (bool, error) {
		if r.in.Message == nil {
			return false, nil
		}
		msg, err := r.in.Message.Body()
		if err != nil {
			return false, fmt.Errorf("body: reading the message: %w", err)
		}
		_, body, ok := splitEntity(msg)
		if !ok {
			return false, nil // spec: SV-41 — no body, every body test is false
		}
		if len(body) > maxBodyScan {
			return false, fmt.Errorf("body: the body is larger than %d bytes", maxBodyScan)
		}
		var texts []string
		if raw {
			texts = []string{string(body)} // spec: SV-42
		} else {
			w := &bodyWalker{types: getAll(r, types)}
			if err := w.entity(msg, 0, false); err != nil {
				return false, err
			}
			texts = w.texts
		}
		if m.counting() {
			return m.matchCount(r, len(texts)), nil
		}
		for _, t := range texts {
			if m.match(r, t) {
				return true, nil
			}
		}
		return false, nil
	}
}

// bodyWalker collects the texts of the parts :content selects (SV-43).
type bodyWalker struct {
	types []string
	texts []string
	size  int
}

func (w *bodyWalker) add(b []byte) error {
	w.size += len(b)
	if w.size > maxBodyText {
		return fmt.Errorf("body: more than %d bytes of decoded text", maxBodyText)
	}
	w.texts = append(w.texts, string(b))
	return nil
}

// selected applies RFC 5173 §5.2: "" selects every part, "type" every
// subtype of it, "type/subtype" exactly that, any other slash form none.
func (w *bodyWalker) selected(mediaType string) bool {
	typ, sub, _ := strings.Cut(mediaType, "/")
	for _, t := range w.types {
		t = strings.ToLower(t)
		switch ty, su, slash := strings.Cut(t, "/"); {
		case t == "":
			return true
		case !slash:
			if ty == typ {
				return true
			}
		case ty != "" && su != "" && !strings.Contains(su, "/"):
			if ty == typ && su == sub {
				return true
			}
		}
	}
	return false
}

// entity walks one MIME entity: its header and body. inDigest says the
// default type is message/rfc822 (RFC 2046 §5.1.5).
func (w *bodyWalker) entity(ent []byte, depth int, inDigest bool) error {
	if depth > maxBodyDepth {
		return fmt.Errorf("body: MIME parts nested more than %d deep", maxBodyDepth)
	}
	header, body, ok := splitEntity(ent)
	if !ok {
		return nil
	}
	mediaType, params := contentType(header, inDigest)
	switch {
	case strings.HasPrefix(mediaType, "multipart/"):
		prologue, parts, epilogue := splitMultipart(body, params["boundary"])
		if w.selected(mediaType) {
			// Only the text outside the parts belongs to the multipart.
			for _, t := range [][]byte{prologue, epilogue} {
				if len(t) > 0 {
					if err := w.add(t); err != nil {
						return err
					}
				}
			}
		}
		for _, p := range parts {
			if err := w.entity(p, depth+1, mediaType == "multipart/digest"); err != nil {
				return err
			}
		}
		return nil
	case mediaType == "message/rfc822":
		if w.selected(mediaType) {
			inner, _, _ := splitEntity(body)
			if err := w.add(inner); err != nil {
				return err
			}
		}
		return w.entity(body, depth+1, false)
	}
	if !w.selected(mediaType) {
		return nil
	}
	text := decodeTransfer(body, headerValue(header, "content-transfer-encoding"))
	if strings.HasPrefix(mediaType, "text/") {
		text = toUTF8(text, params["charset"])
	}
	return w.add(text)
}

// splitEntity splits at the first empty line; ok is false when there is
// none, so the entity has no body (RFC 5173 §5).
func splitEntity(ent []byte) (header, body []byte, ok bool) {
	if bytes.HasPrefix(ent, []byte("\r\n")) {
		return nil, ent[2:], true
	}
	if bytes.HasPrefix(ent, []byte("\n")) {
		return nil, ent[1:], true
	}
	i := bytes.Index(ent, []byte("\n\r\n"))
	j := bytes.Index(ent, []byte("\n\n"))
	switch {
	case i >= 0 && (j < 0 || i < j):
		return ent[:i+1], ent[i+3:], true
	case j >= 0:
		return ent[:j+1], ent[j+2:], true
	}
	return ent, nil, false
}

// headerValue returns the unfolded value of the first field with that
// name (lower case) in a raw header block.
func headerValue(header []byte, name string) string {
	lines := strings.Split(strings.ReplaceAll(string(header), "\r\n", "\n"), "\n")
	for i, l := range lines {
		k, v, ok := strings.Cut(l, ":")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), name) {
			continue
		}
		for _, cont := range lines[i+1:] {
			if cont == "" || (cont[0] != ' ' && cont[0] != '\t') {
				break
			}
			v += cont
		}
		return strings.TrimSpace(v)
	}
	return ""
}

// contentType returns the lower-case media type and its parameters; an
// absent or invalid field means text/plain (RFC 2045 §5.2).
func contentType(header []byte, inDigest bool) (string, map[string]string) {
	v := headerValue(header, "content-type")
	if v != "" {
		if mt, params, err := mime.ParseMediaType(v); err == nil {
			return mt, params
		}
	} else if inDigest {
		return "message/rfc822", nil
	}
	return "text/plain", map[string]string{}
}

// splitMultipart cuts a multipart body at its boundary lines (RFC 2046
// §5.1.1); the line break before a boundary belongs to the boundary. A
// missing close delimiter ends the last part at the end of the body.
func splitMultipart(body []byte, boundary string) (prologue []byte, parts [][]byte, epilogue []byte) {
	if boundary == "" {
		return body, nil, nil
	}
	delim := []byte("--" + boundary)
	start, first := 0, true
	end := func(at int) []byte {
		seg := body[start:at]
		seg = bytes.TrimSuffix(seg, []byte("\n"))
		return bytes.TrimSuffix(seg, []byte("\r"))
	}
	for pos := 0; pos < len(body); {
		next := bytes.IndexByte(body[pos:], '\n')
		lineEnd := len(body)
		if next >= 0 {
			lineEnd = pos + next + 1
		}
		line := bytes.TrimRight(body[pos:lineEnd], " \t\r\n")
		if rest, ok := bytes.CutPrefix(line, delim); ok && (len(rest) == 0 || string(rest) == "--") {
			seg := end(pos)
			if first {
				prologue, first = seg, false
			} else {
				parts = append(parts, seg)
			}
			start = lineEnd
			if len(rest) > 0 {
				return prologue, parts, body[lineEnd:]
			}
		}
		pos = lineEnd
	}
	if first {
		return body, nil, nil
	}
	return prologue, append(parts, body[start:]), nil
}

// decodeTransfer undoes a Content-Transfer-Encoding; 7bit, 8bit, binary
// and unknown encodings are taken as they are, and so is text the decoder
// refuses.
func decodeTransfer(b []byte, cte string) []byte {
	switch strings.ToLower(cte) {
	case "quoted-printable":
		if d, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(b))); err == nil || len(d) > 0 {
			return d
		}
	case "base64":
		clean := bytes.Map(func(r rune) rune {
			if r == '+' || r == '/' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') {
				return r
			}
			return -1
		}, b)
		if d, err := base64.RawStdEncoding.DecodeString(string(clean)); err == nil {
			return d
		} else if ce := (base64.CorruptInputError(0)); errors.As(err, &ce) {
			// Keep what decoded before the damage.
			d, _ := base64.RawStdEncoding.DecodeString(string(clean[:int(ce)/4*4]))
			return d
		}
	}
	return b
}

// toUTF8 converts text in charset cs to UTF-8; text in a charset the
// engine does not know is matched as it is.
func toUTF8(b []byte, cs string) []byte {
	switch strings.ToLower(cs) {
	case "", "us-ascii", "ascii", "utf-8", "utf8":
		return b
	}
	rd, err := charset.Reader(cs, bytes.NewReader(b))
	if err != nil {
		return b
	}
	d, err := io.ReadAll(rd)
	if err != nil {
		return b
	}
	return d
}
