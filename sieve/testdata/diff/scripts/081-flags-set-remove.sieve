# setflag replaces, removeflag removes case-insensitively, space-separated lists (SV-51)
require "imap4flags";
setflag "\\Seen \\Answered $a";
addflag "$b $A";
removeflag "\\seen $B";
keep;
