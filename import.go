package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"zest/storage"
	"zest/storage/mimeinfo"
)

// zest import ADDRESS MAILBOX PATH loads a maildir or an mbox file into an
// existing mailbox. The messages are read one at a time and handed to
// Store.Import a batch at a time, so a 100,000-message import never holds
// more than one batch in memory and commits many messages per fsync.
const (
	importBatchMessages = 2000
	importBatchBytes    = 32 << 20
)

// isImport reports whether args is an import command.
func isImport(args []string) bool { return len(args) > 0 && args[0] == "import" }

// absImportPath makes the PATH of an import command absolute: a running
// server reads the files itself, from its own working directory.
func absImportPath(args []string) error {
	if !isImport(args) || len(args) != 4 {
		return nil
	}
	abs, err := filepath.Abs(args[3])
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	args[3] = abs
	return nil
}

// runImport carries out `import ADDRESS MAILBOX PATH`. On failure the
// messages of the batches already stored stay, and the output says how many.
func runImport(ctx context.Context, st *storage.Store, args []string) (string, error) {
	if len(args) != 4 {
		return "", fmt.Errorf("%w: zest import ADDRESS MAILBOX PATH", errUsage)
	}
	address, mailbox, path := args[1], args[2], args[3]
	a, err := st.AccountByAddress(ctx, address)
	if err != nil {
		return "", fmt.Errorf("account %s: %w", address, err)
	}
	mb, err := st.MailboxByName(ctx, a.ID, mailbox)
	if err != nil {
		return "", fmt.Errorf("account %s: %w (create it first with an IMAP client)", address, err)
	}
	src, err := openMessageSource(path)
	if err != nil {
		return "", err
	}
	defer src.Close()

	imported := 0
	var batch []storage.ImportMessage
	batchBytes := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		uids, err := st.Import(ctx, a.ID, mb.ID, batch)
		imported += len(uids)
		clear(batch) // let the bytes go before the next batch is read
		batch, batchBytes = batch[:0], 0
		return err
	}
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Sprintf("imported %d messages into %s of %s before the import was stopped\n", imported, mb.Name, a.Address),
				fmt.Errorf("import %s: %w", path, err)
		}
		m, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err == nil {
			batch = append(batch, m)
			batchBytes += len(m.Raw)
			if len(batch) < importBatchMessages && batchBytes < importBatchBytes {
				continue
			}
			err = flush()
		}
		if err != nil {
			return fmt.Sprintf("imported %d messages into %s of %s before the error\n", imported, mb.Name, a.Address),
				fmt.Errorf("import %s: %w", path, err)
		}
	}
	if err := flush(); err != nil {
		return fmt.Sprintf("imported %d messages into %s of %s before the error\n", imported, mb.Name, a.Address),
			fmt.Errorf("import %s: %w", path, err)
	}
	return fmt.Sprintf("imported %d messages into %s of %s from %s %s\n", imported, mb.Name, a.Address, src.Kind(), path), nil
}

// messageSource yields the messages of a maildir or an mbox file in order.
type messageSource interface {
	// Next returns the next message, or io.EOF after the last one.
	Next() (storage.ImportMessage, error)
	Kind() string
	Close() error
}

// openMessageSource opens path as a maildir (a directory with cur/ or new/)
// or an mbox file (a file whose first line is a From_ line).
func openMessageSource(path string) (messageSource, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("import: %w", pathError(path, err))
	}
	if fi.IsDir() {
		return openMaildir(path)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("import: %s is neither a maildir nor an mbox file", path)
	}
	return openMbox(path)
}

// pathError words an error from os as "PATH: reason" without the
// operation name, which means nothing to the user.
func pathError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", path, pe.Err)
	}
	return err
}

// maildirSource reads the messages of a maildir's cur/ and new/ in
// delivery order: by the time at the start of each file name, then by name.
type maildirSource struct {
	dir      string
	files    []string // "cur/NAME" or "new/NAME"
	next     int
	keywords map[byte]string // Dovecot's keyword letters, from dovecot-keywords
}

func openMaildir(dir string) (*maildirSource, error) {
	s := &maildirSource{dir: dir}
	found := false
	for _, sub := range []string{"cur", "new"} {
		ents, err := os.ReadDir(filepath.Join(dir, sub))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("import: %w", pathError(filepath.Join(dir, sub), err))
		}
		found = true
		for _, e := range ents {
			// Names starting with a dot are not messages (maildir++
			// folders, editors' temporary files).
			if strings.HasPrefix(e.Name(), ".") || !(e.Type().IsRegular() || e.Type()&fs.ModeSymlink != 0) {
				continue
			}
			s.files = append(s.files, sub+"/"+e.Name())
		}
	}
	if !found {
		return nil, fmt.Errorf("import: %s is a directory but not a maildir (it has neither cur/ nor new/)", dir)
	}
	slices.SortFunc(s.files, func(x, y string) int {
		tx, ty := maildirTime(x), maildirTime(y)
		if tx != ty {
			if tx < ty {
				return -1
			}
			return 1
		}
		return strings.Compare(x[4:], y[4:])
	})
	kw, err := readDovecotKeywords(filepath.Join(dir, "dovecot-keywords"))
	if err != nil {
		return nil, fmt.Errorf("import: %w", pathError(filepath.Join(dir, "dovecot-keywords"), err))
	}
	s.keywords = kw
	return s, nil
}

