package sieve

import "strings"

// extSubaddress is subaddress (RFC 5233): the address parts :user and
// :detail for every test that takes an address part. spec: SV-63
var extSubaddress = extension{
	name: "subaddress",
	tags: []extraTags{{toGroup: groupAddressPart, tags: []tagSpec{
		{name: "user", group: groupAddressPart},
		{name: "detail", group: groupAddressPart},
	}}},
}

// subaddressSeparator splits "user+detail". zest's delivery knows no other
// separator, and RFC 5233 §4 leaves the choice to the implementation.
const subaddressSeparator = "+"

// subaddress returns the :user or :detail part of a local part, split at
// the first separator (RFC 5233 §4). Without a separator :user is the
// whole local part and :detail does not exist, so the test matches nothing
// for that address, not even with "*"; "user+" has the empty detail.
func subaddress(local, part string) (string, bool) {
	user, detail, found := strings.Cut(local, subaddressSeparator)
	if part == "user" {
		return user, true
	}
	return detail, found
}
