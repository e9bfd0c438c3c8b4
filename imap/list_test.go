package imap

import (
	"context"
	"slices"
	"testing"

	"github.com/emersion/go-imap/v2"
)

// newListEnv makes the hierarchy of RFC 5258 §5's examples, under "x/" so
// the default mailboxes stay out of the way: Fruit (unsubscribed) with
// Apple and Banana (subscribed), Tofu (subscribed), Foo with Bar
// (subscribed) under it, and two messages in Fruit/Apple.
func newListEnv(t *testing.T) *testEnv {
	t.Helper()
	e := newTestEnv(t)
	ctx := context.Background()
	for _, name := range []string{"x/Fruit/Apple", "x/Fruit/Banana", "x/Tofu", "x/Foo/Bar"} {
		if _, err := e.store.CreateMailbox(ctx, e.alice.ID, name); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"x", "x/Fruit", "x/Foo"} {
		if err := e.store.SetSubscribed(ctx, e.alice.ID, name, false); err != nil {
			t.Fatal(err)
		}
	}
	e.deliver("x/Fruit/Apple", message(1), message(2))
	return e
}

// TestListExtended checks LIST-EXTENDED's selection and return options and
// multiple patterns (RFC 5258 §3, §5), SPECIAL-USE selection (RFC 6154
// §5.1) and LIST-STATUS (RFC 5819 §2), line by line.
func TestListExtended(t *testing.T) {
	e := newListEnv(t)
	r := e.rawLoggedIn()
	for _, tc := range []struct {
		cmd  string
		want []string
	}{
		{`LIST "" "x/%"`, []string{
			`* LIST (\HasChildren) "/" x/Foo`, `* LIST (\HasChildren) "/" x/Fruit`, `* LIST (\HasNoChildren) "/" x/Tofu`}},
		{`LIST () "" "x/%"`, []string{
			`* LIST (\HasChildren) "/" x/Foo`, `* LIST (\HasChildren) "/" x/Fruit`, `* LIST (\HasNoChildren) "/" x/Tofu`}},
		// RFC 5258 §3.1: SUBSCRIBED selects and implies \Subscribed.
		{`LIST (SUBSCRIBED) "" "x/*"`, []string{
			`* LIST (\HasNoChildren \Subscribed) "/" x/Foo/Bar`, `* LIST (\HasNoChildren \Subscribed) "/" x/Fruit/Apple`,
			`* LIST (\HasNoChildren \Subscribed) "/" x/Fruit/Banana`, `* LIST (\HasNoChildren \Subscribed) "/" x/Tofu`}},
		// RFC 5258 §3.5 (and §5 example 9): parents of subscribed
		// mailboxes come back with CHILDINFO.
		{`LIST (SUBSCRIBED RECURSIVEMATCH) "" "x/%"`, []string{
			`* LIST (\HasChildren) "/" x/Foo ("CHILDINFO" ("SUBSCRIBED"))`,
			`* LIST (\HasChildren) "/" x/Fruit ("CHILDINFO" ("SUBSCRIBED"))`,
			`* LIST (\HasNoChildren \Subscribed) "/" x/Tofu`}},
		{`LIST (REMOTE) "" "x/%" RETURN (SUBSCRIBED CHILDREN)`, []string{
			`* LIST (\HasChildren) "/" x/Foo`, `* LIST (\HasChildren) "/" x/Fruit`, `* LIST (\HasNoChildren \Subscribed) "/" x/Tofu`}},
		{`LIST "" ("x/Tofu" "x/Fruit/%" "nothing")`, []string{
			`* LIST (\HasNoChildren) "/" x/Fruit/Apple`, `* LIST (\HasNoChildren) "/" x/Fruit/Banana`, `* LIST (\HasNoChildren) "/" x/Tofu`}},
		// RFC 5819 §2: each LIST line is followed by its STATUS.
		{`LIST "x/" "Fruit/%" RETURN (STATUS (MESSAGES UNSEEN))`, []string{
			`* LIST (\HasNoChildren) "/" x/Fruit/Apple`, `* STATUS x/Fruit/Apple (MESSAGES 2 UNSEEN 2)`,
			`* LIST (\HasNoChildren) "/" x/Fruit/Banana`, `* STATUS x/Fruit/Banana (MESSAGES 0 UNSEEN 0)`}},
		{`LIST (SPECIAL-USE) "" "Trash" RETURN (SPECIAL-USE)`, []string{`* LIST (\HasNoChildren \Trash) "/" Trash`}},
		{`LIST (SPECIAL-USE) "" "x/*"`, nil},
		{`LIST "" ""`, []string{`* LIST (\Noselect) "/" ""`}},
		{`LSUB "" "x/Fruit/*"`, []string{`* LSUB (\HasNoChildren) "/" x/Fruit/Apple`, `* LSUB (\HasNoChildren) "/" x/Fruit/Banana`}},
	} {
		r.send("L " + tc.cmd)
		if got := r.untilTagged("L OK"); !slices.Equal(got, tc.want) {
			t.Errorf("%s:\n got %q\nwant %q", tc.cmd, got, tc.want)
		}
	}
	for _, cmd := range []string{
		`LIST (RECURSIVEMATCH) "" "*"`, // RFC 5258 §3.1: not alone
		`LIST (BOGUS) "" "*"`,
		`LIST "" "*" RETURN (BOGUS)`,
		`LIST "" "*" RETURN (STATUS (NOPE))`,
		`LIST "" () `,
		`LIST "" "*" RETURNS ()`,
	} {
		r.send("B " + cmd)
		r.expect("B BAD")
	}
}

