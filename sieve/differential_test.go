package sieve

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// registeredCapabilities are Sieve capabilities of the IANA registry that
// Pigeonhole implements. A pair whose script requires one of them that
// zest does not implement yet is skipped, not compared: its golden file
// records Pigeonhole running the extension, which zest cannot match. A
// made-up capability ("x-no-such-ext") is compared: both must refuse it.
var registeredCapabilities = []string{
	"body", "comparator-i;ascii-numeric", "comparator-i;unicode-casemap", "copy", "date", "duplicate",
	"editheader", "encoded-character", "enclose", "enotify", "envelope", "environment", "ereject",
	"extracttext", "fileinto", "foreverypart", "ihave", "imap4flags", "include", "index", "mailbox",
	"mboxmetadata", "mime", "regex", "reject", "relational", "servermetadata", "spamtest", "spamtestplus",
	"subaddress", "vacation", "vacation-seconds", "variables", "virustest",
}

// differencesFile lists the pairs where zest deliberately gives another
// answer than Pigeonhole, each with the RFC reasoning.
const differencesFile = "DIFFERENCES.md"

// loadDifferences reads the pair ids of DIFFERENCES.md: every line that
// starts with "- " followed by a three-digit id (and optionally more ids
// joined by ", ") up to a colon.
func loadDifferences(t *testing.T) map[string]bool {
	t.Helper()
	f, err := os.Open(filepath.Join(phDiffDir, differencesFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ids := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "- **") {
			continue
		}
		head, _, ok := strings.Cut(strings.TrimPrefix(line, "- **"), "**")
		if !ok {
			t.Fatalf("%s: entry without a closing ** after its ids: %q", differencesFile, line)
		}
		for _, id := range strings.Split(head, ",") {
			id = strings.TrimSpace(id)
			if len(id) != 3 || strings.Trim(id, "0123456789") != "" {
				t.Fatalf("%s: %q is not a pair id in %q", differencesFile, id, line)
			}
			if ids[id] {
				t.Fatalf("%s: pair %s listed twice", differencesFile, id)
			}
			ids[id] = true
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}

// missingCapabilities returns the registered capabilities the script
// requires that zest does not implement, in script order.
func missingCapabilities(src []byte) []string {
	cmds, err := parse(string(src), defaultMaxNesting)
	if err != nil {
		return nil // a syntax error is compared like any other answer
	}
	have := Capabilities()
	var missing []string
	for _, c := range cmds {
		if c.Name != "require" {
			break
		}
		for _, a := range c.Args {
			for _, name := range a.Strings {
				if slices.Contains(registeredCapabilities, name) && !slices.Contains(have, name) &&
					!slices.Contains(missing, name) {
					missing = append(missing, name)
				}
			}
		}
	}
	return missing
}

// corpusIncludes serves the include corpus (testdata/diff/include) as
// sieve-test sees it: personal/NAME.sieve and global/NAME.sieve.
type corpusIncludes struct{}

func (corpusIncludes) Script(global bool, name string) ([]byte, error) {
	loc := "personal"
	if global {
		loc = "global"
	}
	if strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") {
		return nil, ErrNoScript // not a file sieve-test's file storage would find
	}
	b, err := os.ReadFile(filepath.Join(phIncludeDir, loc, name+".sieve"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoScript
	}
	return b, err
}

// zestActions compiles the script with default Options and runs it on the
// message with the given envelope ("<>" meaning the empty reverse path),
// returning the lines in the normalised format of testdata/diff/README.md.
func zestActions(t *testing.T, scriptPath, messagePath, from, to string) ([]string, error) {
	t.Helper()
	src, err := os.ReadFile(scriptPath)
	if err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(messagePath)
	if err != nil {
		return nil, err
	}
	s, err := Compile(src, Options{Includes: corpusIncludes{}})
	if err != nil {
		var ce *CompileError
		if !errors.As(err, &ce) {
			return nil, fmt.Errorf("compile %s: not a *CompileError: %w", scriptPath, err)
		}
		t.Logf("zest: compile error: %v", err)
		return []string{"error: compile"}, nil
	}
	if from == phEmptySender {
		from = ""
	}
	res, err := s.Run(context.Background(), &Input{Message: newTestMessage(string(raw)),
		Envelope: Envelope{From: from, To: to},
		// sieve-test knows its host, domain and version; so does delivery.
		Environment: Environment{Host: "mail.example.com", Domain: "example.com", Version: "0.0.0-corpus"}})
	if err != nil {
		t.Logf("zest: run error: %v", err)
		return []string{"error: runtime"}, nil
	}
	lines := make([]string, len(res.Actions))
	for i, a := range res.Actions {
		if f, ok := a.(FileInto); ok && f.Mailbox == "INBOX" && !f.Copy && !f.Create {
			// Pigeonhole's result does not tell keep from fileinto "INBOX".
			a = Keep{Flags: f.Flags}
		}
		lines[i] = a.String()
	}
	return lines, nil
}

// TestZestCorpus holds zest's interpreter to Pigeonhole's answers on the
// differential corpus; the pairs of DIFFERENCES.md are where zest keeps
// the RFC's answer instead, and each must still differ.
//
// spec: SV-01, SV-02, SV-03, SV-04, SV-05, SV-06, SV-07, SV-08, SV-09, SV-10, SV-11, SV-12, SV-13, SV-14,
// SV-15, SV-18, SV-21, SV-29, SV-33, SV-35, SV-36, SV-51, SV-52, SV-54, SV-66, SV-67, SV-68, SV-69
func TestZestCorpus(t *testing.T) {
	allowed := loadDifferences(t)
	compared, agreeing, listed := 0, 0, 0
	skipped := map[string][]string{} // capability -> pair ids
	for _, p := range phLoadPairs(t) {
		src, err := os.ReadFile(p.scriptPath())
		if err != nil {
			t.Fatal(err)
		}
		if missing := missingCapabilities(src); len(missing) > 0 {
			key := strings.Join(missing, "+")
			skipped[key] = append(skipped[key], p.ID)
			if allowed[p.ID] {
				t.Errorf("pair %s is skipped (needs %s) but listed in %s", p.ID, key, differencesFile)
			}
			continue
		}
		t.Run(p.ID+"-"+strings.TrimSuffix(p.Script, ".sieve"), func(t *testing.T) {
			got, err := zestActions(t, p.scriptPath(), p.messagePath(), p.From, p.To)
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(p.expectedPath())
			if err != nil {
				t.Fatal(err)
			}
			compared++
			text := strings.Join(got, "\n") + "\n"
			same := text == string(want)
			switch {
			case same && allowed[p.ID]:
				t.Errorf("pair %s now agrees with Pigeonhole: remove it from %s", p.ID, differencesFile)
			case !same && !allowed[p.ID]:
				t.Errorf("%s with %s (from %s to %s):\nzest gives:\n%s\nPigeonhole (%s) gives:\n%s",
					p.Script, p.Message, p.From, p.To, text, p.expectedPath(), want)
			}
			if same {
				agreeing++
			} else if allowed[p.ID] {
				listed++
			}
		})
	}
	for id := range allowed {
		if !slices.ContainsFunc(phLoadPairs(t), func(p phPair) bool { return p.ID == id }) {
			t.Errorf("%s lists pair %s, which is not in pairs.txt", differencesFile, id)
		}
	}
	var caps []string
	nskipped := 0
	for c, ids := range skipped {
		caps = append(caps, c)
		nskipped += len(ids)
	}
	sort.Strings(caps)
	var parts []string
	for _, c := range caps {
		parts = append(parts, fmt.Sprintf("%d for %s (%s)", len(skipped[c]), c, strings.Join(skipped[c], " ")))
	}
	t.Logf("%d compared (%d agree, %d listed in %s), %d skipped: %s",
		compared, agreeing, listed, differencesFile, nskipped, strings.Join(parts, "; "))
}
