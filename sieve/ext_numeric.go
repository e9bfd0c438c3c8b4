package sieve

// extAsciiNumeric makes the i;ascii-numeric comparator available (RFC 4790
// §9.1). spec: SV-06, SV-07
var extAsciiNumeric = extension{
	name:        "comparator-i;ascii-numeric",
	comparators: []*comparator{cmpNumeric},
}