// maildirTime is the delivery time (Unix seconds) a maildir file name
// starts with, or 0.
func maildirTime(file string) int64 {
	name := file[4:]
	if i := strings.IndexByte(name, '.'); i > 0 {
		if t, err := strconv.ParseInt(name[:i], 10, 64); err == nil {
			return t
		}
	}
	return 0
}

func (s *maildirSource) Kind() string { return "maildir" }
func (s *maildirSource) Close() error { return nil }

func (s *maildirSource) Next() (storage.ImportMessage, error) {
	if s.next >= len(s.files) {
		return storage.ImportMessage{}, io.EOF
	}
	file := s.files[s.next]
	s.next++
	path := filepath.Join(s.dir, file)
	f, err := os.Open(path)
	if err != nil {
		return storage.ImportMessage{}, pathError(path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return storage.ImportMessage{}, pathError(path, err)
	}
	raw, err := io.ReadAll(f)
	if err != nil {
		return storage.ImportMessage{}, pathError(path, err)
	}
	// A maildir keeps the delivery time as the file's modification time
	// (Dovecot reports it as INTERNALDATE).
	return storage.ImportMessage{Raw: mimeinfo.CRLF(raw), Flags: maildirFlags(file, s.keywords), InternalDate: fi.ModTime()}, nil
}

// maildirFlags reads the flags of a maildir file name, "…:2,FS" (some
// systems use '!' or ';' instead of ':'): S R F T D are the system flags;
// lower-case letters are Dovecot's keywords, when its dovecot-keywords file
// names them. P (passed) has no IMAP flag and is dropped.
func maildirFlags(name string, keywords map[byte]string) []string {
	i := strings.LastIndex(name, "2,")
	if i < 1 || !strings.ContainsRune(":!;", rune(name[i-1])) {
		return nil
	}
	var flags []string
	for _, ch := range []byte(name[i+2:]) {
		switch ch {
		case 'S':
			flags = append(flags, `\Seen`)
		case 'R':
			flags = append(flags, `\Answered`)
		case 'F':
			flags = append(flags, `\Flagged`)
		case 'T':
			flags = append(flags, `\Deleted`)
		case 'D':
			flags = append(flags, `\Draft`)
		default:
			if kw, ok := keywords[ch]; ok {
				flags = append(flags, kw)
			}
		}
	}
	return flags
}

// readDovecotKeywords reads a dovecot-keywords file: lines "N name", where
// keyword N is the letter 'a'+N in the file names. A missing file is no
// keywords.
func readDovecotKeywords(path string) (map[byte]string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	kw := map[byte]string{}
	for _, line := range strings.Split(string(b), "\n") {
		num, name, ok := strings.Cut(strings.TrimSpace(line), " ")
		n, err := strconv.Atoi(num)
		if !ok || err != nil || n < 0 || n >= 26 || !isKeyword(name) {
			continue
		}
		kw[byte('a'+n)] = name
	}
	return kw, nil
}

// isKeyword reports whether s can be an IMAP keyword (an atom, RFC 3501
// §9): a name that cannot would break every FETCH of the message.
func isKeyword(s string) bool {
	if s == "" || s[0] == '\\' {
		return false
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch <= ' ' || ch >= 0x7f || strings.IndexByte(`(){%*"\]`, ch) >= 0 {
			return false
		}
	}
	return true
}

// mboxSource reads an mbox file: messages separated by From_ lines, with
// the mboxrd escaping undone (">From " → "From ", ">>From " → ">From ").
type mboxSource struct {
	r    *bufio.Reader
	c    io.Closer
	from []byte // the From_ line that starts the next message; nil at the end
	line int    // lines read, for errors
}

func openMbox(path string) (*mboxSource, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("import: %w", pathError(path, err))
	}
	s, err := newMboxSource(f, f)
	if err != nil {
		f.Close()
		if errors.Is(err, errNotMbox) {
			return nil, fmt.Errorf("import: %s is neither a maildir nor an mbox file (an mbox starts with a \"From \" line)", path)
		}
		return nil, fmt.Errorf("import: %w", pathError(path, err))
	}
	return s, nil
}

var errNotMbox = errors.New("not an mbox")

// newMboxSource reads an mbox from r; c closes it.
func newMboxSource(r io.Reader, c io.Closer) (*mboxSource, error) {
	s := &mboxSource{r: bufio.NewReaderSize(r, 64<<10), c: c}
	first, err := s.readLine()
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if len(first) == 0 {
		return s, nil // an empty mbox holds no message
	}
	if !bytes.HasPrefix(first, []byte("From ")) {
		return nil, errNotMbox
	}
	s.from = first
	return s, nil
}

func (s *mboxSource) Kind() string { return "mbox" }
func (s *mboxSource) Close() error { return s.c.Close() }