// TestCreateSpecialUse checks CREATE's USE parameter (RFC 6154 §3, §5.2).
func TestCreateSpecialUse(t *testing.T) {
	e := newTestEnv(t)
	r := e.rawLoggedIn()
	r.send(`C1 CREATE "Old mail" (USE (\archive))`)
	r.untilTagged("C1 OK")
	r.send(`L LIST "" "Old mail"`)
	if got := r.untilTagged("L OK"); !slices.Equal(got, []string{`* LIST (\HasNoChildren \Archive) "/" "Old mail"`}) {
		t.Errorf("got %q", got)
	}
	r.send(`C2 CREATE Other (USE (\Bogus))`)
	r.expect("C2 NO [USEATTR]")
	r.send(`C3 CREATE Other (COLOR (red))`)
	r.expect("C3 BAD")
	r.send(`C4 CREATE Other`)
	r.untilTagged("C4 OK")
}

// TestListClient parses our LIST-EXTENDED and LIST-STATUS output with
// go-imap's client.
func TestListClient(t *testing.T) {
	e := newListEnv(t)
	c := e.client()
	list, err := c.List("", "x/%", &imap.ListOptions{
		SelectSubscribed: true, SelectRecursiveMatch: true,
		ReturnStatus: &imap.StatusOptions{NumMessages: true, NumUnseen: true},
	}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*imap.ListData{}
	for _, l := range list {
		got[l.Mailbox] = l
	}
	if len(got) != 3 || got["x/Fruit"] == nil || got["x/Fruit"].ChildInfo == nil || !got["x/Fruit"].ChildInfo.Subscribed {
		t.Errorf("RECURSIVEMATCH: %+v", list)
	}
	if l := got["x/Tofu"]; l == nil || !slices.Contains(l.Attrs, imap.MailboxAttrSubscribed) || l.Status == nil || *l.Status.NumMessages != 0 {
		t.Errorf("x/Tofu: %+v", l)
	}
	list, err = c.List("", "x/Fruit/*", &imap.ListOptions{ReturnStatus: &imap.StatusOptions{NumMessages: true}}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Status == nil || *list[0].Status.NumMessages != 2 {
		t.Errorf("LIST-STATUS: %+v", list)
	}
}
