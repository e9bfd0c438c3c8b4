package harness

import (
	"strings"
	"testing"
)

func TestZestConfig(t *testing.T) {
	got := ZestConfig("/tmp/x/zest-data", []string{"lmtp", "imap"},
		map[string]string{"lmtp": "127.0.0.1:2424", "imap": "127.0.0.1:1143"})
	want := "hostname = \"bench.local\"\ndata = \"/tmp/x/zest-data\"\n\n[listen]\n" +
		"lmtp = \"127.0.0.1:2424\"\nimap = \"127.0.0.1:1143\"\n"
	if got != want {
		t.Fatalf("config:\n%s\nwant:\n%s", got, want)
	}
}

func testConf(protocols ...string) dovecotConf {
	return dovecotConf{
		generator: "bench/test", dir: "/t/dovecot", mailRoot: "/t/mail", usersFile: "/t/dovecot/users",
		ports: map[string]int{"lmtp": 2424, "imap": 1143}, protocols: protocols,
		uid: 65534, gid: 65534, loginUser: "dovenull", internalUser: "dovecot", internalGroup: "dovecot",
		root: true, maxClients: 50,
	}
}

func TestDovecotConfigLMTP(t *testing.T) {
	got := testConf("lmtp").render()
	for _, want := range []string{
		"protocols = lmtp\n", "auth_mechanisms = plain\n", "mail_fsync = always\n",
		"mail_location = maildir:/t/mail/%u\n", "lmtp_save_to_detail_mailbox = no\n",
		"instance_name = zest-bench-2424\n", "    port = 2424\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("LMTP config lacks %q:\n%s", want, got)
		}
	}
	for _, bad := range []string{"imap", "disable_plaintext_auth", "chroot"} {
		if strings.Contains(got, bad) {
			t.Errorf("LMTP config has %q:\n%s", bad, got)
		}
	}
}

func TestDovecotConfigIMAP(t *testing.T) {
	c := testConf("imap", "lmtp")
	got := c.render()
	for _, want := range []string{
		"protocols = imap lmtp\n", "auth_mechanisms = plain login\n", "disable_plaintext_auth = no\n",
		"ssl = no\n", "mail_fsync = always\n", "service imap-login {\n  inet_listener imap {\n    address = 127.0.0.1\n    port = 1143\n",
		"inet_listener imaps {\n    port = 0\n", "mail_max_userip_connections = 100\n",
		"service lmtp {\n  inet_listener lmtp {\n    address = 127.0.0.1\n    port = 2424\n",
		"scheme=PLAIN",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("IMAP config lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "process_limit") || strings.Contains(got, "chroot") {
		t.Errorf("50 clients as root need no process limit or chroot change:\n%s", got)
	}
	c.maxClients, c.root = 500, false
	got = c.render()
	for _, want := range []string{"mail_max_userip_connections = 520\n", "  process_limit = 520\n", "default_client_limit = 1140\n", "  chroot =\n", "default_internal_group = dovecot\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("500-client non-root config lacks %q:\n%s", want, got)
		}
	}
}
