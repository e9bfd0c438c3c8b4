package mimeinfo

import "testing"

func TestParseAddressList(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{``, `NIL`},
		{`  `, `NIL`},
		{`a@b`, `((NIL NIL "a" "b"))`},
		{`"Doe, John" <john@example.com>`, `(("Doe, John" NIL "john" "example.com"))`},
		{`John Q. Public <jqp@x.org>`, `(("John Q. Public" NIL "jqp" "x.org"))`},
		{`Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>`,
			`(("Mary Smith" NIL "mary" "x.test")(NIL NIL "jdoe" "example.org")("Who?" NIL "one" "y.test"))`},
		{`"Giant; \"Big\" Box" <sysservices@example.net>`, `(("Giant; \"Big\" Box" NIL "sysservices" "example.net"))`},
		{`=?utf-8?q?J=C3=B6rg?=  =?utf-8?q?M?= <j@x>`, `(("=?utf-8?q?J=C3=B6rg?= =?utf-8?q?M?=" NIL "j" "x"))`},
		{"J\xc3\xb6rg M\xc3\xbcller <j@x>", "((\"J\xc3\xb6rg M\xc3\xbcller\" NIL \"j\" \"x\"))"},
		{`j@x (Real Name)`, `(("Real Name" NIL "j" "x"))`},
		{`Pete(A nice \) chap) <pete(his account)@silly.test(his host)>`, `(("Pete" NIL "pete" "silly.test"))`},
		{`john.doe@example.com`, `((NIL NIL "john.doe" "example.com"))`},
		{`john . doe @ example . com`, `((NIL NIL "john.doe" "example.com"))`},
		{`"john doe"@example.com`, `((NIL NIL "john doe" "example.com"))`},
		{`""@example.com`, `((NIL NIL "" "example.com"))`},
		{`John Doe john@x`, `(("John Doe" NIL "john" "x"))`},
		{`<@route1,@route2:user@host>`, `((NIL "@route1,@route2" "user" "host"))`},
		{`Name <@route1, @route2 : user@host>`, `(("Name" "@route1,@route2" "user" "host"))`},
		{`<@host>`, `((NIL NIL "MISSING_MAILBOX" "host"))`},
		{`<user@[192.0.2.1]>`, `((NIL NIL "user" "[192.0.2.1]"))`},
		// Gaps, as Dovecot fills them.
		{`user`, `((NIL NIL "user" "MISSING_DOMAIN"))`},
		{`user@`, `((NIL NIL "user" "MISSING_DOMAIN"))`},
		{`@example.com`, `((NIL NIL "MISSING_MAILBOX" "example.com"))`},
		{`Real Name`, `(("Real Name" NIL "MISSING_MAILBOX" "MISSING_DOMAIN"))`},
		{`<>`, `((NIL NIL "MISSING_MAILBOX" "MISSING_DOMAIN"))`},
		{`Name <>`, `(("Name" NIL "MISSING_MAILBOX" "MISSING_DOMAIN"))`},
		{`Name <user>`, `(("Name" NIL "user" "MISSING_DOMAIN"))`},
		{`Name <user@host`, `(("Name" NIL "user" "host"))`},
		// Groups.
		{`undisclosed-recipients:;`, `((NIL NIL "undisclosed-recipients" NIL)(NIL NIL NIL NIL))`},
		{`A Group: a@b, "C" <c@d>; e@f`,
			`((NIL NIL "A Group" NIL)(NIL NIL "a" "b")("C" NIL "c" "d")(NIL NIL NIL NIL)(NIL NIL "e" "f"))`},
		{`A Group(Some people):Chris Jones <c@(Chris's host.)public.example>, joe@example.org, John <jdoe@one.test> (my dear friend); (the end of the group)`,
			`((NIL NIL "A Group" NIL)("Chris Jones" NIL "c" "public.example")(NIL NIL "joe" "example.org")("John" NIL "jdoe" "one.test")(NIL NIL NIL NIL))`},
		{`Unclosed: a@b`, `((NIL NIL "Unclosed" NIL)(NIL NIL "a" "b")(NIL NIL NIL NIL))`},
		{`"": a@b;`, `((NIL NIL "a" "b"))`},
		{`G: a@b; ; c@d;`, `((NIL NIL "G" NIL)(NIL NIL "a" "b")(NIL NIL NIL NIL)(NIL NIL "c" "d"))`},
		// Junk.
		{`a@b,, ,c@d,`, `((NIL NIL "a" "b")(NIL NIL "c" "d"))`},
		{`a@b junk, c@d`, `((NIL NIL "a" "b")(NIL NIL "c" "d"))`},
		{`"unterminated <a@b>`, `(("unterminated <a@b>" NIL "MISSING_MAILBOX" "MISSING_DOMAIN"))`},
		{`(unterminated comment a@b`, `NIL`},
		{`>>> a@b`, `((NIL NIL "a" "b"))`},
		{`a@b@c`, `((NIL NIL "a" "b"))`},
		{`.`, `NIL`},
		{"\x00@\x01", "((NIL NIL \"\x00\" \"\x01\"))"},
	} {
		if got := renderAddrs(parseAddressList(tt.in)); got != tt.want {
			t.Errorf("%q\n got %s\nwant %s", tt.in, got, tt.want)
		}
	}
}