// readLine returns the next line with its line end, copied.
func (s *mboxSource) readLine() ([]byte, error) {
	line, err := s.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		long := slices.Clone(line)
		for errors.Is(err, bufio.ErrBufferFull) {
			line, err = s.r.ReadSlice('\n')
			long = append(long, line...)
		}
		line = long
	} else {
		line = slices.Clone(line)
	}
	if len(line) > 0 {
		s.line++
	}
	return line, err
}

func (s *mboxSource) Next() (storage.ImportMessage, error) {
	from, msg, err := s.nextRaw()
	if err != nil {
		return storage.ImportMessage{}, err
	}
	raw, flags := mboxMetadata(msg)
	return storage.ImportMessage{Raw: raw, Flags: flags, InternalDate: fromLineDate(from)}, nil
}

// nextRaw returns the next message's From_ line and its text with CRLF
// line ends and the escaping undone. The empty line that separates it from
// the next From_ line (or ends the file) is not part of it.
func (s *mboxSource) nextRaw() (from, msg []byte, err error) {
	if s.from == nil {
		return nil, nil, io.EOF
	}
	from, s.from = s.from, nil
	var b bytes.Buffer
	blankBefore := false // the last line was empty: it may end the message
	for {
		line, err := s.readLine()
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, nil, fmt.Errorf("line %d: %w", s.line, err)
		}
		if len(line) == 0 {
			break
		}
		if bytes.HasPrefix(line, []byte("From ")) {
			s.from = line
			break
		}
		content := bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r"))
		if blankBefore {
			b.WriteString("\r\n") // the empty line did not end the message after all
		}
		blankBefore = len(content) == 0
		if !blankBefore {
			if i := bytes.IndexFunc(content, func(r rune) bool { return r != '>' }); i > 0 && bytes.HasPrefix(content[i:], []byte("From ")) {
				content = content[1:]
			}
			b.Write(content)
			b.WriteString("\r\n")
		}
		if errors.Is(err, io.EOF) {
			break
		}
	}
	return from, b.Bytes(), nil
}

// mboxMetadataFields are the header fields mbox programs (mutt, Dovecot,
// UW imapd) add to keep their own state; they are not part of the message.
var mboxMetadataFields = []string{"status", "x-status", "x-keywords", "x-uid", "x-imap", "x-imapbase", "content-length"}

// mboxMetadata removes the mbox state fields from a message's header and
// returns the flags they held: Status R = \Seen; X-Status A = \Answered,
// F = \Flagged, T = \Draft, D = \Deleted; X-Keywords lists keywords.
func mboxMetadata(msg []byte) ([]byte, []string) {
	var flags []string
	add := func(f string) {
		if !slices.Contains(flags, f) {
			flags = append(flags, f)
		}
	}
	out := make([]byte, 0, len(msg))
	skipping := false
	rest := msg
	for len(rest) > 0 {
		end := bytes.IndexByte(rest, '\n') + 1
		if end == 0 {
			end = len(rest)
		}
		line := rest[:end]
		rest = rest[end:]
		if len(bytes.TrimRight(line, "\r\n")) == 0 {
			out = append(out, line...) // the end of the header
			out = append(out, rest...)
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			if !skipping {
				out = append(out, line...)
			}
			continue
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		skipping = ok && slices.Contains(mboxMetadataFields, strings.ToLower(string(bytes.TrimSpace(name))))
		if !skipping {
			out = append(out, line...)
			continue
		}
		value = bytes.TrimSpace(value)
		switch strings.ToLower(string(bytes.TrimSpace(name))) {
		case "status":
			if bytes.IndexByte(value, 'R') >= 0 {
				add(`\Seen`)
			}
		case "x-status":
			for _, ch := range value {
				switch ch {
				case 'A':
					add(`\Answered`)
				case 'F':
					add(`\Flagged`)
				case 'T':
					add(`\Draft`)
				case 'D':
					add(`\Deleted`)
				}
			}
		case "x-keywords":
			for _, kw := range strings.FieldsFunc(string(value), func(r rune) bool { return r == ' ' || r == ',' || r == '\t' }) {
				if isKeyword(kw) {
					add(kw)
				}
			}
		}
	}
	return out, flags
}

// fromLineDate reads the date of a From_ line ("From sender Thu Nov 23
// 16:55:50 2026", ctime format, local time, sometimes with a zone); the
// zero time (import time) when it has none that parses.
func fromLineDate(line []byte) time.Time {
	f := strings.Fields(string(line))
	if len(f) < 3 {
		return time.Time{}
	}
	date := strings.Join(f[2:], " ")
	for _, layout := range []string{
		"Mon Jan 2 15:04:05 2006",
		"Mon Jan 2 15:04:05 2006 -0700",
		"Mon Jan 2 15:04:05 MST 2006",
		"Mon Jan 2 15:04:05 -0700 2006",
		"Mon Jan 2 15:04 2006",
	} {
		if t, err := time.ParseInLocation(layout, date, time.Local); err == nil {
			return t
		}
	}
	return time.Time{}
}
